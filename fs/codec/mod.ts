/**
 * fs/codec: pure byte transforms for chunks (no I/O besides loading the optional system
 * libraries). A chunk becomes k + m shards, any k of which give it back:
 *
 *     const shards = await encodeChunk(plaintext, { masterKey, dataShards: 4, parityShards: 2 });
 *     const result = await decodeChunk(shardsOrNulls, { masterKey, dataShards: 4, parityShards: 2 });
 *     if (result.ok) use(result.data); else report(result.reason);
 *
 * The byte formats are in FORMAT.md beside this file.
 *
 * @module
 */
export {
  type ChunkCodecOptions,
  decodeChunk,
  type DecodeFailure,
  type DecodeResult,
  encodeChunk,
  encodedBytesMax,
} from "./pipeline.ts";
export {
  FORMAT_VERSION,
  readShardHeader,
  shardHashOk,
  type ShardHeader,
  storedShardHash,
} from "./frame.ts";
export { encodeParity, type ReconstructResult, reconstructShards } from "./erasure.ts";
export { ChunkCipher, type CipherEngine, deriveKey } from "./encrypt.ts";
export { type CompressionEngine, compressionEngine } from "./compress.ts";
export { SHARDS_MAX } from "./gf256.ts";
export { checkShard, checkShardOffThread, rebuildShards, type ShardCheck } from "./rebuild.ts";
