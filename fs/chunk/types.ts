/** The chunk store's vocabulary: where a chunk's shards live, and the codec it drives. */

/** One stored shard of a chunk. */
export interface ShardLocation {
  /** The shard's index in the chunk's geometry: 0..k-1 data, k..n-1 parity. */
  index: number;
  nodeId: string;
  /** The key on that node. */
  key: string;
}

/** Everything needed to read a chunk back; the caller keeps it (the chunk map). */
export interface ChunkLocation {
  /** Random, 32 hex characters; shard keys derive from it. */
  chunkId: string;
  dataShards: number;
  parityShards: number;
  /** The stored shards, at most one per index, never two on one node. */
  shards: ShardLocation[];
}

export type { DecodeFailure } from "../codec/mod.ts";
import type { DecodeFailure } from "../codec/mod.ts";

/** What the chunk store needs from fs/codec, for one geometry and key. */
export interface ChunkCodec {
  readonly dataShards: number;
  readonly parityShards: number;
  /** Compresses, encrypts and erasure-codes; the result was verified by decoding it. */
  encode(plaintext: Uint8Array, into?: Uint8Array): Promise<Uint8Array[]>;
  /** The most bytes the shards of a `plainLength` chunk take (an `into` buffer's size). */
  encodedBytesMax(plainLength: number): number;
  /**
   * Decodes from any k good shards (null where missing). `shardsChecked`: every shard given
   * passed {@link checkShard} in this process just before, so its hash is not computed again.
   */
  decode(
    shards: (Uint8Array | null)[],
    options?: { shardsChecked?: boolean },
  ): Promise<{ ok: true; data: Uint8Array } | { ok: false; reason: DecodeFailure }>;
  /**
   * Checks one shard alone (its header and hash) and says which index it is; a long shard is
   * hashed off the JS thread, so `shard` must not change until this resolves.
   */
  checkShard(
    shard: Uint8Array,
  ): Promise<{ ok: true; index: number } | { ok: false; reason: string }>;
  /** Rebuilds every shard from any k good ones; undefined with fewer. */
  reconstruct(shards: (Uint8Array | null)[]): Promise<Uint8Array[] | undefined>;
}

/** A chunk could not be read: fewer than k shards were good. Never wrong bytes. */
export class ChunkReadError extends Error {
  constructor(readonly chunkId: string, readonly reason: DecodeFailure, detail: string) {
    super(
      `Cannot read chunk ${chunkId}: ${
        reason === "too_few_shards" ? "too few shards" : reason
      } (${detail})`,
    );
    this.name = "ChunkReadError";
  }
}

/** A chunk could not be stored under the write policy; nothing of it was kept. */
export class ChunkWriteError extends Error {
  constructor(readonly chunkId: string, detail: string) {
    super(`Cannot store chunk ${chunkId}: ${detail}`);
    this.name = "ChunkWriteError";
  }
}
