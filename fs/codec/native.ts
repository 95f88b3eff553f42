/**
 * The codec's hot loops on system libraries when they are there: Reed-Solomon on ISA-L
 * (libisal.so.2), XXH64 on libxxhash (libxxhash.so.0), byte comparison on libc's memcmp.
 * Each has a portable twin that gives the same bytes (the WASM kernel, a JS loop), used
 * where a library is missing, fails its known-answer check, or FFI is not allowed; tests
 * check each pair against the other.
 *
 * Why: the encode pipeline's budget is ~1 ms per MiB (1 GB/s per core, verified), and AES-GCM
 * alone takes ~0.5 ms of it (seal plus the verification's open). Measured here, 1 MiB, best
 * of interleaved bursts (the machine is shared):
 *
 *   | loop                      | portable          | system library | library          |
 *   | Reed-Solomon 16+4 encode  | ~160 us (WASM)    | ~85 us         | ISA-L (AVX-512)  |
 *   | XXH64                     | ~115 us (WASM)    | ~100 us        | libxxhash        |
 *   | compare two buffers       | ~95 us (JS loop)  | ~25 us         | memcmp           |
 *
 * Reed-Solomon runs twice per verified encode (parity, then the rebuild that checks it), so
 * ISA-L saves ~0.15 ms of the ~1 ms; XXH64 runs over ~2.25 MiB (plaintext and shards).
 *
 * The libraries are Debian's libisal2 and libxxhash0 (both in .ci/run), loaded like
 * libcrypto and libzstd: optional, checked, never required.
 *
 * @module
 */
import { assert } from "../_assert.ts";
import type { RowMultiplier } from "./erasure.ts";
import { defaultKernel } from "./kernel.ts";

/** Rows shorter than this go to the WASM kernel: FFI set-up costs more than it saves. */
const NATIVE_ROW_BYTES_MIN = 1024;

const ISAL_SYMBOLS = {
  ec_init_tables: { parameters: ["i32", "i32", "buffer", "buffer"], result: "void" },
  ec_encode_data: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer", "buffer"],
    result: "void",
  },
} as const;

const XXHASH_SYMBOLS = {
  XXH64: { parameters: ["buffer", "usize", "u64"], result: "u64" },
} as const;

const LIBC_SYMBOLS = {
  memcmp: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
} as const;

type IsalSymbols = Deno.DynamicLibrary<typeof ISAL_SYMBOLS>["symbols"];

let enabled = true;

/**
 * Turns the system libraries off (false) or back on, for tests that check the portable
 * paths read and write the same bytes. Not part of the codec's surface.
 */
export function useSystemLibraries(on: boolean) {
  enabled = on;
}

function load<S extends Deno.ForeignLibraryInterface>(name: string, symbols: S) {
  try {
    return Deno.dlopen(name, symbols).symbols;
  } catch {
    return null; // Not installed, not Linux, or no --allow-ffi.
  }
}

/**
 * Where each ArrayBuffer's bytes start. Asking Deno for a pointer costs ~0.3-0.6 us a call,
 * and the rows of one call are views of one or two buffers (the shards, a scratch buffer),
 * so each buffer is asked once; a backing store of this size never moves (a detached or
 * transferred buffer is another object, with no rows long enough to reach ISA-L).
 */
const bufferAddresses = new WeakMap<ArrayBufferLike, bigint>();

/** Addresses of the rows, as ISA-L takes them (unsigned char **). */
function addresses(rows: readonly Uint8Array[]): BigUint64Array<ArrayBuffer> {
  const list = new BigUint64Array(rows.length);
  rows.forEach((row, i) => {
    let base = bufferAddresses.get(row.buffer);
    if (base === undefined) {
      base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(row.buffer)));
      bufferAddresses.set(row.buffer, base);
    }
    list[i] = base + BigInt(row.byteOffset);
  });
  return list;
}

/** ISA-L's ec_encode_data as a RowMultiplier; its tables are built once per matrix. */
function isalMultiplier(isal: IsalSymbols): RowMultiplier {
  const tables = new WeakMap<Uint8Array, Uint8Array>();
  return {
    kind: "isa-l",
    mulRows(coefficients, inputs, outputs, length) {
      const count = inputs.length;
      const rows = outputs.length;
      // ISA-L reads and writes `length` bytes of every row, checked or not.
      for (const row of inputs) assert(row.length >= length, "mulRows: an input is too short");
      for (const row of outputs) assert(row.length >= length, "mulRows: an output is too short");
      if (rows === 0 || length === 0) return;
      let table = tables.get(coefficients);
      if (table === undefined) {
        table = new Uint8Array(count * rows * 32);
        isal.ec_init_tables(count, rows, coefficients, table);
        tables.set(coefficients, table);
      }
      isal.ec_encode_data(length, count, rows, table, addresses(inputs), addresses(outputs));
    },
  };
}

/** ISA-L must give the WASM kernel's product on rows with every byte value. */
function passesKnownAnswer(multiplier: RowMultiplier): boolean {
  const length = NATIVE_ROW_BYTES_MIN;
  const inputs = [0, 1, 2].map((i) =>
    Uint8Array.from({ length }, (_, j) => (j * 7 + i * 31) & 255)
  );
  const coefficients = Uint8Array.from({ length: 6 }, (_, i) => 1 + i * 45);
  const expected = [new Uint8Array(length), new Uint8Array(length)];
  const actual = [new Uint8Array(length), new Uint8Array(length)];
  defaultKernel().mulRows(coefficients, inputs, expected, length);
  multiplier.mulRows(coefficients.slice(), inputs, actual, length);
  return actual.every((row, r) => row.every((byte, j) => byte === expected[r]![j]));
}

let isal: RowMultiplier | null | undefined;

/** ISA-L's multiplier, or null when libisal.so.2 cannot be used here. */
export function isalRowMultiplier(): RowMultiplier | null {
  if (isal === undefined) {
    const symbols = load("libisal.so.2", ISAL_SYMBOLS);
    const candidate = symbols === null ? null : isalMultiplier(symbols);
    isal = candidate !== null && passesKnownAnswer(candidate) ? candidate : null;
  }
  return isal;
}

/**
 * The multiplier the codec uses: ISA-L for rows of 1 KiB or more when it loads, else the
 * WASM kernel. Tests may patch its mulRows to inject faults.
 */
export const defaultMultiplier: RowMultiplier = {
  get kind() {
    return enabled && isalRowMultiplier() !== null ? "isa-l" : `wasm ${defaultKernel().kind}`;
  },
  mulRows(coefficients, inputs, outputs, length) {
    const native = enabled && length >= NATIVE_ROW_BYTES_MIN ? isalRowMultiplier() : null;
    (native ?? defaultKernel()).mulRows(coefficients, inputs, outputs, length);
  },
};

let libxxhash: ((bytes: Uint8Array, seed: bigint) => bigint) | null | undefined;
let libxxhashOffThread: ((bytes: Uint8Array, seed: bigint) => Promise<bigint>) | null | undefined;

/**
 * Inputs at least this long are hashed off the JS thread by {@link xxh64OffThread}, whose JS
 * thread also serves FUSE. Measured here (8 calls in flight, CPU of the JS thread per call):
 * 256 KiB costs it ~15 us off the thread against ~28 us hashed on it; 1 MiB (a shard of a
 * 4 MiB chunk at 4 + 2) ~25-30 us against ~107 us.
 */
const OFF_THREAD_BYTES_MIN = 256 * 1024;

function nativeXxh64() {
  if (libxxhash === undefined) {
    const symbols = load("libxxhash.so.0", XXHASH_SYMBOLS);
    libxxhash = symbols === null
      ? null
      : (bytes, seed) => BigInt(symbols.XXH64(bytes, BigInt(bytes.length), seed));
    // The spec's value for "abc", seed 0.
    const abc = new TextEncoder().encode("abc");
    if (libxxhash !== null && libxxhash(abc, 0n) !== 0x44bc2cf5ad770999n) libxxhash = null;
  }
  return libxxhash;
}

/** XXH64 of `bytes` with `seed`: libxxhash when it loads, else the WASM kernel. */
export function xxh64(bytes: Uint8Array, seed = 0n): bigint {
  const native = enabled ? nativeXxh64() : null;
  return native === null ? defaultKernel().xxh64(bytes, seed) : native(bytes, seed);
}

/**
 * XXH64 like {@link xxh64}, but a long input is hashed on a worker thread (libxxhash's
 * XXH64 declared nonblocking): the caller must not change `bytes` until it resolves.
 */
export function xxh64OffThread(bytes: Uint8Array, seed = 0n): Promise<bigint> {
  if (bytes.length < OFF_THREAD_BYTES_MIN || !enabled || nativeXxh64() === null) {
    return Promise.resolve(xxh64(bytes, seed));
  }
  if (libxxhashOffThread === undefined) {
    const symbols = load(
      "libxxhash.so.0",
      {
        XXH64: { ...XXHASH_SYMBOLS.XXH64, nonblocking: true },
      } as const,
    );
    libxxhashOffThread = symbols === null
      ? null
      : async (input, start) => BigInt(await symbols.XXH64(input, BigInt(input.length), start));
  }
  return libxxhashOffThread === null
    ? Promise.resolve(xxh64(bytes, seed))
    : libxxhashOffThread(bytes, seed);
}

/** Which XXH64 runs here. */
export function hashEngine(): string {
  return enabled && nativeXxh64() !== null ? "libxxhash" : `wasm ${defaultKernel().kind}`;
}

let memcmp: ((a: Uint8Array, b: Uint8Array) => boolean) | null | undefined;

function jsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let i = 0;
  // Whole 32-bit words where both views are aligned to 4, then bytes.
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = a.length >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, words);
    const wb = new Uint32Array(b.buffer, b.byteOffset, words);
    for (; i < words; i++) if (wa[i] !== wb[i]) return false;
    i *= 4;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two arrays hold the same bytes (memcmp when libc loads). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (memcmp === undefined) {
    const symbols = load("libc.so.6", LIBC_SYMBOLS);
    memcmp = symbols === null ? null : (x, y) => symbols.memcmp(x, y, BigInt(x.length)) === 0;
  }
  return enabled && memcmp !== null && a.length >= NATIVE_ROW_BYTES_MIN
    ? memcmp(a, b)
    : jsEqual(a, b);
}
