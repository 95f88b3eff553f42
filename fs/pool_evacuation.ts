/**
 * Taking a storage node out of a pool without losing redundancy: every shard
 * it holds is moved to (or rebuilt on) another node first, the chunk
 * locations are rewritten, and the metadata is shipped again as a fresh
 * snapshot on the other nodes. Only then may the node be deleted.
 *
 * @module
 */
import type { ChunkStore, ShardLocation } from "./chunk/mod.ts";
import { decodeChunkRef, encodeChunkRef } from "./vfs/chunk_store_backend.ts";
import type { MetadataReplicator, MetaStore, WriteBackBackend } from "./vfs/mod.ts";

/** What an evacuation did. */
export interface EvacuationReport {
  nodeId: string;
  /** Chunks of file data that had a shard on the node, all moved. */
  chunksMoved: number;
}

export interface EvacuationParts {
  store: MetaStore;
  backend: WriteBackBackend;
  replicator: MetadataReplicator;
  data: ChunkStore;
  metadata: ChunkStore;
  /** Drops the node from the superblock's node set. */
  dropSuperblockNode(nodeId: string): void;
  /** The pool's geometry: a chunk needs k + m distinct nodes. */
  shardsPerChunk: number;
}

/**
 * Moves everything off `nodeId`. Refused, with nothing changed, when the nodes left could not
 * hold a chunk's k + m shards on distinct nodes. On failure part of the chunks may have moved
 * (their new locations are recorded); running it again finishes the rest.
 */
export async function evacuateNode(
  parts: EvacuationParts,
  nodeId: string,
): Promise<EvacuationReport> {
  const { data, metadata, store, backend } = parts;
  if (!data.nodeIds.includes(nodeId)) {
    throw new Error(`Cannot remove node ${nodeId}: it is not in this filesystem's pool`);
  }
  const remaining = data.nodeIds.length - 1;
  if (remaining < parts.shardsPerChunk) {
    throw new Error(
      `Cannot remove node ${nodeId}: ${remaining} nodes would be left, and each chunk needs ` +
        `${parts.shardsPerChunk} (one per shard); add a node first`,
    );
  }
  data.drainNode(nodeId);
  metadata.drainNode(nodeId);
  // Uploads under way may still have placed a shard there: let them land, then move them.
  await backend.sync();
  let chunksMoved = 0;
  const leftBehind: ShardLocation[] = [];
  for (const row of store.locations.mentioning(nodeId)) {
    const { location, plainBytes } = decodeChunkRef(row.location);
    const leaving = location.shards.filter((shard) => shard.nodeId === nodeId);
    if (leaving.length === 0) continue;
    const moved = await data.evacuate(location, nodeId);
    // A delete meanwhile removed the row: its shards were deleted at the old location.
    if (store.locations.get(row.ref) === undefined) continue;
    store.transaction(() => store.locations.set(row.ref, encodeChunkRef(moved, plainBytes)));
    leftBehind.push(...leaving);
    chunksMoved++;
  }
  // The new locations, and the metadata itself, go to the nodes that stay. Only then do the
  // old copies go: a crash before leaves a recovery the old locations, still whole.
  parts.dropSuperblockNode(nodeId);
  await parts.replicator.snapshot();
  await data.dropShards(leftBehind);
  data.removeNode(nodeId);
  metadata.removeNode(nodeId);
  return { nodeId, chunksMoved };
}
