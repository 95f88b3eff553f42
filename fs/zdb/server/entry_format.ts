/**
 * Byte layout of segment files and their entries (fs/zdb/FORMAT.md, version 1).
 * Pure: encodes and checks headers; the files themselves are handled by
 * segment_log.ts.
 */
import { crc32 } from "node:zlib";

export const SEGMENT_MAGIC = "QZDBSEG1";
export const SEGMENT_FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 32;
export const ENTRY_HEADER_BYTES = 18;
export const KEY_MAX_BYTES = 255;

export const enum EntryKind {
  Set = 1,
  Delete = 2,
  /** Written by FLUSH: every entry before it is gone. */
  Flush = 3,
}

/** A decoded entry header. Offsets are relative to the segment file start. */
export interface EntryHeader {
  kind: EntryKind;
  keyLength: number;
  valueLength: number;
  timestampSec: number;
  valueCrc: number;
}

/** CRC-32 (IEEE) as an unsigned number; zlib's is native code, ~12 GB/s here. */
export function checksum(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

/** The 32-byte header at the start of every segment file. */
export function encodeSegmentHeader(segmentId: number, createdMs: number): Uint8Array {
  const header = new Uint8Array(SEGMENT_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(new TextEncoder().encode(SEGMENT_MAGIC), 0);
  view.setUint32(8, SEGMENT_FORMAT_VERSION, true);
  view.setUint32(12, segmentId, true);
  view.setBigUint64(16, BigInt(createdMs), true);
  view.setUint32(28, checksum(header.subarray(0, 28)), true);
  return header;
}

/** Returns the segment id stored in a segment header, or a reason it is not valid. */
export function checkSegmentHeader(
  header: Uint8Array,
): { ok: true; segmentId: number } | { ok: false; reason: string } {
  if (header.length < SEGMENT_HEADER_BYTES) return { ok: false, reason: "header truncated" };
  const magic = new TextDecoder().decode(header.subarray(0, 8));
  if (magic !== SEGMENT_MAGIC) return { ok: false, reason: "bad magic" };
  const view = new DataView(header.buffer, header.byteOffset, SEGMENT_HEADER_BYTES);
  if (view.getUint32(28, true) !== checksum(header.subarray(0, 28))) {
    return { ok: false, reason: "header checksum mismatch" };
  }
  const version = view.getUint32(8, true);
  if (version !== SEGMENT_FORMAT_VERSION) {
    return { ok: false, reason: `unsupported format version ${version}` };
  }
  return { ok: true, segmentId: view.getUint32(12, true) };
}

/**
 * Writes an entry header plus key into `target` (ENTRY_HEADER_BYTES + key
 * length bytes). The header CRC covers every header field and the key, so a
 * header can be trusted without reading the value.
 */
export function encodeEntryHeader(
  target: Uint8Array,
  header: EntryHeader,
  key: Uint8Array,
): void {
  const view = new DataView(target.buffer, target.byteOffset, ENTRY_HEADER_BYTES);
  target[4] = header.kind;
  target[5] = header.keyLength;
  view.setUint32(6, header.valueLength, true);
  view.setUint32(10, header.timestampSec, true);
  view.setUint32(14, header.valueCrc, true);
  target.set(key, ENTRY_HEADER_BYTES);
  const covered = target.subarray(4, ENTRY_HEADER_BYTES + key.length);
  view.setUint32(0, checksum(covered), true);
}

/**
 * Decodes an entry header whose first ENTRY_HEADER_BYTES + key bytes are in
 * `bytes`. Returns undefined when the bytes do not form a valid header.
 */
export function decodeEntryHeader(bytes: Uint8Array): EntryHeader | undefined {
  if (bytes.length < ENTRY_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, ENTRY_HEADER_BYTES);
  const kind = bytes[4];
  const keyLength = bytes[5]!;
  if (kind !== EntryKind.Set && kind !== EntryKind.Delete && kind !== EntryKind.Flush) {
    return undefined;
  }
  if (bytes.length < ENTRY_HEADER_BYTES + keyLength) return undefined;
  const covered = bytes.subarray(4, ENTRY_HEADER_BYTES + keyLength);
  if (view.getUint32(0, true) !== checksum(covered)) return undefined;
  return {
    kind,
    keyLength,
    valueLength: view.getUint32(6, true),
    timestampSec: view.getUint32(10, true),
    valueCrc: view.getUint32(14, true),
  };
}
