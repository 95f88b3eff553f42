/**
 * fs/chunk: the chunk store. Chunks in, k + m shards out to distinct storage
 * nodes; reads take the first k good shards; scrub, repair and evacuate keep
 * the redundancy; the caller keeps each chunk's location.
 *
 * @module
 */
export { ChunkStore, type ChunkStoreOptions, type ScrubReport } from "./chunk_store.ts";
export { shardKey } from "./shard_placement.ts";
export { createChunkCodec } from "./codec_adapter.ts";
export { type FaultPlan, FaultyNode, NodeUnavailableError, seededRandom } from "./faulty_node.ts";
export { type ShardNode, ZdbShardNode } from "./shard_node.ts";
export {
  type ChunkCodec,
  type ChunkLocation,
  ChunkReadError,
  ChunkWriteError,
  type DecodeFailure,
  type ShardLocation,
} from "./types.ts";
