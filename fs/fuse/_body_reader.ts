import { EFBIG, EPROTO, FsError } from "../errno.ts";
import { opcodeName } from "./abi.ts";
import { decodeName } from "./names.ts";

const TWO_POW_32 = 0x1_0000_0000;
/** Largest high word of a u64 that still fits a safe integer. */
const SAFE_HIGH_MAX = 0x1f_ffff;

/** Reads fields of one request body, checking its length. */
export class BodyReader {
  constructor(readonly opcode: number, readonly body: Uint8Array, readonly view: DataView) {}

  /** Checks that a struct of `sizeBytes` is present. */
  need(sizeBytes: number): void {
    if (this.body.length < sizeBytes) {
      throw new FsError(
        EPROTO,
        `Cannot decode ${
          opcodeName(this.opcode)
        }: body is ${this.body.length} bytes, needs ${sizeBytes}`,
      );
    }
  }

  u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  id(at: number): number {
    return readId(this.view, at);
  }

  /** A read position or length: clamped to 2^53 - 1. */
  clamped(at: number): number {
    const high = this.view.getUint32(at + 4, true);
    if (high > SAFE_HIGH_MAX) return Number.MAX_SAFE_INTEGER;
    return high * TWO_POW_32 + this.view.getUint32(at, true);
  }

  /** A write position or size: EFBIG past 2^53 - 1. */
  position(at: number): number {
    const high = this.view.getUint32(at + 4, true);
    if (high > SAFE_HIGH_MAX) {
      throw new FsError(
        EFBIG,
        `Cannot serve ${opcodeName(this.opcode)}: offset or size past 2^53`,
      );
    }
    return high * TWO_POW_32 + this.view.getUint32(at, true);
  }

  /** A signed 64-bit time in seconds. */
  seconds(at: number): number {
    return this.view.getInt32(at + 4, true) * TWO_POW_32 + this.view.getUint32(at, true);
  }

  /** A NUL-terminated name starting at `at`; returns the name and the offset after the NUL. */
  name(at: number): [string, number] {
    const end = this.body.indexOf(0, at);
    if (end < 0) {
      throw new FsError(
        EPROTO,
        `Cannot decode ${opcodeName(this.opcode)}: name is not NUL-terminated`,
      );
    }
    return [decodeName(this.body.subarray(at, end)), end + 1];
  }
}

/** A u64 id the kernel got from us (or its own request counter): always a safe integer. */
export function readId(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  if (high > SAFE_HIGH_MAX) {
    throw new FsError(EPROTO, `Cannot decode id: ${high} * 2^32 is not a safe integer`);
  }
  return high * TWO_POW_32 + view.getUint32(at, true);
}
