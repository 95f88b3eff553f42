/**
 * Deleting chunks the chunk map no longer points at. A ref goes into the
 * `chunk_gc` table in the same transaction that unmaps it (or, for a chunk
 * about to be written, before the write), and leaves it only after the backend
 * deleted it; so a crash at any point leaves the ref listed, and the next
 * start deletes it.
 *
 * @module
 */

import type { VfsCore } from "./_core.ts";

/** How many garbage refs one pass of {@link collectGarbage} reads at a time. */
const GARBAGE_BATCH_MAX = 256;

/** Deletes `refs` from the backend and from the garbage list; returns those deleted. */
export async function deleteChunks(core: VfsCore, refs: readonly string[]): Promise<string[]> {
  if (refs.length === 0) return [];
  // The commit that unmapped them must be in before the chunks go.
  core.store.commitPending();
  const deleted: string[] = [];
  for (const ref of refs) {
    core.cache.delete(ref);
    try {
      await core.backend.delete(ref);
      deleted.push(ref);
    } catch {
      // Left in chunk_gc: the next collectGarbage() tries again.
    }
  }
  if (deleted.length > 0) {
    // Grouped: if it is lost, the refs stay listed and are deleted again (a no-op).
    core.store.groupedTransaction(() => {
      for (const ref of deleted) core.store.garbage.remove(ref);
    });
  }
  return deleted;
}

/**
 * Deletes every listed garbage chunk, except those a flush is writing now and
 * those the backend refuses to delete. Returns how many were deleted.
 */
export async function collectGarbage(core: VfsCore): Promise<number> {
  let total = 0;
  const kept = new Set<string>();
  while (true) {
    const batch = core.store.garbage.list(GARBAGE_BATCH_MAX + kept.size)
      .filter((ref) => !kept.has(ref));
    if (batch.length === 0) return total;
    const idle = batch.filter((ref) => !core.refsInFlight.has(ref));
    const deleted = new Set(await deleteChunks(core, idle));
    for (const ref of batch) if (!deleted.has(ref)) kept.add(ref);
    total += deleted.size;
  }
}
