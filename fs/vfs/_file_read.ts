/**
 * Reading file data: stored chunks (through the chunk cache) with the
 * unflushed writes laid over them; holes read as zeros. And SEEK_DATA /
 * SEEK_HOLE answered from the chunk map.
 *
 * @module
 */

import { EIO, ENXIO, FsError } from "../errno.ts";
import type { VfsCore } from "./_core.ts";
import type { FileState } from "./file_state.ts";
import type { ChunkRow } from "./meta_data.ts";
import type { Ino } from "./types.ts";

/** A read starts over at most this often when flushes keep changing the chunk map under it. */
const READ_ATTEMPTS_MAX = 8;
/**
 * Reads up to 1/16 of a chunk that is not cached are served from the backend's
 * range read, when it has one, instead of loading the whole chunk: a 4 KiB random
 * read must not cost 4 MiB of I/O.
 */
const RANGE_READ_FRACTION = 16;
/** Chunks a backend that can prefetch is asked for ahead of a sequential reader. */
const BACKEND_PREFETCH_CHUNKS = 4;
/** Chunk-map rows read at a time while seeking. */
const SEEK_PAGE_ROWS = 256;

/**
 * A sequential reader (each read starting near where the last one ended) with
 * reads at least this large (or a quarter chunk) has the next chunk loaded
 * ahead, and the one after once it reads the second half of a chunk: the
 * kernel's readahead asks 1 MiB ahead at most, so without it the reader would
 * wait for every chunk's load in turn.
 */
const PREFETCH_READ_BYTES_MIN = 128 * 1024;
/** How far from the last read's end (or a quarter chunk) a read may start and count as sequential. */
const SEQUENTIAL_SLACK_BYTES = 1024 * 1024;

/** The stored bytes of a chunk that belong to the file (its mapped length). */
export async function loadChunk(core: VfsCore, row: ChunkRow): Promise<Uint8Array> {
  const bytes = core.cache.get(row.ref) ?? await loadWholeChunk(core, row.ref);
  if (bytes.length < row.lengthBytes) {
    // Never zeros in place of data: a short chunk is damage, not a hole.
    core.cache.delete(row.ref);
    throw new FsError(
      EIO,
      `chunk ${row.ref} holds ${bytes.length} bytes where the chunk map says ${row.lengthBytes}`,
    );
  }
  return bytes.subarray(0, row.lengthBytes);
}

/** Loads a chunk into the cache; readers of a chunk being loaded wait for that load. */
function loadWholeChunk(core: VfsCore, ref: string): Promise<Uint8Array> {
  let loading = core.chunkLoads.get(ref);
  if (loading === undefined) {
    loading = core.backend.get(ref).then((bytes) => {
      core.cache.set(ref, bytes);
      return bytes;
    }).finally(() => core.chunkLoads.delete(ref));
    core.chunkLoads.set(ref, loading);
  }
  return loading;
}

/** How many chunk rows an open file keeps (a 4 GiB file's with 4 MiB chunks). */
const CACHED_ROWS_MAX = 1024;

/**
 * Chunk `index`'s row, kept with the open file until its chunk map changes: a
 * lookup costs ~12-17 us in a mount (caches gone cold between requests), a
 * tenth of a random 4 KiB read, and a read looked it up twice.
 */
export function chunkRow(core: VfsCore, state: FileState, index: number): ChunkRow | undefined {
  const { rows, rowsVersion } = state;
  const rollbacks = core.store.rollbacks;
  if (rowsVersion.map !== state.mapVersion || rowsVersion.rollbacks !== rollbacks) {
    rows.clear();
    state.rowsVersion = { map: state.mapVersion, rollbacks };
  }
  if (rows.has(index)) return rows.get(index);
  const row = core.store.chunks.get(state.ino, index);
  if (rows.size >= CACHED_ROWS_MAX) rows.clear();
  rows.set(index, row);
  return row;
}

/** Starts loading chunk `index` of the file if it is stored and neither cached nor loading. */
function prefetchChunk(core: VfsCore, state: FileState, index: number): void {
  if (index * core.chunkSizeBytes >= state.sizeBytes) return;
  const row = chunkRow(core, state, index);
  if (row === undefined || core.chunkLoads.has(row.ref) || core.cache.get(row.ref)) return;
  // A failed prefetch is forgotten: the read that needs the chunk tries again and reports it.
  loadWholeChunk(core, row.ref).catch(() => {});
}

/** Asks a backend that can prefetch (storage nodes) for the chunks from `index` on. */
function prefetchFromBackend(core: VfsCore, state: FileState, index: number): void {
  if (core.backend.prefetch === undefined) return;
  const rows = core.store.chunks.listFrom(state.ino, index, BACKEND_PREFETCH_CHUNKS);
  core.backend.prefetch(rows.map((row) => row.ref));
}

/** The chunk's stored bytes covering [from, to): a slice of `bytes` that starts at `start`. */
async function loadSlice(
  core: VfsCore,
  row: ChunkRow,
  from: number,
  to: number,
): Promise<{ bytes: Uint8Array; start: number }> {
  const small = (to - from) * RANGE_READ_FRACTION <= core.chunkSizeBytes;
  const whole = core.chunkLoads.has(row.ref) || core.cache.get(row.ref) !== undefined;
  if (small && core.backend.getRange !== undefined && !whole) {
    const end = Math.min(to, row.lengthBytes);
    if (end <= from) return { bytes: new Uint8Array(0), start: from };
    return { bytes: await core.backend.getRange(row.ref, from, end - from), start: from };
  }
  return { bytes: await loadChunk(core, row), start: 0 };
}

/** Up to `lengthBytes` bytes at `offset`; fewer at the end of the file. */
export async function readData(
  core: VfsCore,
  state: FileState,
  offset: number,
  lengthBytes: number,
): Promise<Uint8Array> {
  const end = Math.min(state.sizeBytes, offset + lengthBytes);
  if (offset >= end) return new Uint8Array(0);
  const size = core.chunkSizeBytes;
  const firstIndex = Math.floor(offset / size);
  const lastIndex = Math.floor((end - 1) / size);
  const slack = Math.min(SEQUENTIAL_SLACK_BYTES, size / 4);
  const sequential = Math.abs(offset - state.lastReadEndBytes) <= slack;
  state.lastReadEndBytes = end;
  if (sequential && end - offset >= Math.min(PREFETCH_READ_BYTES_MIN, size / 4)) {
    prefetchChunk(core, state, lastIndex + 1);
    if ((end - 1) % size >= size / 2) prefetchChunk(core, state, lastIndex + 2);
    // Entering a chunk: a backend across a network fetches further ahead, in parallel.
    if (offset % size < end - offset) prefetchFromBackend(core, state, lastIndex + 1);
  }
  if (firstIndex === lastIndex) {
    const stored = await storedSlice(
      core,
      state,
      firstIndex,
      offset - firstIndex * size,
      end - offset,
    );
    if (stored !== undefined) return stored;
  }
  const out = new Uint8Array(end - offset);
  for (let index = firstIndex; index <= lastIndex; index++) {
    const chunkStart = index * size;
    const from = Math.max(offset, chunkStart) - chunkStart;
    const to = Math.min(end, chunkStart + size) - chunkStart;
    await readChunkInto(core, state, index, { out, outStart: chunkStart - offset, from, to });
  }
  return out;
}

/**
 * The bytes [from, from + length) of chunk `index` as a view of the cached
 * chunk, without a copy, when nothing unflushed lies over them and the stored
 * chunk holds all of them; else undefined (the caller assembles a copy). A
 * small read uses it only when the chunk is cached or loading already.
 * Cached chunks never change (a ref always names the same bytes), so the view
 * stays right after a flush replaces the chunk.
 */
async function storedSlice(
  core: VfsCore,
  state: FileState,
  index: number,
  from: number,
  length: number,
): Promise<Uint8Array | undefined> {
  const to = from + length;
  const unflushed = () => state.dirty.chunks.has(index) || state.flushing?.chunks.has(index);
  if (unflushed()) return undefined;
  const version = state.mapVersion;
  const row = chunkRow(core, state, index);
  if (row === undefined || row.lengthBytes < to) return undefined;
  // A small read of a chunk that is neither cached nor loading takes the range read instead.
  const small = length * RANGE_READ_FRACTION <= core.chunkSizeBytes;
  if (small && !core.chunkLoads.has(row.ref) && core.cache.get(row.ref) === undefined) {
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = await loadChunk(core, row);
  } catch {
    return undefined; // The copying path retries and reports it.
  }
  if (state.mapVersion !== version || unflushed() || bytes.length < to) return undefined;
  return bytes.subarray(from, to);
}

interface ChunkSlice {
  out: Uint8Array;
  /** The position in `out` of chunk offset 0 (negative for the first chunk of a read). */
  outStart: number;
  /** The chunk offsets to fill: [from, to). */
  from: number;
  to: number;
}

async function readChunkInto(
  core: VfsCore,
  state: FileState,
  index: number,
  slice: ChunkSlice,
): Promise<void> {
  const { out, outStart, from, to } = slice;
  for (let attempt = 1;; attempt++) {
    const version = state.mapVersion;
    let base: { bytes: Uint8Array; start: number } | undefined;
    if (!(state.dirty.chunks.get(index)?.covers(from, to) ?? false)) {
      const row = chunkRow(core, state, index);
      if (row !== undefined) {
        try {
          base = await loadSlice(core, row, from, to);
        } catch (error) {
          if (state.mapVersion !== version && attempt < READ_ATTEMPTS_MAX) continue;
          throw readError(state.ino, index, error);
        }
      }
    }
    // A flush or truncation committed while we waited: the base may miss bytes
    // that were in the overlays then. Start this chunk over.
    if (state.mapVersion !== version && attempt < READ_ATTEMPTS_MAX) continue;
    out.fill(0, outStart + from, outStart + to);
    if (base !== undefined) {
      const baseEnd = base.start + base.bytes.length;
      if (baseEnd > from) {
        out.set(
          base.bytes.subarray(from - base.start, Math.min(to, baseEnd) - base.start),
          outStart + from,
        );
      }
    }
    state.flushing?.chunks.get(index)?.copyInto(out, -outStart, from, to);
    state.dirty.chunks.get(index)?.copyInto(out, -outStart, from, to);
    return;
  }
}

function readError(ino: Ino, index: number, error: unknown): FsError {
  const reason = error instanceof Error ? error.message : String(error);
  return new FsError(EIO, `Cannot read chunk ${index} of inode ${ino}: ${reason}`);
}

/**
 * SEEK_DATA: the first offset at or after `offset` inside a stored chunk's
 * data. ENXIO at or past the end of the file or when only holes follow. Call
 * with the file flushed.
 */
export function seekData(core: VfsCore, ino: Ino, offset: number, sizeBytes: number): number {
  const size = core.chunkSizeBytes;
  if (offset >= sizeBytes) throw noData(ino, offset);
  let fromIndex = Math.floor(offset / size);
  while (true) {
    const rows = core.store.chunks.listFrom(ino, fromIndex, SEEK_PAGE_ROWS);
    for (const row of rows) {
      const dataEnd = Math.min(row.index * size + row.lengthBytes, sizeBytes);
      if (dataEnd > offset) return Math.max(offset, row.index * size);
    }
    if (rows.length < SEEK_PAGE_ROWS) throw noData(ino, offset);
    fromIndex = rows[rows.length - 1]!.index + 1;
  }
}

/**
 * SEEK_HOLE: the first offset at or after `offset` in a hole; the end of the
 * file counts as one. ENXIO at or past the end. Call with the file flushed.
 */
export function seekHole(core: VfsCore, ino: Ino, offset: number, sizeBytes: number): number {
  const size = core.chunkSizeBytes;
  if (offset >= sizeBytes) throw noData(ino, offset);
  let position = offset;
  let nextIndex = Math.floor(offset / size);
  while (true) {
    const rows = core.store.chunks.listFrom(ino, nextIndex, SEEK_PAGE_ROWS);
    for (const row of rows) {
      // A gap before this chunk (a missing chunk) is a hole.
      if (row.index * size > position) return Math.min(position, sizeBytes);
      position = Math.max(position, row.index * size + row.lengthBytes);
      // A chunk shorter than the chunk size ends in a hole.
      if (row.lengthBytes < size) return Math.min(position, sizeBytes);
    }
    if (rows.length < SEEK_PAGE_ROWS) return Math.min(position, sizeBytes);
    nextIndex = rows[rows.length - 1]!.index + 1;
  }
}

function noData(ino: Ino, offset: number): FsError {
  return new FsError(ENXIO, `Cannot seek in inode ${ino} from ${offset}: no data there`);
}
