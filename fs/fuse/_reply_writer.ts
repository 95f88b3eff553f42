import { ENODEV, ENOENT, errnoName } from "../errno.ts";
import * as abi from "./abi.ts";
import type { ReplyBody } from "./dispatch.ts";
import { writeOutHeader } from "./encode.ts";
import { lastErrno, type Libc } from "./_libc.ts";
import type { FuseLogger } from "./session_options.ts";

/** Replies up to this size are copied behind the header; larger ones go out by writev. */
const COPY_REPLY_MAX_BYTES = 4096;

/**
 * Writes replies to /dev/fuse, synchronously (a reply write never blocks).
 * A small body is copied behind the header into one off-heap buffer and sent
 * with write(2); a larger one (READ data, listings) is sent with writev(2) of
 * the header and the caller's bytes, without a copy. Off-heap buffers never
 * move, so the pointers in the iovec stay valid.
 */
export class ReplyWriter {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #logger: FuseLogger;
  readonly #bytes = new Uint8Array(new ArrayBuffer(abi.OutHeader.sizeBytes + COPY_REPLY_MAX_BYTES));
  readonly #view = new DataView(this.#bytes.buffer);
  readonly #iovec = new BigUint64Array(new ArrayBuffer(32));

  constructor(libc: Libc, fd: number, logger: FuseLogger) {
    this.#libc = libc;
    this.#fd = fd;
    this.#logger = logger;
    this.#iovec[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#bytes)));
    this.#iovec[1] = BigInt(abi.OutHeader.sizeBytes);
  }

  /** Writes one reply. `errno` > 0 sends a header only. */
  write(unique: number, errno: number, body: ReplyBody): void {
    const bodyBytes = errno === 0 && body !== null ? body.length : 0;
    const lenBytes = abi.OutHeader.sizeBytes + bodyBytes;
    writeOutHeader(this.#view, 0, lenBytes, errno, unique);
    let written: number;
    if (bodyBytes <= COPY_REPLY_MAX_BYTES) {
      if (bodyBytes > 0) this.#bytes.set(body!, abi.OutHeader.sizeBytes);
      written = Number(this.#libc.symbols.write(this.#fd, this.#bytes, BigInt(lenBytes)));
    } else {
      this.#iovec[2] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(body!)));
      this.#iovec[3] = BigInt(bodyBytes);
      written = Number(this.#libc.symbols.writev(this.#fd, this.#iovec, 2));
    }
    if (written >= 0) return;
    const code = lastErrno(this.#libc);
    // ENOENT: the request was interrupted and dropped; ENODEV: the mount is gone.
    if (code !== ENOENT && code !== ENODEV) {
      this.#logger.warn("Cannot write a FUSE reply", { unique, errno: errnoName(code), lenBytes });
    }
  }
}
