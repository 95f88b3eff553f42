/**
 * Changing file data: buffered writes under the dirty-bytes bound,
 * truncation of the chunk map, and punching holes.
 *
 * @module
 */

import { EFBIG, FsError } from "../errno.ts";
import type { VfsCore } from "./_core.ts";
import { flushFile, flushLocked } from "./_file_flush.ts";
import { deleteChunks } from "./_garbage.ts";
import { FILE_SIZE_BYTES_MAX } from "./constants.ts";
import type { FileState } from "./file_state.ts";
import type { Inode } from "./meta_inodes.ts";

/** How many flushes a write waits for at most to get under the dirty bound. */
const ROOM_ROUNDS_MAX = 4;
/**
 * Full chunks a file may hold unflushed before its writer flushes it. The
 * dirty bound is large so that scattered writes (which fill no chunk, and
 * cost a chunk rewrite each per flush) stay buffered; a writer filling chunks
 * in order gains nothing from holding more, so it stores them every 64 MiB
 * (with 4 MiB chunks) and keeps its memory small.
 */
const FULL_CHUNKS_HELD_MAX = 16;

/**
 * Buffers `data` at `offset` (at the end of the file with `append`), after
 * flushing enough to stay under the dirty bound. Returns the offset written at.
 */
export async function writeData(
  core: VfsCore,
  state: FileState,
  write: { offset: number; data: Uint8Array; append: boolean },
): Promise<number> {
  const { data } = write;
  await makeRoom(core, state, data.length);
  const offset = write.append ? state.sizeBytes : write.offset;
  checkFileSize(state.ino, offset + data.length, "write to");
  core.dirtyBytes += state.dirty.write(offset, data);
  state.sizeBytes = Math.max(state.sizeBytes, offset + data.length);
  const now = core.now();
  state.pendingMtime = now;
  state.pendingCtime = now;
  if (holdsManyFullChunks(state, core.chunkSizeBytes, offset + data.length - 1)) {
    // This write is buffered already: if storing fails, its bytes stay
    // buffered and the next flush (close, fsync, the bound) reports the error.
    await flushFile(core, state).catch(() => {});
  }
  return offset;
}

/** Whether the write ending at byte `last` filled its chunk, and the file holds many full ones. */
function holdsManyFullChunks(state: FileState, chunkSizeBytes: number, last: number): boolean {
  // Segments never overlap, so a chunk holding chunkSizeBytes bytes is full.
  const full = (chunk: { bytes: number } | undefined) => chunk?.bytes === chunkSizeBytes;
  if (!full(state.dirty.chunks.get(Math.floor(last / chunkSizeBytes)))) return false;
  let count = 0;
  for (const chunk of state.dirty.chunks.values()) if (full(chunk)) count++;
  return count >= FULL_CHUNKS_HELD_MAX;
}

/** EFBIG past the largest file size. */
export function checkFileSize(ino: number, endBytes: number, action: string): void {
  if (endBytes > FILE_SIZE_BYTES_MAX) {
    throw new FsError(
      EFBIG,
      `Cannot ${action} inode ${ino}: ${endBytes} bytes is past the largest file size`,
    );
  }
}

async function makeRoom(core: VfsCore, state: FileState, lengthBytes: number): Promise<void> {
  for (let round = 0; round < ROOM_ROUNDS_MAX; round++) {
    if (core.dirtyBytes + lengthBytes <= core.dirtyBytesMax) return;
    // Flushing a file that is being flushed waits for that flush first, so
    // bytes in flight count against the bound until they are committed.
    const victim = heldBytes(state) > 0 ? state : mostHeld(core);
    if (victim === undefined) return;
    await flushFile(core, victim);
  }
}

/** Unflushed bytes of a file, including those a flush is storing. */
function heldBytes(state: FileState): number {
  return state.dirty.bytes + (state.flushing?.bytes ?? 0);
}

function mostHeld(core: VfsCore): FileState | undefined {
  let found: FileState | undefined;
  for (const state of core.files.values()) {
    if (heldBytes(state) > (found === undefined ? 0 : heldBytes(found))) found = state;
  }
  return found;
}

/**
 * Sets `inode`'s size, dropping or shortening the chunks past it. Call in a
 * transaction with the file flushed; returns the refs to delete after the
 * commit. Growing leaves a hole.
 */
export function truncateChunks(core: VfsCore, inode: Inode, sizeBytes: number): string[] {
  const { chunks, garbage } = core.store;
  const size = core.chunkSizeBytes;
  const keptChunks = Math.ceil(sizeBytes / size);
  const dropped = chunks.listAllFrom(inode.ino, keptChunks);
  for (const row of dropped) {
    garbage.add(row.ref);
    inode.dataBytes -= row.lengthBytes;
  }
  chunks.removeFrom(inode.ino, keptChunks);
  const tailBytes = sizeBytes - (keptChunks - 1) * size;
  const last = keptChunks > 0 ? chunks.get(inode.ino, keptChunks - 1) : undefined;
  if (last !== undefined && last.lengthBytes > tailBytes) {
    // The bytes past the new end stay in the stored chunk but leave the map,
    // so they read as zeros if the file grows again.
    inode.dataBytes -= last.lengthBytes - tailBytes;
    chunks.put(inode.ino, { ...last, lengthBytes: tailBytes });
  }
  inode.sizeBytes = sizeBytes;
  return dropped.map((row) => row.ref);
}

/** Brings an open file's state in line with a committed truncation. */
export function truncateState(core: VfsCore, state: FileState, sizeBytes: number): void {
  core.dirtyBytes += state.dirty.truncate(sizeBytes);
  state.sizeBytes = sizeBytes;
  state.mapVersion++;
}

/**
 * FALLOC_FL_PUNCH_HOLE: [offset, offset + length) reads as zeros and whole
 * chunks inside it are freed; the size stays. Runs under the file's lock.
 */
export function punchHole(
  core: VfsCore,
  state: FileState,
  offset: number,
  lengthBytes: number,
): Promise<void> {
  return state.lock.run(async () => {
    await flushLocked(core, state);
    const end = Math.min(offset + lengthBytes, state.sizeBytes);
    if (offset >= end) return;
    const size = core.chunkSizeBytes;
    const firstWhole = Math.ceil(offset / size);
    const wholeEnd = Math.max(firstWhole, Math.floor(end / size));
    const freed = [
      ...freeChunks(core, state, firstWhole, wholeEnd),
      ...zeroRange(core, state, offset, Math.min(end, firstWhole * size)),
      ...zeroRange(core, state, Math.max(offset, wholeEnd * size), end),
    ];
    const now = core.now();
    state.pendingMtime = now;
    state.pendingCtime = now;
    await flushLocked(core, state);
    await deleteChunks(core, freed);
  });
}

/** Unmaps chunks [fromIndex, toIndex) in one commit; returns their refs. */
function freeChunks(core: VfsCore, state: FileState, fromIndex: number, toIndex: number): string[] {
  if (fromIndex >= toIndex) return [];
  const { store } = core;
  const rows = store.chunks.listAllFrom(state.ino, fromIndex)
    .filter((row) => row.index < toIndex);
  if (rows.length === 0) return [];
  store.transaction(() => {
    const inode = store.inodes.get(state.ino)!;
    for (const row of rows) {
      store.chunks.remove(state.ino, row.index);
      store.garbage.add(row.ref);
      inode.dataBytes -= row.lengthBytes;
    }
    store.inodes.update(inode);
  });
  state.mapVersion++;
  return rows.map((row) => row.ref);
}

/**
 * Zeroes the stored data in [from, to), which lies within one chunk. Zeros
 * that reach the end of the chunk's data shorten the chunk instead, so they
 * become a hole. Returns the ref of a chunk left with no data.
 */
function zeroRange(core: VfsCore, state: FileState, from: number, to: number): string[] {
  if (from >= to) return [];
  const { store } = core;
  const index = Math.floor(from / core.chunkSizeBytes);
  const chunkStart = index * core.chunkSizeBytes;
  const row = store.chunks.get(state.ino, index);
  if (row === undefined) return [];
  const end = Math.min(to, chunkStart + row.lengthBytes);
  if (end <= from) return [];
  if (end < chunkStart + row.lengthBytes) {
    core.dirtyBytes += state.dirty.write(from, new Uint8Array(end - from));
    return [];
  }
  const keptBytes = from - chunkStart;
  store.transaction(() => {
    const inode = store.inodes.get(state.ino)!;
    inode.dataBytes -= row.lengthBytes - keptBytes;
    if (keptBytes === 0) {
      store.chunks.remove(state.ino, index);
      store.garbage.add(row.ref);
    } else {
      store.chunks.put(state.ino, { ...row, lengthBytes: keptBytes });
    }
    store.inodes.update(inode);
  });
  state.mapVersion++;
  return keptBytes === 0 ? [row.ref] : [];
}
