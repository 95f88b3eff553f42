/**
 * Recovery of the metadata store from the storage nodes alone: the newest
 * superblock, its snapshot, then its log segments applied in order.
 */
import { DatabaseSync } from "node:sqlite";
import type { ChunkStore } from "../../chunk/mod.ts";
import { dirname } from "node:path";
import { decodeChunkRef } from "../chunk_store_backend.ts";
import { decodeSegment } from "./segment.ts";
import { writeReplicatedSeq } from "./state_file.ts";
import type { Superblock, SuperblockStore } from "./superblock.ts";

/** Rebuilds the SQLite file at `path` (which must not exist) and returns the superblock used. */
export async function recoverMetadata(
  path: string,
  chunks: ChunkStore,
  superblocks: SuperblockStore,
): Promise<Superblock> {
  const superblock = await superblocks.readLatest();
  if (superblock === undefined) {
    throw new Error("Cannot recover metadata: no node holds a superblock readable with this key");
  }
  // Created here, outside the clean-up below: an existing file is refused, never removed.
  (await Deno.open(path, { write: true, createNew: true, mode: 0o600 })).close();
  try {
    await rebuildFile(path, superblock, chunks);
  } catch (error) {
    // Leave nothing half-built behind: a later attempt starts clean.
    await Deno.remove(path).catch(() => {});
    throw error;
  }
  await writeReplicatedSeq(dirname(path), superblock.seq);
  return superblock;
}

async function rebuildFile(
  path: string,
  superblock: Superblock,
  chunks: ChunkStore,
): Promise<void> {
  const file = await Deno.open(path, { write: true, truncate: true });
  try {
    for (const ref of superblock.snapshot.pieces) {
      const piece = await chunks.get(decodeChunkRef(ref).location);
      let written = 0;
      while (written < piece.length) written += await file.write(piece.subarray(written));
    }
    await file.sync();
  } finally {
    file.close();
  }
  // Foreign keys off while the log is applied: a changeset holds every row a delete removed,
  // cascaded ones too; with them on, deleting an inode would cascade to its chunk rows first,
  // and the changeset's own deletes of those rows would then find nothing (and abort).
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: false });
  try {
    for (const ref of superblock.segments) {
      const { changeset } = decodeSegment(await chunks.get(decodeChunkRef(ref).location));
      const applied = (db as unknown as { applyChangeset(c: Uint8Array): boolean }).applyChangeset(
        changeset,
      );
      if (!applied) {
        throw new Error("Cannot recover metadata: a log segment does not apply to the snapshot");
      }
    }
  } finally {
    db.close();
  }
}
