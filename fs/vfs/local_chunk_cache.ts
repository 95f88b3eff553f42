/**
 * {@link LocalChunkCache}: the bounded on-disk cache in front of the storage
 * nodes. It holds two kinds of chunk files in one directory (the layout of
 * {@link DiskChunkBackend}): dirty ones, written by the vfs and not yet
 * uploaded, which it never drops; and clean ones, fetched or already uploaded,
 * which it evicts least-recently-used when room is needed. A writer that would
 * push the dirty bytes past the capacity waits until uploads make room: a full
 * cache slows writers down, it never fails them or drops their data.
 *
 * @module
 */

import { DiskChunkBackend } from "./disk_chunk_backend.ts";

interface CacheEntry {
  sizeBytes: number;
  dirty: boolean;
  /** Its file is being written: counted for room, not readable yet. */
  writing?: boolean;
}

/** A chunk file found in the directory when the cache was opened. */
export interface CachedChunkFile {
  ref: string;
  sizeBytes: number;
}

export class LocalChunkCache {
  readonly capacityBytes: number;
  readonly #disk: DiskChunkBackend;
  /** Map order is recency: the first entry is the least recently used. */
  readonly #entries = new Map<string, CacheEntry>();
  #cleanBytes = 0;
  #dirtyBytes = 0;
  #roomWaiters: (() => void)[] = [];

  /** Opens the directory; the caller decides what each file found is ({@link adopt}). */
  static async open(
    directory: string,
    capacityBytes: number,
  ): Promise<{ cache: LocalChunkCache; files: CachedChunkFile[] }> {
    // The disk backend's own bound is off: this class keeps the bound, counting dirty and
    // clean bytes apart.
    const disk = await DiskChunkBackend.open(directory, { capacityBytes: Number.MAX_SAFE_INTEGER });
    await disk.prepareDirectories();
    return { cache: new LocalChunkCache(disk, capacityBytes), files: await disk.list() };
  }

  private constructor(disk: DiskChunkBackend, capacityBytes: number) {
    this.#disk = disk;
    this.capacityBytes = capacityBytes;
  }

  get directory(): string {
    return this.#disk.directory;
  }

  get dirtyBytes(): number {
    return this.#dirtyBytes;
  }

  get cleanBytes(): number {
    return this.#cleanBytes;
  }

  /** True when the chunk is cached or being written to the cache. */
  has(ref: string): boolean {
    return this.#entries.has(ref);
  }

  /** Takes a file found at open into the index. */
  adopt(file: CachedChunkFile, dirty: boolean): void {
    this.#insert(file.ref, { sizeBytes: file.sizeBytes, dirty });
  }

  /** A chunk's bytes, or undefined when it is not cached (or its file went missing). */
  async read(ref: string): Promise<Uint8Array | undefined> {
    if (!this.#touch(ref)) return undefined;
    try {
      return await this.#disk.get(ref);
    } catch {
      this.#forget(ref);
      return undefined;
    }
  }

  /** Part of a cached chunk, or undefined when it is not cached. */
  async readRange(ref: string, offset: number, lengthBytes: number) {
    if (!this.#touch(ref)) return undefined;
    try {
      return await this.#disk.getRange(ref, offset, lengthBytes);
    } catch {
      this.#forget(ref);
      return undefined;
    }
  }

  /** Stores a chunk that is not on the nodes yet; waits while dirty chunks fill the cache. */
  async addDirty(ref: string, bytes: Uint8Array): Promise<void> {
    // One chunk may always go in when nothing is dirty, or a chunk larger than the whole
    // cache could never be written.
    while (this.#dirtyBytes > 0 && this.#dirtyBytes + bytes.length > this.capacityBytes) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    const entry: CacheEntry = { sizeBytes: bytes.length, dirty: true, writing: true };
    this.#insert(ref, entry);
    const evicted = this.#evictFor(0);
    try {
      await this.#disk.put(bytes, ref);
      entry.writing = false;
    } catch (error) {
      this.#forget(ref);
      throw error;
    } finally {
      await this.#deleteFiles(evicted);
    }
  }

  /** Keeps a copy of a chunk that is on the nodes, if there is room without dropping dirty data. */
  async addClean(ref: string, bytes: Uint8Array): Promise<void> {
    if (this.#entries.has(ref)) return;
    if (this.#dirtyBytes + bytes.length > this.capacityBytes) return;
    const evicted = this.#evictFor(bytes.length);
    const entry: CacheEntry = { sizeBytes: bytes.length, dirty: false, writing: true };
    this.#insert(ref, entry);
    try {
      await this.#disk.put(bytes, ref);
      entry.writing = false;
    } catch {
      this.#forget(ref); // Only a copy: the nodes still have it.
    } finally {
      await this.#deleteFiles(evicted);
    }
  }

  /** An uploaded chunk becomes an ordinary clean entry. */
  markClean(ref: string): void {
    const entry = this.#entries.get(ref);
    if (entry === undefined || !entry.dirty) return;
    this.#dirtyBytes -= entry.sizeBytes;
    entry.dirty = false;
    this.#cleanBytes += entry.sizeBytes;
    this.#wakeWriters();
  }

  /** Drops a chunk and its file. */
  async remove(ref: string): Promise<void> {
    this.#forget(ref);
    await this.#disk.delete(ref).catch(() => {});
  }

  #touch(ref: string): boolean {
    const entry = this.#entries.get(ref);
    if (entry === undefined || entry.writing === true) return false;
    this.#entries.delete(ref);
    this.#entries.set(ref, entry);
    return true;
  }

  #insert(ref: string, entry: CacheEntry): void {
    this.#forget(ref);
    this.#entries.set(ref, entry);
    if (entry.dirty) this.#dirtyBytes += entry.sizeBytes;
    else this.#cleanBytes += entry.sizeBytes;
  }

  #forget(ref: string): void {
    const entry = this.#entries.get(ref);
    if (entry === undefined) return;
    this.#entries.delete(ref);
    if (entry.dirty) this.#dirtyBytes -= entry.sizeBytes;
    else this.#cleanBytes -= entry.sizeBytes;
    this.#wakeWriters();
  }

  /** Unindexes least-recently-used clean chunks until `incomingBytes` more fit; returns them. */
  #evictFor(incomingBytes: number): string[] {
    const evicted: string[] = [];
    for (const [ref, entry] of this.#entries) {
      if (this.#cleanBytes + this.#dirtyBytes + incomingBytes <= this.capacityBytes) break;
      if (entry.dirty || entry.writing === true) continue;
      this.#entries.delete(ref);
      this.#cleanBytes -= entry.sizeBytes;
      evicted.push(ref);
    }
    return evicted;
  }

  async #deleteFiles(refs: string[]): Promise<void> {
    for (const ref of refs) await this.#disk.delete(ref).catch(() => {});
  }

  #wakeWriters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
