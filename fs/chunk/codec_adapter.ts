/** The chunk store's {@link ChunkCodec} over fs/codec, for one master key and geometry. */
import {
  checkShardOffThread,
  type ChunkCodecOptions,
  decodeChunk,
  encodeChunk,
  encodedBytesMax,
  rebuildShards,
} from "../codec/mod.ts";
import type { ChunkCodec } from "./types.ts";

export function createChunkCodec(options: ChunkCodecOptions): ChunkCodec {
  const { dataShards, parityShards } = options;
  return {
    dataShards,
    parityShards,
    encode: (plaintext, into) => encodeChunk(plaintext, { ...options, into }),
    encodedBytesMax: (plainLength) => encodedBytesMax(plainLength, dataShards, parityShards),
    async decode(shards, decodeOptions) {
      const result = await decodeChunk(shards, { ...options, ...decodeOptions });
      return result.ok ? { ok: true, data: result.data } : { ok: false, reason: result.reason };
    },
    async checkShard(shard) {
      const check = await checkShardOffThread(shard, dataShards, parityShards);
      return check.ok ? { ok: true, index: check.header.index } : check;
    },
    reconstruct: (shards) => Promise.resolve(rebuildShards(shards, dataShards, parityShards)),
  };
}
