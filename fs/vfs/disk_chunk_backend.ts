/**
 * {@link DiskChunkBackend}: chunks as files in one directory, bounded in size.
 *
 * Layout: `<dir>/<first two hex digits of the ref>/<ref>`, so no directory
 * holds more than 1/256 of the chunks. A chunk file is written once and never
 * changed (refs are not reused), so a crash mid-write leaves at worst a
 * partial file under a ref the chunk map never pointed at; the vfs deletes it
 * from its garbage list at the next start.
 *
 * @module
 */

import { join } from "node:path";
import { EIO, ENOENT, ENOSPC, FsError } from "../errno.ts";
import { type ChunkBackend, type ChunkBackendUsage, newChunkRef } from "./chunk_backend.ts";
import { OpenChunkFiles } from "./open_chunk_files.ts";

/** Default bound on the bytes kept: 16 GiB. */
export const DISK_CAPACITY_BYTES_DEFAULT = 16 * 1024 ** 3;
const REF_PATTERN = /^[0-9a-f]{32}$/;
const PARTIAL_SUFFIX = ".partial";
/** fsyncs of chunk files at once in sync(). */
const SYNCS_IN_FLIGHT_MAX = 16;
/**
 * Chunks up to this size are written and deleted with synchronous calls on the JS thread. An
 * async file call is a hop to a worker thread (10-50 us here, far more on a loaded machine)
 * while writing a small file takes a few microseconds: `tar -x` of 5,000 files of 1-8 KiB
 * spent most of its time waiting for those hops. Larger chunks stay async, so a flush of 4 MiB
 * chunks does not hold the thread that reads the next requests.
 */
const SYNC_PUT_BYTES_MAX = 64 * 1024;

export interface DiskChunkBackendOptions {
  /** The most bytes of chunks kept; a put past it fails with ENOSPC. @default 16 GiB */
  capacityBytes?: number;
}

export class DiskChunkBackend implements ChunkBackend {
  readonly directory: string;
  readonly capacityBytes: number;
  #usedBytes: number;
  /** Files (and their directories) written since the last sync. */
  readonly #unsynced = new Set<string>();
  readonly #madeDirectories = new Set<string>();
  readonly #openFiles = new OpenChunkFiles();

  /** Opens the directory (creating it) and counts the bytes it holds. */
  static async open(
    directory: string,
    options: DiskChunkBackendOptions = {},
  ): Promise<DiskChunkBackend> {
    await Deno.mkdir(directory, { recursive: true });
    const usedBytes = await countBytes(directory);
    return new DiskChunkBackend(directory, options, usedBytes);
  }

  private constructor(directory: string, options: DiskChunkBackendOptions, usedBytes: number) {
    this.directory = directory;
    this.capacityBytes = options.capacityBytes ?? DISK_CAPACITY_BYTES_DEFAULT;
    this.#usedBytes = usedBytes;
  }

  async put(data: Uint8Array, chunkRef: string = newChunkRef()): Promise<string> {
    const path = this.#pathOf(chunkRef, "store");
    if (this.#usedBytes + data.length > this.capacityBytes) {
      throw new FsError(
        ENOSPC,
        `Cannot store chunk ${chunkRef}: the chunk directory holds ${this.#usedBytes} of ` +
          `${this.capacityBytes} bytes`,
      );
    }
    this.#usedBytes += data.length;
    // Written in place, not aside and renamed: nothing reads a ref before its put returns (the
    // vfs maps it only then), and the vfs lists a ref as garbage before the put, so a chunk a
    // crash cut short is deleted at the next start (_file_flush.ts). The rename was a journaled
    // directory change per chunk: 4 KiB puts took ~31-405 us in place, ~104-749 us with it.
    try {
      await this.#ensureDirectory(chunkRef);
      if (data.length <= SYNC_PUT_BYTES_MAX) Deno.writeFileSync(path, data, { createNew: true });
      else await Deno.writeFile(path, data, { createNew: true });
    } catch (error) {
      this.#usedBytes -= data.length;
      if (!(error instanceof Deno.errors.AlreadyExists)) await Deno.remove(path).catch(() => {});
      throw ioError(`Cannot store chunk ${chunkRef}`, error);
    }
    this.#unsynced.add(path);
    return chunkRef;
  }

  async get(chunkRef: string): Promise<Uint8Array> {
    try {
      return await Deno.readFile(this.#pathOf(chunkRef, "read"));
    } catch (error) {
      throw ioError(`Cannot read chunk ${chunkRef}`, error);
    }
  }

  /** Synchronous underneath (one pread; see OpenChunkFiles), a promise for the interface. */
  getRange(chunkRef: string, offset: number, lengthBytes: number): Promise<Uint8Array> {
    const path = this.#pathOf(chunkRef, "read");
    try {
      return Promise.resolve(this.#openFiles.read(path, offset, lengthBytes));
    } catch (error) {
      this.#openFiles.forget(path);
      return Promise.reject(ioError(`Cannot read chunk ${chunkRef}`, error));
    }
  }

  async delete(chunkRef: string): Promise<void> {
    const path = this.#pathOf(chunkRef, "delete");
    this.#openFiles.forget(path);
    try {
      // A stat takes microseconds: synchronous. So does unlinking a small file; a large one
      // (extents to free) is unlinked on a worker thread, off the thread that serves requests.
      const { size } = Deno.statSync(path);
      if (size <= SYNC_PUT_BYTES_MAX) Deno.removeSync(path);
      else await Deno.remove(path);
      this.#usedBytes -= size;
      this.#unsynced.delete(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw ioError(`Cannot delete chunk ${chunkRef}`, error);
      }
    }
  }

  async sync(): Promise<void> {
    const paths = [...this.#unsynced];
    this.#unsynced.clear();
    const directories = new Set<string>();
    try {
      for (const path of paths) directories.add(path.slice(0, path.lastIndexOf("/")));
      // Several at once: one at a time, 256 files of a 1 GiB write took 1-3 s of an fsync.
      await inParallel(paths, SYNCS_IN_FLIGHT_MAX, syncPath);
      await inParallel([...directories], SYNCS_IN_FLIGHT_MAX, syncPath);
    } catch (error) {
      for (const path of paths) this.#unsynced.add(path);
      throw ioError("Cannot sync the chunk directory", error);
    }
  }

  usage(): ChunkBackendUsage {
    return { usedBytes: this.#usedBytes, capacityBytes: this.capacityBytes };
  }

  /** Closes the chunk files kept open for reads (the backend still works: it reopens them). */
  closeFiles(): void {
    this.#openFiles.closeAll();
  }

  /**
   * Creates the 256 subdirectories now, so no put waits for a mkdir (under a busy disk one
   * costs milliseconds, and a put of fresh data lands in a new one most of the time).
   */
  async prepareDirectories(): Promise<void> {
    for (let prefix = 0; prefix < 256; prefix++) {
      const name = prefix.toString(16).padStart(2, "0");
      if (this.#madeDirectories.has(name)) continue;
      await Deno.mkdir(join(this.directory, name), { recursive: true });
      this.#madeDirectories.add(name);
    }
  }

  /** Every chunk file in the directory, with its size (for a cache rebuilding its index). Removes
   * what puts cut short by a crash left. */
  list(): Promise<{ ref: string; sizeBytes: number }[]> {
    return listChunkFiles(this.directory);
  }

  #pathOf(chunkRef: string, action: string): string {
    if (!REF_PATTERN.test(chunkRef)) {
      throw new FsError(EIO, `Cannot ${action} chunk ${chunkRef}: not a disk chunk ref`);
    }
    return join(this.directory, chunkRef.slice(0, 2), chunkRef);
  }

  async #ensureDirectory(chunkRef: string): Promise<void> {
    const prefix = chunkRef.slice(0, 2);
    if (this.#madeDirectories.has(prefix)) return;
    await Deno.mkdir(join(this.directory, prefix), { recursive: true });
    this.#madeDirectories.add(prefix);
    // The new directory's name must reach the disk too before its files count as synced.
    this.#unsynced.add(join(this.directory, prefix, "."));
  }
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function syncPath(path: string): Promise<void> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.sync();
  } finally {
    file.close();
  }
}

async function countBytes(directory: string): Promise<number> {
  let total = 0;
  for (const { sizeBytes } of await listChunkFiles(directory)) total += sizeBytes;
  return total;
}

async function listChunkFiles(directory: string): Promise<{ ref: string; sizeBytes: number }[]> {
  const files: { ref: string; sizeBytes: number }[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (!entry.isDirectory) continue;
    for await (const file of Deno.readDir(join(directory, entry.name))) {
      if (!file.isFile) continue;
      const path = join(directory, entry.name, file.name);
      if (file.name.endsWith(PARTIAL_SUFFIX)) {
        // A put that a crash cut short, from before puts wrote in place.
        await Deno.remove(path).catch(() => {});
        continue;
      }
      const { size } = await Deno.stat(path);
      files.push({ ref: file.name, sizeBytes: size });
    }
  }
  return files;
}

function ioError(action: string, error: unknown): FsError {
  if (error instanceof FsError) return error;
  if (error instanceof Deno.errors.NotFound) return new FsError(ENOENT, `${action}: not found`);
  const reason = error instanceof Error ? error.message : String(error);
  return new FsError(EIO, `${action}: ${reason}`);
}
