/**
 * {@link OpenChunkFiles}: chunk files kept open for small reads. A random 4 KiB read of a
 * chunk on the local disk used to open, seek, read and close its file: four calls, each a
 * hop to a worker thread here (10-50 us apiece), for a read that takes a few microseconds.
 * Now a file stays open and a read is one pread(2) on the JS thread ({@link PositionalFile}).
 * Chunk files never change once written, so an open file stays right until the chunk is
 * deleted ({@link OpenChunkFiles.forget}).
 *
 * @module
 */
import { PositionalFile } from "../positional_file.ts";

/**
 * Files kept open (least recently used closed first): the chunks of a 1 GiB file, so random
 * reads over it do not reopen files (an open is a few microseconds, but a system call more).
 */
const OPEN_FILES_MAX = 256;

export class OpenChunkFiles {
  readonly #files = new Map<string, PositionalFile>();

  /**
   * Up to `lengthBytes` bytes of the file at `path` from `offset` (fewer at its end). The read
   * is synchronous: callers keep it for small reads (a miss in the page cache waits for the disk).
   */
  read(path: string, offset: number, lengthBytes: number): Uint8Array {
    const out = new Uint8Array(lengthBytes);
    return out.subarray(0, this.#open(path).readSoonAt(offset, out));
  }

  closeAll(): void {
    for (const file of this.#files.values()) file.close();
    this.#files.clear();
  }

  /** Closes the file of a chunk about to be deleted (or gone). */
  forget(path: string): void {
    const file = this.#files.get(path);
    if (file === undefined) return;
    this.#files.delete(path);
    file.close();
  }

  #open(path: string): PositionalFile {
    const cached = this.#files.get(path);
    if (cached !== undefined) {
      this.#files.delete(path);
      this.#files.set(path, cached);
      return cached;
    }
    const file = new PositionalFile(path);
    this.#files.set(path, file);
    for (const [oldest, old] of this.#files) {
      if (this.#files.size <= OPEN_FILES_MAX) break;
      this.#files.delete(oldest);
      old.close();
    }
    return file;
  }
}
