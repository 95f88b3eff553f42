/**
 * The write-back backend's repair pass: chunks whose put could not place every
 * shard, or that a read found damaged, are rebuilt and their new locations
 * recorded. Each repair starts from the location row as it is now and is
 * recorded only over that same row, so a repair never undoes a move made
 * meanwhile (an evacuation, a scrub).
 *
 * @module
 */

import type { ChunkStore } from "../chunk/mod.ts";
import type { Logger } from "../../lib/log.ts";
import { decodeChunkRef, encodeChunkRef } from "./chunk_store_backend.ts";
import type { MetaStore } from "./meta_store.ts";

/** Rebuilds the shards of every chunk `remote` has queued for repair; returns how many. */
export async function repairQueuedChunks(
  remote: ChunkStore,
  store: MetaStore,
  logger?: Logger,
): Promise<number> {
  let repaired = 0;
  for (const queued of remote.pendingRepairs()) {
    const before = store.locations.get(queued.chunkId);
    if (before === undefined) continue;
    try {
      const { location, plainBytes } = decodeChunkRef(before);
      const fixed = await remote.repair(location);
      if (store.locations.get(queued.chunkId) !== before) continue; // Changed meanwhile.
      store.transaction(() =>
        store.locations.set(queued.chunkId, encodeChunkRef(fixed, plainBytes))
      );
      repaired++;
    } catch (error) {
      logger?.warn("chunk repair failed", {
        chunk: queued.chunkId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return repaired;
}
