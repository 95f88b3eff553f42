/**
 * Compression that pays for itself: zstd level 1, kept only when it saves at least 1/32 of
 * the chunk; otherwise the chunk is stored as it is (id 0) and reading it costs nothing.
 *
 * Why zstd through libzstd: measured here (Deno 2.9.6, 1 MiB chunks, MB/s compress /
 * decompress, compressed size of JSON-like data):
 *
 *   | path                     | JSON-like      | size   | random (stored raw) |
 *   | FFI libzstd.so.1, L1     | 760 / 2,087    | 62 KB  | 6,798 / 22,670      |
 *   | node:zlib zstd, L1       | 611 / 599      | 62 KB  | 1,955 / 2,292       |
 *   | node:zlib gzip, L1       | 468 / 719      | 329 KB | 80 / 290            |
 *
 * zstd compresses 5x smaller than gzip at a higher speed, and libzstd decompresses 3.5x
 * faster than Deno's built-in zstd. libzstd.so.1 is on nearly every Linux system (systemd
 * links it); where it is missing or FFI is not allowed, node:zlib's zstd (built into Deno
 * 2.9) writes and reads the same format, so the id in the frame never depends on the path.
 * Higher levels (L3: 549 MB/s) gain ~10% size for ~30% speed; chunks are compressed on
 * every write, so we take the fast end.
 *
 * Incompressible chunks (encrypted files, media) are the common large case. Before
 * compressing a chunk of 128 KiB or more we compress 4 samples of 8 KiB spread over it, and
 * skip the whole chunk when they do not shrink: 32 KiB of work instead of the chunk.
 *
 * @module
 */
import * as zlib from "node:zlib";

export const COMPRESSION_NONE = 0;
export const COMPRESSION_ZSTD = 1;
export type CompressionId = typeof COMPRESSION_NONE | typeof COMPRESSION_ZSTD;

export type CompressionEngine = "libzstd" | "node-zlib";

export interface CompressOptions {
  /** none: store as is; zstd: compress when it pays. @default "zstd" */
  compression?: "none" | "zstd";
  /** Which zstd to run; tests pin it. @default libzstd when loadable, else node-zlib */
  engine?: CompressionEngine;
}

export interface Compressed {
  compression: CompressionId;
  /** The stored bytes: the input itself when not compressed (no copy). */
  body: Uint8Array;
}

const ZSTD_LEVEL = 1;
const SAMPLED_BYTES_MIN = 128 * 1024;
const SAMPLE_BYTES = 8 * 1024;
const SAMPLE_COUNT = 4;

interface Zstd {
  /** Compresses into `target`; returns the size, or -1 when it does not fit. */
  compressInto(source: Uint8Array, target: Uint8Array): number;
  /** Decompresses exactly target.length bytes into `target`; false when it is not that. */
  decompressInto(source: Uint8Array, target: Uint8Array): boolean;
}

const LIBZSTD_SYMBOLS = {
  ZSTD_createCCtx: { parameters: [], result: "pointer" },
  ZSTD_createDCtx: { parameters: [], result: "pointer" },
  ZSTD_compressCCtx: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize", "i32"],
    result: "usize",
  },
  ZSTD_decompressDCtx: {
    parameters: ["pointer", "buffer", "usize", "buffer", "usize"],
    result: "usize",
  },
  ZSTD_isError: { parameters: ["usize"], result: "u32" },
} as const;

function openLibzstd(): Zstd {
  const { symbols } = Deno.dlopen("libzstd.so.1", LIBZSTD_SYMBOLS);
  // One context each, reused: zstd allocates ~1 MiB of tables per fresh context.
  const compressor = symbols.ZSTD_createCCtx();
  const decompressor = symbols.ZSTD_createDCtx();
  if (compressor === null || decompressor === null) throw new Error("Cannot create zstd context");
  return {
    compressInto(source, target) {
      const size = symbols.ZSTD_compressCCtx(
        compressor,
        target,
        BigInt(target.length),
        source,
        BigInt(source.length),
        ZSTD_LEVEL,
      );
      return symbols.ZSTD_isError(size) ? -1 : Number(size);
    },
    decompressInto(source, target) {
      const size = symbols.ZSTD_decompressDCtx(
        decompressor,
        target,
        BigInt(target.length),
        source,
        BigInt(source.length),
      );
      return !symbols.ZSTD_isError(size) && Number(size) === target.length;
    },
  };
}

const nodeZstd: Zstd = {
  compressInto(source, target) {
    const params = { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL };
    const output = zlib.zstdCompressSync(source, { params });
    if (output.length > target.length) return -1;
    target.set(output);
    return output.length;
  },
  decompressInto(source, target) {
    try {
      // One byte more than expected, so a longer output is seen rather than cut.
      const output = zlib.zstdDecompressSync(source, { maxOutputLength: target.length + 1 });
      if (output.length !== target.length) return false;
      target.set(output);
      return true;
    } catch {
      return false;
    }
  },
};

let libzstd: Zstd | null | undefined;

function zstd(engine: CompressionEngine | undefined): Zstd {
  if (engine === "node-zlib") return nodeZstd;
  if (libzstd === undefined) {
    try {
      libzstd = openLibzstd();
    } catch {
      libzstd = null; // No libzstd, no FFI permission, or not Linux: the built-in one.
    }
  }
  if (libzstd === null && engine === "libzstd") throw new Error("Cannot load libzstd.so.1");
  return libzstd ?? nodeZstd;
}

/** The engine zstd runs on here: libzstd when it loads, else node:zlib. */
export function compressionEngine(): CompressionEngine {
  return zstd(undefined) === nodeZstd ? "node-zlib" : "libzstd";
}

/** The most a compressed body may weigh to be worth keeping. */
function sizeLimit(length: number): number {
  return length - Math.max(1, Math.floor(length / 32));
}

function samplesShrink(plain: Uint8Array, codec: Zstd): boolean {
  const target = new Uint8Array(SAMPLE_BYTES);
  const step = Math.floor((plain.length - SAMPLE_BYTES) / (SAMPLE_COUNT - 1));
  let total = 0;
  for (let i = 0; i < SAMPLE_COUNT; i++) {
    const size = codec.compressInto(plain.subarray(i * step, i * step + SAMPLE_BYTES), target);
    total += size < 0 ? SAMPLE_BYTES : size;
  }
  return total <= sizeLimit(SAMPLE_BYTES * SAMPLE_COUNT);
}

/** Compresses `plain` when that pays; otherwise returns it as the body, uncopied. */
export function compress(plain: Uint8Array, options: CompressOptions = {}): Compressed {
  const stored: Compressed = { compression: COMPRESSION_NONE, body: plain };
  if ((options.compression ?? "zstd") === "none" || plain.length < 64) return stored;
  const codec = zstd(options.engine);
  if (plain.length >= SAMPLED_BYTES_MIN && !samplesShrink(plain, codec)) return stored;
  // Untouched pages of a fresh buffer are never faulted in, so the oversized target costs
  // only what zstd writes.
  const target = new Uint8Array(sizeLimit(plain.length));
  const size = codec.compressInto(plain, target);
  if (size < 0) return stored;
  return { compression: COMPRESSION_ZSTD, body: target.subarray(0, size) };
}

/**
 * Restores a body of `plainLength` bytes, into `target` when given (exactly that long).
 * Returns null when the body does not decode to exactly that many bytes (an unknown id, a
 * corrupt or a mislabelled body). A stored body is returned as it is.
 */
export function decompress(
  compression: number,
  body: Uint8Array,
  plainLength: number,
  options: Pick<CompressOptions, "engine"> & { target?: Uint8Array } = {},
): Uint8Array | null {
  if (compression === COMPRESSION_NONE) return body.length === plainLength ? body : null;
  if (compression !== COMPRESSION_ZSTD) return null;
  const target = options.target ?? new Uint8Array(plainLength);
  if (target.length !== plainLength) throw new Error("decompress target must be plainLength long");
  return zstd(options.engine).decompressInto(body, target) ? target : null;
}
