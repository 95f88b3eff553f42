/**
 * {@link HeldDeletes}: chunk deletes on the storage nodes that wait until the
 * metadata change that unmapped the chunk is durable there; else a recovery
 * could find metadata naming a deleted chunk. A delete is sealed in the same
 * tick as the replicator takes the changes to ship (so the change that made it
 * is among them), and released once the superblock holding them is written. A
 * crash forgets held deletes: the shards leak, nothing is lost.
 *
 * @module
 */
import type { ChunkLocation, ChunkStore } from "../chunk/mod.ts";
import type { Logger } from "../../lib/log.ts";

/** A chunk to delete: by location, or by id when no location was ever recorded. */
export type ChunkToDelete = { location: ChunkLocation } | { chunkId: string };

export class HeldDeletes {
  readonly #remote: ChunkStore;
  readonly #logger: Logger | undefined;
  #held: ChunkToDelete[] = [];
  #sealed: ChunkToDelete[] = [];

  constructor(remote: ChunkStore, logger?: Logger) {
    this.#remote = remote;
    this.#logger = logger;
  }

  hold(chunk: ChunkToDelete): void {
    this.#held.push(chunk);
  }

  /** Marks what is held as covered by the metadata changes taken now. */
  seal(): void {
    this.#sealed.push(...this.#held);
    this.#held = [];
  }

  /** Deletes the sealed chunks; call once the changes taken at the seal are durable. */
  async release(): Promise<void> {
    const sealed = this.#sealed;
    this.#sealed = [];
    for (const chunk of sealed) {
      await deleteChunk(this.#remote, chunk).catch((error) =>
        // A node that does not answer keeps a stray shard; scrub can find it later.
        this.#logger?.warn("chunk delete failed", { error: String(error) })
      );
    }
  }
}

/** Deletes a chunk's shards now. */
export function deleteChunk(remote: ChunkStore, chunk: ChunkToDelete): Promise<void> {
  return "location" in chunk ? remote.delete(chunk.location) : remote.deleteById(chunk.chunkId);
}
