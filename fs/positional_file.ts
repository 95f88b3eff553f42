/**
 * Reading a file at an offset with one system call, synchronously: for the
 * storage node's GETs and the vfs's small reads of local chunk files. Deno's
 * own API needs a seek and a read per value, and its async reads hop to a
 * worker thread and back (10-50 us) for a read the page cache answers in a few
 * microseconds; pread(2) through FFI costs about 0.8 us per 4 KiB. Without FFI
 * (no --allow-ffi, or no libc.so.6) it falls back to seek + read on a Deno file.
 * A read the page cache cannot answer blocks the JS thread for the disk's time
 * ({@link PositionalFile.readSoonAt} polls for it instead, for small reads).
 */

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

/** posix_fadvise(2) POSIX_FADV_WILLNEED: start reading the range into the page cache. */
const POSIX_FADV_WILLNEED = 3;
/** preadv2(2) RWF_NOWAIT: answer only from the page cache, else fail (EAGAIN). */
const RWF_NOWAIT = 0x8;
/** How long {@link PositionalFile.readSoonAt} polls for the page before it blocks in pread. */
const POLL_READ_MS = 1;
/** Smaller reads go straight to pread (polling would not pay, and tiny arrays may live on V8's heap). */
const POLL_READ_BYTES_MIN = 512;
const EAGAIN = 11;
/**
 * {@link PositionalFile.prefetch} asks for this much per call: the kernel reads
 * at most the device's readahead window per WILLNEED (128 KiB by default, 8 MiB
 * on our virtual disks), and asking again for cached pages is cheap (~0.45 ms
 * per 32 MiB in 512 KiB steps).
 */
const PREFETCH_STEP_BYTES = 512 * 1024;

interface Libc {
  open: (path: Uint8Array, flags: number) => number;
  pread: (fd: number, buffer: Uint8Array, count: bigint, offset: bigint) => bigint;
  preadv2: (
    fd: number,
    iov: BigUint64Array,
    count: number,
    offset: bigint,
    flags: number,
  ) => bigint;
  posix_fadvise: (fd: number, offset: bigint, length: bigint, advice: number) => number;
  close: (fd: number) => number;
  /** errno of the last call on this thread; read it right after a synchronous call. */
  errno: () => number;
}

let libc: Libc | undefined | null = null;

function loadLibc(): Libc | undefined {
  if (libc !== null) return libc;
  try {
    const library = Deno.dlopen("libc.so.6", {
      open: { parameters: ["buffer", "i32"], result: "i32" },
      pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
      preadv2: { parameters: ["i32", "buffer", "i32", "i64", "i32"], result: "isize" },
      posix_fadvise: { parameters: ["i32", "i64", "i64", "i32"], result: "i32" },
      close: { parameters: ["i32"], result: "i32" },
      __errno_location: { parameters: [], result: "pointer" },
    });
    const { __errno_location, ...symbols } = library.symbols;
    libc = {
      ...symbols,
      errno: () => new Deno.UnsafePointerView(__errno_location()!).getInt32(),
    } as unknown as Libc;
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
  /** Whether preadv2 with RWF_NOWAIT works on this file (else {@link readSoonAt} just reads). */
  #noWaitReads = true;

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

  /**
   * {@link readAt} for a small read that the page cache may not hold: asks the
   * kernel to start reading the range, then polls for it on this thread
   * (preadv2 with RWF_NOWAIT) for up to {@link POLL_READ_MS} before a plain,
   * blocking pread. A thread asleep in pread is woken when the disk answers,
   * and on our virtual machines that wake-up cost more than a quarter of a
   * random 4 KiB read (cold reads of chunk files: 82-122 us blocking, 55-94
   * us polling, in the same runs; fio random 4 KiB reads through a mount
   * went from 5.6-6.1k to 7.1-9.1k IOPS).
   * A filesystem that cannot answer RWF_NOWAIT reads gets plain preads.
   */
  readSoonAt(offset: number, into: Uint8Array): number {
    const libc = this.#libc;
    if (libc === undefined || !this.#noWaitReads || into.length < POLL_READ_BYTES_MIN) {
      return this.readAt(offset, into);
    }
    const iov = new BigUint64Array(2);
    iov[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(into)));
    iov[1] = BigInt(into.length);
    const at = BigInt(offset);
    let advised = false;
    const untilMs = performance.now() + POLL_READ_MS;
    while (true) {
      const found = Number(libc.preadv2(this.#fd, iov, 1, at, RWF_NOWAIT));
      if (found === into.length) return found;
      // Fewer bytes: the end of the file, or only some pages cached. A plain read settles it.
      if (found >= 0) break;
      if (libc.errno() !== EAGAIN) {
        this.#noWaitReads = false; // Unsupported here (or a real error, which readAt reports).
        break;
      }
      if (!advised) {
        libc.posix_fadvise(this.#fd, at, iov[1], POSIX_FADV_WILLNEED);
        advised = true;
      } else if (performance.now() >= untilMs) {
        break;
      }
    }
    return this.readAt(offset, into);
  }

  /**
   * Asks the kernel to start reading `[offset, offset + lengthBytes)` into the
   * page cache, without waiting for it. Without FFI it does nothing.
   */
  prefetch(offset: number, lengthBytes: number): void {
    const libc = this.#libc;
    if (libc === undefined) return;
    const end = offset + lengthBytes;
    for (let at = offset; at < end; at += PREFETCH_STEP_BYTES) {
      const stepBytes = Math.min(PREFETCH_STEP_BYTES, end - at);
      libc.posix_fadvise(this.#fd, BigInt(at), BigInt(stepBytes), POSIX_FADV_WILLNEED);
    }
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
