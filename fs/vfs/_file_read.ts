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
/** Chunks a sequential reader has fetched ahead of it, when the backend can prefetch. */
const PREFETCH_CHUNKS = 4;
/** Chunk-map rows read at a time while seeking. */
const SEEK_PAGE_ROWS = 256;

/** The stored bytes of a chunk that belong to the file (its mapped length). */
export async function loadChunk(core: VfsCore, row: ChunkRow): Promise<Uint8Array> {
  let bytes = core.cache.get(row.ref);
  if (bytes === undefined) {
    bytes = await core.backend.get(row.ref);
    if (bytes.length < row.lengthBytes) {
      // Never zeros in place of data: a short chunk is damage, not a hole.
      throw new FsError(
        EIO,
        `chunk ${row.ref} holds ${bytes.length} bytes where the chunk map says ${row.lengthBytes}`,
      );
    }
    core.cache.set(row.ref, bytes);
  }
  return bytes.subarray(0, Math.min(row.lengthBytes, bytes.length));
}

/** The chunk's stored bytes covering [from, to): a slice of `bytes` that starts at `start`. */
async function loadSlice(
  core: VfsCore,
  row: ChunkRow,
  from: number,
  to: number,
): Promise<{ bytes: Uint8Array; start: number }> {
  const small = (to - from) * RANGE_READ_FRACTION <= core.chunkSizeBytes;
  if (small && core.backend.getRange !== undefined && core.cache.get(row.ref) === undefined) {
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
  const out = new Uint8Array(end - offset);
  const size = core.chunkSizeBytes;
  for (let index = Math.floor(offset / size); index * size < end; index++) {
    const chunkStart = index * size;
    const from = Math.max(offset, chunkStart) - chunkStart;
    const to = Math.min(end, chunkStart + size) - chunkStart;
    if (from === 0) prefetchAfter(core, state, index);
    await readChunkInto(core, state, index, { out, outStart: chunkStart - offset, from, to });
  }
  return out;
}

/**
 * A read from the start of a chunk is how a sequential reader enters it: fetch the next
 * chunks now, so they come from the nodes while this one is read.
 */
function prefetchAfter(core: VfsCore, state: FileState, index: number): void {
  if (core.backend.prefetch === undefined) return;
  const rows = core.store.chunks.listFrom(state.ino, index + 1, PREFETCH_CHUNKS);
  core.backend.prefetch(rows.map((row) => row.ref));
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
      const row = core.store.chunks.get(state.ino, index);
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
