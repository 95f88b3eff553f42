/**
 * {@link ChunkFetcher}: the read side of the write-back backend. Chunks come
 * from the storage nodes once however many readers ask; the last few are kept
 * whole in memory (the kernel reads 128 KiB at a time, and each of those must
 * not go back to the nodes, nor to a cache file still being written); a
 * sequential reader's next chunks are fetched ahead, into memory only, so a
 * stream read once neither evicts the disk cache's working set nor costs a
 * disk write per chunk (the disk is shared with local nodes).
 *
 * @module
 */
import type { ChunkStore } from "../chunk/mod.ts";
import { ChunkReadError } from "../chunk/mod.ts";
import { EIO, FsError } from "../errno.ts";
import type { Logger } from "../../lib/log.ts";
import { ChunkCache } from "./chunk_cache.ts";
import { decodeChunkRef } from "./chunk_store_backend.ts";
import type { LocalChunkCache } from "./local_chunk_cache.ts";
import type { ChunkLocationTable } from "./meta_locations.ts";

/** Room for a sequential reader's chunk, the four fetched ahead of it, and one more. */
const RECENTLY_FETCHED_BYTES_MAX = 24 * 1024 ** 2;

export interface ChunkFetcherOptions {
  remote: ChunkStore;
  locations: ChunkLocationTable;
  cache: LocalChunkCache;
  /** Chunks fetched ahead at once. */
  prefetchesInFlightMax: number;
  logger?: Logger;
}

export class ChunkFetcher {
  readonly #options: ChunkFetcherOptions;
  readonly #fetches = new Map<string, Promise<Uint8Array>>();
  readonly #recent = new ChunkCache(RECENTLY_FETCHED_BYTES_MAX);
  #prefetching = 0;

  constructor(options: ChunkFetcherOptions) {
    this.#options = options;
  }

  /** A chunk fetched lately, whole, if it is still kept. */
  recent(ref: string): Uint8Array | undefined {
    return this.#recent.get(ref);
  }

  forget(ref: string): void {
    this.#recent.delete(ref);
  }

  /** Fetches a chunk from the nodes; `keep`: also into the disk cache. */
  fetch(ref: string, keep = true): Promise<Uint8Array> {
    let fetching = this.#fetches.get(ref);
    if (fetching === undefined) {
      fetching = this.#fetchFromNodes(ref, keep).finally(() => this.#fetches.delete(ref));
      this.#fetches.set(ref, fetching);
    }
    return fetching;
  }

  /** Starts fetching chunks a sequential reader will want next; never waits, never throws. */
  prefetch(refs: readonly string[]): void {
    const { cache, locations, prefetchesInFlightMax } = this.#options;
    for (const ref of refs) {
      if (this.#prefetching >= prefetchesInFlightMax) return;
      if (cache.has(ref) || this.#fetches.has(ref) || this.#recent.get(ref) !== undefined) {
        continue;
      }
      if (locations.get(ref) === undefined) continue;
      this.#prefetching++;
      this.fetch(ref, false).catch(() => {}).finally(() => this.#prefetching--);
    }
  }

  async #fetchFromNodes(ref: string, keep: boolean): Promise<Uint8Array> {
    const text = this.#options.locations.get(ref);
    if (text === undefined) {
      throw new FsError(
        EIO,
        `Cannot read chunk ${ref}: it is neither in the local cache nor on the storage nodes`,
      );
    }
    const { location } = decodeChunkRef(text);
    let bytes: Uint8Array;
    try {
      bytes = await this.#options.remote.get(location);
    } catch (error) {
      if (!(error instanceof ChunkReadError)) throw error;
      // EIO to the application, the reason in the log: never wrong bytes.
      this.#options.logger?.error("chunk read failed", { chunk: ref, reason: error.message });
      throw new FsError(EIO, error.message);
    }
    this.#recent.set(ref, bytes);
    if (keep) await this.#options.cache.addClean(ref, bytes);
    return bytes;
  }
}
