/**
 * The chunk frame and the shard format, version 1. FORMAT.md beside this file describes
 * them byte by byte, with the reason for each field; this module is the only code that
 * knows the offsets.
 *
 *   frame: version | compression | cipher | hash | plain length | stored length | nonce
 *          | AES-GCM(plaintext hash | body) | tag                  (header = AAD, 24 bytes)
 *   shard: version | k | m | index | frame length | chunk tag | payload | XXH64 of the rest
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { xxh64, xxh64OffThread } from "./native.ts";

export const FORMAT_VERSION = 1;
export const HASH_XXH64 = 1;

export const FRAME_HEADER_BYTES = 24;
export const PLAIN_HASH_BYTES = 8;
/** Bytes a frame adds to its body: header, encrypted plaintext hash, GCM tag. */
export const FRAME_OVERHEAD_BYTES = FRAME_HEADER_BYTES + PLAIN_HASH_BYTES + 16;
export const SHARD_HEADER_BYTES = 16;
export const SHARD_TRAILER_BYTES = 8;
/** Bytes a shard adds to its payload. */
export const SHARD_OVERHEAD_BYTES = SHARD_HEADER_BYTES + SHARD_TRAILER_BYTES;
export const CHUNK_TAG_BYTES = 8;
/** The largest frame: its length is a u32. */
export const FRAME_BYTES_MAX = 0xffff_ffff;

export interface FrameHeader {
  version: number;
  compression: number;
  cipher: number;
  hash: number;
  plainLength: number;
  storedLength: number;
  nonce: Uint8Array;
}

export interface ShardHeader {
  version: number;
  dataShards: number;
  parityShards: number;
  index: number;
  frameLength: number;
  /** The first 8 bytes of the frame's nonce: the same in every shard of one encoding. */
  chunkTag: Uint8Array;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function writeFrameHeader(target: Uint8Array, header: FrameHeader) {
  assert(target.length === FRAME_HEADER_BYTES, "a frame header has 24 bytes");
  assert(header.nonce.length === 12, "a frame nonce has 12 bytes");
  target[0] = header.version;
  target[1] = header.compression;
  target[2] = header.cipher;
  target[3] = header.hash;
  view(target).setUint32(4, header.plainLength, true);
  view(target).setUint32(8, header.storedLength, true);
  target.set(header.nonce, 12);
}

/** Reads a frame header; its fields are checked by the caller against what it supports. */
export function readFrameHeader(source: Uint8Array): FrameHeader {
  assert(source.length === FRAME_HEADER_BYTES, "a frame header has 24 bytes");
  return {
    version: source[0]!,
    compression: source[1]!,
    cipher: source[2]!,
    hash: source[3]!,
    plainLength: view(source).getUint32(4, true),
    storedLength: view(source).getUint32(8, true),
    nonce: source.slice(12, 24),
  };
}

/** Payload bytes per shard: the frame cut in k equal parts, the last one zero-padded. */
export function shardPayloadLength(frameLength: number, dataShards: number): number {
  return Math.ceil(frameLength / dataShards);
}

export function writeShardHeader(shard: Uint8Array, header: ShardHeader) {
  assert(header.chunkTag.length === CHUNK_TAG_BYTES, "a chunk tag has 8 bytes");
  shard[0] = header.version;
  shard[1] = header.dataShards;
  shard[2] = header.parityShards;
  shard[3] = header.index;
  view(shard).setUint32(4, header.frameLength, true);
  shard.set(header.chunkTag, 8);
}

/** Reads a shard header, or null when the shard is too short to hold one. */
export function readShardHeader(shard: Uint8Array): ShardHeader | null {
  if (shard.length < SHARD_OVERHEAD_BYTES) return null;
  return {
    version: shard[0]!,
    dataShards: shard[1]!,
    parityShards: shard[2]!,
    index: shard[3]!,
    frameLength: view(shard).getUint32(4, true),
    chunkTag: shard.subarray(8, 16),
  };
}

/** The shard's payload (a view). */
export function shardPayload(shard: Uint8Array): Uint8Array {
  return shard.subarray(SHARD_HEADER_BYTES, shard.length - SHARD_TRAILER_BYTES);
}

/** XXH64 of a shard's header and payload: what its trailer must hold. */
export function shardHash(shard: Uint8Array): bigint {
  return xxh64(shard.subarray(0, shard.length - SHARD_TRAILER_BYTES), 0n);
}

/** Writes the trailer hash of a shard whose header and payload are complete. */
export function sealShard(shard: Uint8Array) {
  view(shard).setBigUint64(shard.length - SHARD_TRAILER_BYTES, shardHash(shard), true);
}

/** The hash a shard's trailer holds. */
export function storedShardHash(shard: Uint8Array): bigint {
  return view(shard).getBigUint64(shard.length - SHARD_TRAILER_BYTES, true);
}

/** Whether a shard's trailer matches its header and payload. */
export function shardHashOk(shard: Uint8Array): boolean {
  return shard.length >= SHARD_OVERHEAD_BYTES && storedShardHash(shard) === shardHash(shard);
}

/** {@link shardHashOk}, hashing a long shard on a worker thread (see xxh64OffThread). */
export async function shardHashOkOffThread(shard: Uint8Array): Promise<boolean> {
  if (shard.length < SHARD_OVERHEAD_BYTES) return false;
  const hash = await xxh64OffThread(shard.subarray(0, shard.length - SHARD_TRAILER_BYTES), 0n);
  return storedShardHash(shard) === hash;
}

/** XXH64 of a plaintext, as the 8 bytes the frame encrypts. */
export function plainHashBytes(plain: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(PLAIN_HASH_BYTES);
  view(bytes).setBigUint64(0, xxh64(plain, 0n), true);
  return bytes;
}

/** {@link plainHashBytes}, hashing a long plaintext on a worker thread. */
export async function plainHashBytesOffThread(plain: Uint8Array): Promise<Uint8Array> {
  const bytes = new Uint8Array(PLAIN_HASH_BYTES);
  view(bytes).setBigUint64(0, await xxh64OffThread(plain, 0n), true);
  return bytes;
}

/**
 * Views of bytes [start, end) of a frame laid over `payloads` (each `payloadLength` long,
 * the frame's consecutive parts): one view per payload touched, nothing copied.
 */
export function frameRuns(
  payloads: readonly Uint8Array[],
  payloadLength: number,
  start: number,
  end: number,
): Uint8Array[] {
  assert(0 <= start && start <= end, "frameRuns needs 0 <= start <= end");
  assert(end <= payloads.length * payloadLength, "frameRuns range is past the payloads");
  const runs: Uint8Array[] = [];
  for (let at = start; at < end;) {
    const index = Math.floor(at / payloadLength);
    const offset = at - index * payloadLength;
    const bytes = Math.min(end - at, payloadLength - offset);
    runs.push(payloads[index]!.subarray(offset, offset + bytes));
    at += bytes;
  }
  return runs;
}

/** Copies `source` into the runs, in order. */
export function scatterInto(source: Uint8Array, runs: readonly Uint8Array[]) {
  let at = 0;
  for (const run of runs) {
    run.set(source.subarray(at, at + run.length));
    at += run.length;
  }
  assert(at === source.length, "scatterInto needs runs as long as the source");
}

/** Joins small runs (a header, a tag) into one new array. */
export function gather(runs: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(runs.reduce((sum, run) => sum + run.length, 0));
  let at = 0;
  for (const run of runs) {
    joined.set(run, at);
    at += run.length;
  }
  return joined;
}
