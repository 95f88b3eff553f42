/** A log segment's bytes: "QSEG", format version, sequence number, then an SQLite changeset. */
const MAGIC = new TextEncoder().encode("QSEG");
const SEGMENT_VERSION = 1;
const HEADER_BYTES = 16;

export function encodeSegment(seq: number, changeset: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + changeset.length);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(4, SEGMENT_VERSION, true);
  view.setBigUint64(8, BigInt(seq), true);
  bytes.set(changeset, HEADER_BYTES);
  return bytes;
}

export function decodeSegment(bytes: Uint8Array): { seq: number; changeset: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (bytes.length < HEADER_BYTES || !MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new Error("Cannot read metadata log segment: bad magic");
  }
  const version = view.getUint32(4, true);
  if (version !== SEGMENT_VERSION) {
    throw new Error(`Cannot read metadata log segment: version ${version}`);
  }
  return { seq: Number(view.getBigUint64(8, true)), changeset: bytes.subarray(HEADER_BYTES) };
}
