/**
 * {@link WriteBackBackend}: file data on storage nodes, behind a bounded local
 * write-back cache. A put lands in the cache (a file) and returns; uploads run
 * in the background, a few at a time, through the chunk store (compressed,
 * encrypted, erasure-coded over k + m nodes). When an upload is acknowledged
 * under the write policy, the chunk's location goes into `chunk_locations`
 * (schema v2), which metadata replication ships to the nodes with the rest.
 *
 * The chunk map's ref is the bare chunk id, also the chunk store's id, so a
 * ref never changes when shards move (repair, evacuation): only its location
 * row does.
 *
 * - `sync` returns once every chunk put before it is on the nodes; an upload
 *   that fails makes it fail (EIO) and is retried in the background.
 * - A read miss fetches from the nodes and keeps a clean copy in the cache.
 * - Deletes of uploaded chunks can be held until the metadata change that
 *   unmapped them is durable on the nodes ({@link sealDeferredDeletes},
 *   {@link releaseDeferredDeletes}).
 * - After a crash, {@link WriteBackBackend.open} finds the chunks the map
 *   names that have no location and uploads them from the cache.
 *
 * @module
 */
import type { ChunkStore } from "../chunk/mod.ts";
import { EIO, FsError } from "../errno.ts";
import type { Logger } from "../../lib/log.ts";
import type { ChunkBackend, ChunkBackendUsage } from "./chunk_backend.ts";
import { decodeChunkRef, encodeChunkRef } from "./chunk_store_backend.ts";
import type { LocalChunkCache } from "./local_chunk_cache.ts";
import type { MetaStore } from "./meta_store.ts";
import { UploadQueue } from "./upload_queue.ts";
import { ChunkFetcher } from "./chunk_fetcher.ts";
import { StagingArea } from "./staging_area.ts";
import { type ChunkToDelete, deleteChunk, HeldDeletes } from "./held_deletes.ts";
import { repairQueuedChunks } from "./write_back_repair.ts";

export interface WriteBackBackendOptions {
  cache: LocalChunkCache;
  remote: ChunkStore;
  store: MetaStore;
  /** What statfs reports as capacity (usable bytes of the pool). */
  capacityBytes: number;
  /**
   * Chunks uploading at once. @default 8: a put waits mostly for the nodes' disk flushes, so
   * more in flight hide them (4 MiB chunks to 6 local nodes: 3 gave ~110 MiB/s, 8 ~160-210).
   */
  uploadsInFlightMax?: number;
  /** Wait before retrying a failed upload, ms. @default 1000 */
  retryDelayMs?: number;
  /** Hold remote deletes until released (see the module doc). @default false */
  deferDeletes?: boolean;
  /**
   * Bytes of chunks held in memory until uploaded (staging_area.ts); past it, writers wait
   * while uploads succeed, and chunks go to the disk cache while they fail. @default 32 MiB (eight chunks: the uploads in flight)
   */
  stagedBytesMax?: number;
  /** Chunks fetched ahead of a sequential reader at once. @default 2 */
  prefetchesInFlightMax?: number;
  logger?: Logger;
}

/** What {@link WriteBackBackend.open} found in the cache after the last run. */
export interface CacheRecovery {
  /** Chunks the map names that were not uploaded, found in the cache: uploading now. */
  resumed: number;
  /** Chunks the map names that are neither uploaded nor cached: their data is gone. */
  lost: string[];
  /** Cache files no chunk map row names (a crash between put and commit): removed. */
  strays: number;
  /**
   * Copies of uploaded chunks whose size is not the chunk's (cut short by a power loss: clean
   * copies are not fsynced): removed, so a read fetches the chunk from the nodes again.
   */
  torn: number;
}

export class WriteBackBackend implements ChunkBackend {
  readonly #options: WriteBackBackendOptions;
  readonly #uploads: UploadQueue;
  readonly #held: HeldDeletes;
  readonly #staged: StagingArea;
  /** The last upload failed: writers spill to the disk cache instead of waiting. */
  #uploadsFailing = false;
  #spilling: Promise<void> = Promise.resolve();
  readonly #fetcher: ChunkFetcher;

  /** Opens over a cache, finishing what the last run left (see {@link CacheRecovery}). */
  static async open(
    options: WriteBackBackendOptions,
    files: { ref: string; sizeBytes: number }[],
  ): Promise<{ backend: WriteBackBackend; recovery: CacheRecovery }> {
    const backend = new WriteBackBackend(options);
    const unuploaded = new Map(options.store.locations.unuploaded().map((c) => [c.ref, c]));
    const recovery: CacheRecovery = { resumed: 0, lost: [], strays: 0, torn: 0 };
    for (const file of files) {
      if (unuploaded.has(file.ref)) {
        options.cache.adopt(file, true);
        backend.#uploads.add(file.ref);
        unuploaded.delete(file.ref);
        recovery.resumed++;
        continue;
      }
      const uploaded = options.store.locations.get(file.ref);
      if (uploaded !== undefined && decodeChunkRef(uploaded).plainBytes === file.sizeBytes) {
        options.cache.adopt(file, false);
        continue;
      }
      await options.cache.remove(file.ref);
      if (uploaded === undefined) recovery.strays++;
      else recovery.torn++;
    }
    recovery.lost = [...unuploaded.keys()];
    for (const ref of recovery.lost) {
      options.logger?.error("chunk lost: never uploaded and not in the cache", { chunk: ref });
    }
    return { backend, recovery };
  }

  private constructor(options: WriteBackBackendOptions) {
    this.#options = options;
    this.#held = new HeldDeletes(options.remote, options.logger);
    this.#fetcher = new ChunkFetcher({
      remote: options.remote,
      locations: options.store.locations,
      cache: options.cache,
      prefetchesInFlightMax: options.prefetchesInFlightMax ?? 4,
      logger: options.logger,
    });
    this.#staged = new StagingArea(options.stagedBytesMax ?? 32 * 1024 ** 2);
    this.#uploads = new UploadQueue({
      inFlightMax: options.uploadsInFlightMax ?? 8,
      retryDelayMs: options.retryDelayMs ?? 1000,
      upload: (ref) => this.#upload(ref),
      onFailure: () => {
        this.#uploadsFailing = true;
        this.#staged.wake();
      },
      logger: options.logger,
    });
  }

  async put(data: Uint8Array, chunkRef: string): Promise<string> {
    if (await this.#staged.waitForRoom(data.length, () => this.#uploadsFailing)) {
      this.#staged.add(chunkRef, data);
    } else {
      await this.#options.cache.addDirty(chunkRef, data);
    }
    this.#uploads.add(chunkRef);
    return chunkRef;
  }

  async get(chunkRef: string): Promise<Uint8Array> {
    return this.#staged.get(chunkRef) ?? this.#fetcher.recent(chunkRef) ??
      await this.#options.cache.read(chunkRef) ?? await this.#fetcher.fetch(chunkRef);
  }

  async getRange(chunkRef: string, offset: number, lengthBytes: number): Promise<Uint8Array> {
    const recent = this.#staged.get(chunkRef) ?? this.#fetcher.recent(chunkRef);
    if (recent !== undefined) {
      return recent.subarray(offset, Math.min(recent.length, offset + lengthBytes));
    }
    const cached = await this.#options.cache.readRange(chunkRef, offset, lengthBytes);
    if (cached !== undefined) return cached;
    // Shards decode only whole: fetch the chunk (and keep it for the reads around this one).
    const bytes = await this.#fetcher.fetch(chunkRef);
    return bytes.subarray(offset, Math.min(bytes.length, offset + lengthBytes));
  }

  /** Starts fetching chunks a sequential reader will want next; never waits, never throws. */
  prefetch(chunkRefs: readonly string[]): void {
    this.#fetcher.prefetch(chunkRefs);
  }

  async delete(chunkRef: string): Promise<void> {
    if (this.#uploads.has(chunkRef)) {
      // Not on the nodes yet: an upload under way deletes its shards when it ends.
      this.#uploads.cancel(chunkRef);
      this.#staged.remove(chunkRef);
      await this.#options.cache.remove(chunkRef);
      return;
    }
    await this.#options.cache.remove(chunkRef);
    this.#fetcher.forget(chunkRef);
    const { store } = this.#options;
    const text = store.locations.get(chunkRef);
    if (text === undefined) {
      // A put the map never took (a crash between put and commit): shards, if any, by id.
      await this.#deleteRemote({ chunkId: chunkRef });
      return;
    }
    store.transaction(() => store.locations.delete(chunkRef));
    await this.#deleteRemote({ location: decodeChunkRef(text).location });
  }

  /**
   * Returns once every chunk put so far survives a crash of this process: those still held
   * in memory for upload are written to the disk cache too (dirty, so the next open uploads
   * them if this process does not).
   */
  persist(): Promise<void> {
    return this.#spillStaged(false);
  }

  /** One spill at a time: two would write the same chunk file at once. */
  #spillStaged(overfill: boolean): Promise<void> {
    const spill = this.#spilling.then(() => this.#spillStagedNow(overfill));
    this.#spilling = spill.catch(() => {});
    return spill;
  }

  async #spillStagedNow(overfill: boolean): Promise<void> {
    for (const [ref, bytes] of this.#staged.entries()) {
      if (!this.#uploads.has(ref) || this.#uploads.isCancelled(ref)) continue;
      if (this.#options.cache.has(ref)) continue;
      await this.#options.cache.addDirty(ref, bytes, overfill);
      // Uploaded while it was written: an ordinary clean copy then.
      if (!this.#uploads.has(ref)) this.#options.cache.markClean(ref);
    }
  }

  /** Returns once every chunk put so far is on the nodes; EIO when an upload failed. */
  async sync(): Promise<void> {
    try {
      await this.#uploads.drain();
    } catch (error) {
      throw new FsError(EIO, `Cannot sync file data to the storage nodes: ${message(error)}`);
    }
  }

  usage(): ChunkBackendUsage {
    const usedBytes = this.#options.store.locations.dataBytes();
    return { usedBytes, capacityBytes: this.#options.capacityBytes };
  }

  /** Chunks waiting for or in upload. */
  get uploadsPending(): number {
    return this.#uploads.size;
  }

  /**
   * Marks the held deletes as covered by the metadata changes taken now (call it in the
   * same tick as the replicator takes its changes): only those go at the next release.
   */
  sealDeferredDeletes(): void {
    this.#held.seal();
  }

  /** Deletes the sealed chunks; call once the changes taken at the seal are durable. */
  releaseDeferredDeletes(): Promise<void> {
    return this.#held.release();
  }

  /** Rebuilds shards that a put could not place, and records their new locations. */
  repairPending(): Promise<number> {
    return repairQueuedChunks(this.#options.remote, this.#options.store, this.#options.logger);
  }

  /** Stops uploading; what is left is written to the disk cache, dirty, for the next run. */
  async close(): Promise<void> {
    await this.#uploads.close();
    // Past the cache's bound if need be: nothing uploads any more to make room.
    await this.#spillStaged(true);
  }

  async #upload(ref: string): Promise<"done" | "cancelled"> {
    const { cache, remote, store } = this.#options;
    const bytes = this.#staged.get(ref) ?? await cache.read(ref);
    if (bytes === undefined) throw new Error(`chunk ${ref} is missing from the local cache`);
    const location = await remote.put(bytes, { chunkId: ref });
    this.#uploadsFailing = false;
    this.#staged.remove(ref);
    if (this.#uploads.isCancelled(ref)) {
      await remote.delete(location).catch(() => {});
      return "cancelled";
    }
    store.transaction(() => store.locations.set(ref, encodeChunkRef(location, bytes.length)));
    cache.markClean(ref);
    return "done";
  }

  async #deleteRemote(chunk: ChunkToDelete): Promise<void> {
    if (this.#options.deferDeletes) this.#held.hold(chunk);
    else await deleteChunk(this.#options.remote, chunk);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
