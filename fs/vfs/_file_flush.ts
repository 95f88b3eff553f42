/**
 * Flushing a file's unflushed writes into chunks. Crash-safe order:
 *
 * 1. list the new chunk refs as garbage (a commit, made ahead for the next
 *    {@link REFS_RESERVED_MIN} refs at once: one commit fewer per small file);
 * 2. put the new chunks (each one built from the old chunk with the writes laid over);
 * 3. one commit maps the new chunks, unlists them, lists the old ones as
 *    garbage, and sets the size and times;
 * 4. delete the old chunks and unlist them.
 *
 * A crash before 3 leaves the old map and some listed new chunks; after 3,
 * the new map and some listed old chunks. Either way the next start deletes
 * what is listed. Flushes of one file run one at a time (its lock).
 *
 * @module
 */

import { EIO, ENOENT, FsError } from "../errno.ts";
import type { VfsCore } from "./_core.ts";
import { loadChunk } from "./_file_read.ts";
import { deleteChunks } from "./_garbage.ts";
import { newChunkRef } from "./chunk_backend.ts";
import { DirtyFile } from "./dirty_buffer.ts";
import type { FileState } from "./file_state.ts";
import type { ChunkRow } from "./meta_data.ts";
import { laterTime } from "./time.ts";
import type { Timespec } from "./types.ts";

/** A chunk built and stored by a flush. */
interface StoredChunk {
  index: number;
  /** The ref listed as garbage before the put. */
  plannedRef: string;
  /** The ref the backend returned. */
  ref: string;
  lengthBytes: number;
  old: ChunkRow | undefined;
}

/** Flushes `state`'s unflushed writes; waits for a flush already running. */
export function flushFile(core: VfsCore, state: FileState): Promise<void> {
  return state.lock.run(() => flushLocked(core, state));
}

/** {@link flushFile} for a caller that holds the file's lock. */
export async function flushLocked(core: VfsCore, state: FileState): Promise<void> {
  if (!state.hasUnflushed()) return;
  const flushing = state.dirty;
  const times = { mtime: state.pendingMtime, ctime: state.pendingCtime };
  const sizeBytes = state.sizeBytes;
  state.dirty = new DirtyFile(core.chunkSizeBytes);
  state.flushing = flushing;
  state.pendingMtime = undefined;
  state.pendingCtime = undefined;
  let planned: { index: number; ref: string }[] = [];
  let stored: StoredChunk[];
  try {
    const indexes = [...flushing.chunks.keys()].sort((a, b) => a - b);
    const refs = takeRefs(core, indexes.length);
    planned = indexes.map((index, i) => ({ index, ref: refs[i]! }));
    stored = await storeChunks(core, state, { flushing, planned, sizeBytes });
    commitChunks(core, state, stored, { sizeBytes, ...times });
  } catch (error) {
    // Listing the refs, storing or the commit failed: the writes are unflushed
    // again (a later flush retries them), and what was stored goes.
    restoreUnflushed(core, state, flushing, times);
    await deleteChunks(core, planned.map(({ ref }) => ref));
    throw flushError(state.ino, error);
  } finally {
    for (const { ref } of planned) core.refsInFlight.delete(ref);
  }
  state.flushing = undefined;
  core.dirtyBytes -= flushing.bytes;
  await deleteChunks(core, stored.flatMap(({ old }) => old === undefined ? [] : [old.ref]));
}

/** Refs listed as garbage per reserving commit, at least. */
export const REFS_RESERVED_MIN = 64;

/**
 * `count` new chunk refs, listed as garbage (committed) before they are
 * written and in `refsInFlight`, so no collection deletes them meanwhile.
 */
function takeRefs(core: VfsCore, count: number): string[] {
  const reserve = core.reservedRefs;
  if (reserve.length < count) {
    const fresh = Array.from({ length: count + REFS_RESERVED_MIN }, () => newChunkRef());
    core.store.transaction(() => {
      for (const ref of fresh) core.store.garbage.add(ref);
    });
    for (const ref of fresh) core.refsInFlight.add(ref);
    reserve.push(...fresh);
  }
  return reserve.splice(0, count);
}

/** Unlists the reserved refs no flush took (at unmount: else the next start deletes them). */
export function releaseReservedRefs(core: VfsCore): void {
  const unused = core.reservedRefs.splice(0);
  if (unused.length === 0) return;
  core.store.transaction(() => {
    for (const ref of unused) core.store.garbage.remove(ref);
  });
  for (const ref of unused) core.refsInFlight.delete(ref);
}

interface StorePlan {
  flushing: DirtyFile;
  planned: { index: number; ref: string }[];
  sizeBytes: number;
}

/** Builds and puts every planned chunk, at most flushConcurrencyMax at once. */
async function storeChunks(
  core: VfsCore,
  state: FileState,
  plan: StorePlan,
): Promise<StoredChunk[]> {
  const stored: StoredChunk[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < plan.planned.length) {
      const { index, ref: plannedRef } = plan.planned[next++]!;
      const old = core.store.chunks.get(state.ino, index);
      const bytes = await buildChunk(core, plan, index, old);
      const ref = await core.backend.put(bytes, plannedRef);
      // Cached now rather than held until the commit, so a flush holds at most
      // flushConcurrencyMax built chunks. An uncommitted ref in the cache is
      // harmless: refs are never reused, and a failed flush deletes it.
      core.cache.set(ref, bytes);
      stored.push({ index, plannedRef, ref, lengthBytes: bytes.length, old });
    }
  }
  const workers = Math.min(core.flushConcurrencyMax, plan.planned.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return stored;
}

/** The new bytes of chunk `index`: the old chunk with the flushed writes over it. */
async function buildChunk(
  core: VfsCore,
  plan: StorePlan,
  index: number,
  old: ChunkRow | undefined,
): Promise<Uint8Array> {
  const dirty = plan.flushing.chunks.get(index)!;
  const chunkStart = index * core.chunkSizeBytes;
  const limit = Math.min(core.chunkSizeBytes, plan.sizeBytes - chunkStart);
  const lengthBytes = Math.min(limit, Math.max(old?.lengthBytes ?? 0, dirty.endOffset()));
  // A chunk written in order is one segment (dirty_buffer.ts): stored as it is.
  const whole = dirty.whole(lengthBytes);
  if (whole !== undefined) return whole;
  const bytes = new Uint8Array(lengthBytes);
  if (old !== undefined && !dirty.covers(0, lengthBytes)) {
    const base = await loadChunk(core, old);
    bytes.set(base.subarray(0, Math.min(base.length, lengthBytes)));
  }
  dirty.copyInto(bytes, 0, 0, lengthBytes);
  return bytes;
}

interface CommitTimes {
  sizeBytes: number;
  mtime: Timespec | undefined;
  ctime: Timespec | undefined;
}

/** Step 3: one transaction maps the new chunks and sets the size and times. */
function commitChunks(
  core: VfsCore,
  state: FileState,
  stored: StoredChunk[],
  commit: CommitTimes,
): void {
  const { store } = core;
  store.transaction(() => {
    const inode = store.inodes.get(state.ino);
    if (inode === undefined) return;
    for (const chunk of stored) {
      store.chunks.put(state.ino, {
        index: chunk.index,
        ref: chunk.ref,
        lengthBytes: chunk.lengthBytes,
      });
      store.garbage.remove(chunk.plannedRef);
      if (chunk.old !== undefined) store.garbage.add(chunk.old.ref);
      inode.dataBytes += chunk.lengthBytes - (chunk.old?.lengthBytes ?? 0);
    }
    inode.sizeBytes = commit.sizeBytes;
    if (commit.mtime !== undefined) inode.mtime = commit.mtime;
    if (commit.ctime !== undefined) inode.ctime = laterTime(inode.ctime, commit.ctime);
    store.inodes.update(inode);
  });
  state.mapVersion++;
}

/** Puts a failed flush's writes back under the writes made since. */
function restoreUnflushed(
  core: VfsCore,
  state: FileState,
  flushing: DirtyFile,
  times: { mtime: Timespec | undefined; ctime: Timespec | undefined },
): void {
  const newer = state.dirty;
  const before = flushing.bytes + newer.bytes;
  for (const [index, chunk] of newer.chunks) {
    for (const segment of chunk.segments) {
      flushing.write(index * core.chunkSizeBytes + segment.start, segment.bytes);
    }
  }
  state.dirty = flushing;
  state.flushing = undefined;
  core.dirtyBytes += flushing.bytes - before;
  state.pendingMtime = state.pendingMtime ?? times.mtime;
  state.pendingCtime = state.pendingCtime ?? times.ctime;
}

function flushError(ino: number, error: unknown): FsError {
  const reason = error instanceof Error ? error.message : String(error);
  // A chunk the map names but the backend lacks is an I/O error, not a missing file.
  const errno = error instanceof FsError && error.errno !== ENOENT ? error.errno : EIO;
  return new FsError(errno, `Cannot flush inode ${ino}: ${reason}`);
}
