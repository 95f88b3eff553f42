/**
 * The tables hanging off an inode: its chunk map, symlink target, xattrs, its
 * orphan record, and the chunk garbage list (`chunk_gc`) that makes chunk
 * writes and deletions crash-safe.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Ino } from "./types.ts";

/** One chunk-map row: chunk `index` of a file is stored under `ref`. */
export interface ChunkRow {
  index: number;
  ref: string;
  /** Bytes of the chunk that belong to the file; the rest of the chunk reads as zeros. */
  lengthBytes: number;
}

export class ChunkTable {
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #remove: StatementSync;
  readonly #listFrom: StatementSync;
  readonly #removeFrom: StatementSync;
  readonly #sum: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare("SELECT ref, length FROM chunks WHERE ino = ? AND idx = ?");
    this.#put = db.prepare(
      "INSERT OR REPLACE INTO chunks (ino, idx, ref, length) VALUES (?, ?, ?, ?)",
    );
    this.#remove = db.prepare("DELETE FROM chunks WHERE ino = ? AND idx = ?");
    this.#listFrom = db.prepare(
      "SELECT idx, ref, length FROM chunks WHERE ino = ? AND idx >= ? ORDER BY idx LIMIT ?",
    );
    this.#removeFrom = db.prepare("DELETE FROM chunks WHERE ino = ? AND idx >= ?");
    this.#sum = db.prepare("SELECT coalesce(sum(length), 0) AS n FROM chunks WHERE ino = ?");
  }

  get(ino: Ino, index: number): ChunkRow | undefined {
    const row = this.#get.get(ino, index);
    if (row === undefined) return undefined;
    return { index, ref: row.ref as string, lengthBytes: row.length as number };
  }

  put(ino: Ino, row: ChunkRow): void {
    this.#put.run(ino, row.index, row.ref, row.lengthBytes);
  }

  remove(ino: Ino, index: number): void {
    this.#remove.run(ino, index);
  }

  /** Up to `limit` rows from chunk `fromIndex` on, in index order. */
  listFrom(ino: Ino, fromIndex: number, limit: number): ChunkRow[] {
    return this.#listFrom.all(ino, fromIndex, limit).map((row) => ({
      index: row.idx as number,
      ref: row.ref as string,
      lengthBytes: row.length as number,
    }));
  }

  /** Every row from chunk `fromIndex` on (all of them with 0). */
  listAllFrom(ino: Ino, fromIndex: number): ChunkRow[] {
    return this.listFrom(ino, fromIndex, -1);
  }

  removeFrom(ino: Ino, fromIndex: number): void {
    this.#removeFrom.run(ino, fromIndex);
  }

  /** The sum of the lengths (for checks; the inode's data_bytes is the fast answer). */
  sumLengths(ino: Ino): number {
    return this.#sum.get(ino)!.n as number;
  }
}

/**
 * Chunk refs that may exist in the chunk backend and must be deleted there:
 * refs about to be written (deleted unless the commit that maps them also
 * removes them from here) and refs no longer mapped.
 */
export class GarbageTable {
  readonly #add: StatementSync;
  readonly #remove: StatementSync;
  readonly #list: StatementSync;

  constructor(db: DatabaseSync) {
    this.#add = db.prepare("INSERT OR IGNORE INTO chunk_gc (ref) VALUES (?)");
    this.#remove = db.prepare("DELETE FROM chunk_gc WHERE ref = ?");
    this.#list = db.prepare("SELECT ref FROM chunk_gc LIMIT ?");
  }

  add(ref: string): void {
    this.#add.run(ref);
  }

  remove(ref: string): void {
    this.#remove.run(ref);
  }

  list(limit: number): string[] {
    return this.#list.all(limit).map((row) => row.ref as string);
  }
}

export class SymlinkTable {
  readonly #get: StatementSync;
  readonly #put: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare("SELECT target FROM symlinks WHERE ino = ?");
    this.#put = db.prepare("INSERT INTO symlinks (ino, target) VALUES (?, ?)");
  }

  get(ino: Ino): Uint8Array | undefined {
    return this.#get.get(ino)?.target as Uint8Array | undefined;
  }

  put(ino: Ino, target: Uint8Array): void {
    this.#put.run(ino, target);
  }
}

export class XattrTable {
  readonly #get: StatementSync;
  readonly #put: StatementSync;
  readonly #remove: StatementSync;
  readonly #list: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare("SELECT value FROM xattrs WHERE ino = ? AND name = ?");
    this.#put = db.prepare("INSERT OR REPLACE INTO xattrs (ino, name, value) VALUES (?, ?, ?)");
    this.#remove = db.prepare("DELETE FROM xattrs WHERE ino = ? AND name = ?");
    this.#list = db.prepare("SELECT name FROM xattrs WHERE ino = ? ORDER BY name");
  }

  get(ino: Ino, name: string): Uint8Array | undefined {
    return this.#get.get(ino, name)?.value as Uint8Array | undefined;
  }

  put(ino: Ino, name: string, value: Uint8Array): void {
    this.#put.run(ino, name, value);
  }

  /** Whether there was such an xattr. */
  remove(ino: Ino, name: string): boolean {
    return Number(this.#remove.run(ino, name).changes) > 0;
  }

  list(ino: Ino): string[] {
    return this.#list.all(ino).map((row) => row.name as string);
  }
}

/** Inodes with no name left that stay while a handle has them open. */
export class OrphanTable {
  readonly #add: StatementSync;
  readonly #remove: StatementSync;
  readonly #list: StatementSync;

  constructor(db: DatabaseSync) {
    this.#add = db.prepare("INSERT OR IGNORE INTO orphans (ino) VALUES (?)");
    this.#remove = db.prepare("DELETE FROM orphans WHERE ino = ?");
    this.#list = db.prepare("SELECT ino FROM orphans ORDER BY ino");
  }

  add(ino: Ino): void {
    this.#add.run(ino);
  }

  remove(ino: Ino): void {
    this.#remove.run(ino);
  }

  list(): Ino[] {
    return this.#list.all().map((row) => row.ino as number);
  }
}
