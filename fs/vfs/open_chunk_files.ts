/**
 * {@link OpenChunkFiles}: chunk files kept open for small reads. A random 4 KiB read of a
 * chunk on the local disk used to open, seek, read and close its file: four calls, each a
 * hop to a worker thread here (10-50 us apiece), for a read that takes a few microseconds.
 * Chunk files never change once written, so an open handle stays right until the chunk is
 * deleted ({@link OpenChunkFiles.forget}). Reads of one file take turns: they share its offset.
 *
 * @module
 */

/** Files kept open (least recently used closed first). */
const OPEN_FILES_MAX = 64;

interface OpenFile {
  file: Deno.FsFile;
  /** The last read of this file: the next one waits for it (they share the offset). */
  turn: Promise<unknown>;
}

export class OpenChunkFiles {
  readonly #files = new Map<string, OpenFile>();

  /** Up to `lengthBytes` bytes of the file at `path` from `offset` (fewer at its end). */
  read(path: string, offset: number, lengthBytes: number): Promise<Uint8Array> {
    const open = this.#open(path);
    const reading = open.then(async (entry) => {
      const previous = entry.turn;
      const mine = previous.catch(() => {}).then(() => readAt(entry.file, offset, lengthBytes));
      entry.turn = mine;
      return await mine;
    });
    return reading;
  }

  /** Closes every file (once its reads are done). */
  closeAll(): void {
    for (const entry of this.#files.values()) closeAfter(entry);
    this.#files.clear();
  }

  /** Closes the file of a chunk about to be deleted (or gone). */
  forget(path: string): void {
    const entry = this.#files.get(path);
    if (entry === undefined) return;
    this.#files.delete(path);
    closeAfter(entry);
  }

  async #open(path: string): Promise<OpenFile> {
    const cached = this.#files.get(path);
    if (cached !== undefined) {
      this.#files.delete(path);
      this.#files.set(path, cached);
      return cached;
    }
    const file = await Deno.open(path, { read: true });
    const raced = this.#files.get(path);
    if (raced !== undefined) {
      file.close(); // Another read opened it meanwhile.
      return raced;
    }
    const entry: OpenFile = { file, turn: Promise.resolve() };
    this.#files.set(path, entry);
    for (const [oldest, old] of this.#files) {
      if (this.#files.size <= OPEN_FILES_MAX) break;
      this.#files.delete(oldest);
      closeAfter(old);
    }
    return entry;
  }
}

async function readAt(file: Deno.FsFile, offset: number, lengthBytes: number) {
  await file.seek(offset, Deno.SeekMode.Start);
  const out = new Uint8Array(lengthBytes);
  let filled = 0;
  while (filled < lengthBytes) {
    const read = await file.read(out.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return out.subarray(0, filled);
}

/** Closes once the reads under way are done. */
function closeAfter(entry: OpenFile): void {
  entry.turn.catch(() => {}).finally(() => {
    try {
      entry.file.close();
    } catch {
      // Already closed.
    }
  });
}
