/**
 * {@link FileState}: what the vfs holds in memory for a regular file that is
 * open: the handle count, the size as writes left it, the dirty bytes not yet
 * flushed, and a lock that orders flushes and truncations.
 *
 * @module
 */

import { DirtyFile } from "./dirty_buffer.ts";
import type { ChunkRow } from "./meta_data.ts";
import type { Ino, Timespec } from "./types.ts";

/** Runs async sections one at a time, in call order. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(section);
    this.#tail = result.catch(() => {});
    return result;
  }
}

export class FileState {
  readonly ino: Ino;
  /** Handles open on the file. */
  openCount = 0;
  /** The size including unflushed writes; the inode row catches up on flush. */
  sizeBytes: number;
  /** Writes not yet being flushed. */
  dirty: DirtyFile;
  /** Writes a flush is storing now; readers see them until the chunk map has them. */
  flushing: DirtyFile | undefined;
  /** mtime and ctime of unflushed writes. */
  pendingMtime: Timespec | undefined;
  pendingCtime: Timespec | undefined;
  /** Where the last read ended: a read starting near it is sequential (and loads ahead). */
  lastReadEndBytes = 0;
  /** Bumped whenever the chunk map of the file changes, so a read in flight starts over. */
  mapVersion = 0;
  /** Chunk rows read while the map was at {@link rowsVersion} (`_file_read.ts` chunkRow). */
  readonly rows = new Map<number, ChunkRow | undefined>();
  /** The map version and the store's rollback count the cached rows belong to. */
  rowsVersion = { map: 0, rollbacks: 0 };
  readonly lock = new Mutex();

  constructor(ino: Ino, sizeBytes: number, chunkSizeBytes: number) {
    this.ino = ino;
    this.sizeBytes = sizeBytes;
    this.dirty = new DirtyFile(chunkSizeBytes);
  }

  /** Whether anything awaits a flush. */
  hasUnflushed(): boolean {
    return !this.dirty.isEmpty() || this.pendingMtime !== undefined;
  }
}
