/**
 * Reading a file at an offset with one system call, synchronously: for the
 * storage node's GETs and the vfs's small reads of local chunk files. Deno's
 * own API needs a seek and a read per value, and its async reads hop to a
 * worker thread and back (10-50 us) for a read the page cache answers in a few
 * microseconds; pread(2) through FFI costs about 0.8 us per 4 KiB. Without FFI
 * (no --allow-ffi, or no libc.so.6) it falls back to seek + read on a Deno file.
 * A read the page cache cannot answer blocks the JS thread for the disk's time.
 */

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

interface Libc {
  open: (path: Uint8Array, flags: number) => number;
  pread: (fd: number, buffer: Uint8Array, count: bigint, offset: bigint) => bigint;
  close: (fd: number) => number;
}

let libc: Libc | undefined | null = null;

function loadLibc(): Libc | undefined {
  if (libc !== null) return libc;
  try {
    const library = Deno.dlopen("libc.so.6", {
      open: { parameters: ["buffer", "i32"], result: "i32" },
      pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
      close: { parameters: ["i32"], result: "i32" },
    });
    libc = library.symbols as unknown as Libc;
  } catch {
    libc = undefined;
  }
  return libc;
}

/** A read-only file that can be read at any offset. */
export class PositionalFile {
  readonly #fd: number;
  readonly #file: Deno.FsFile | undefined;
  readonly #libc: Libc | undefined;

  constructor(path: string) {
    this.#libc = loadLibc();
    if (this.#libc !== undefined) {
      this.#fd = this.#libc.open(new TextEncoder().encode(path + "\0"), O_RDONLY | O_CLOEXEC);
      if (this.#fd >= 0) return;
      this.#libc = undefined;
    }
    this.#fd = -1;
    this.#file = Deno.openSync(path, { read: true });
  }

  /** Fills `into` from `offset`; returns the bytes read (fewer at the end of the file). */
  readAt(offset: number, into: Uint8Array): number {
    if (this.#file !== undefined) return readFully(this.#file, offset, into);
    let filled = 0;
    while (filled < into.length) {
      const rest = into.subarray(filled);
      const count = Number(
        this.#libc!.pread(this.#fd, rest, BigInt(rest.length), BigInt(offset + filled)),
      );
      if (count < 0) throw new Error(`Cannot read ${into.length} bytes at ${offset}: pread failed`);
      if (count === 0) break;
      filled += count;
    }
    return filled;
  }

  close(): void {
    if (this.#file !== undefined) this.#file.close();
    else this.#libc!.close(this.#fd);
  }
}

/** Reads into `into` from `offset` until it is full or the file ends; returns bytes read. */
export function readFully(file: Deno.FsFile, offset: number, into: Uint8Array): number {
  file.seekSync(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < into.length) {
    const read = file.readSync(into.subarray(filled));
    if (read === null || read === 0) break;
    filled += read;
  }
  return filled;
}
