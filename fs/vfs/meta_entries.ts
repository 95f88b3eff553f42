/**
 * The `dentries` table: the names in directories. A row's `cookie` is its
 * readdir position: it only grows, so a listing resumed from a cookie neither
 * repeats nor skips the entries that stayed in place.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { type Inode, inodeColumns, inodeFromRow } from "./meta_inodes.ts";
import type { Ino } from "./types.ts";

/** A directory entry with its inode, as readdir lists it. */
export interface ListedEntry {
  cookie: number;
  name: Uint8Array;
  inode: Inode;
}

export class DentryTable {
  readonly #lookup: StatementSync;
  readonly #insert: StatementSync;
  readonly #remove: StatementSync;
  readonly #setIno: StatementSync;
  readonly #firstChild: StatementSync;
  readonly #parentOf: StatementSync;
  readonly #list: StatementSync;
  readonly #countLinks: StatementSync;

  constructor(db: DatabaseSync) {
    this.#lookup = db.prepare("SELECT ino FROM dentries WHERE parent = ? AND name = ?");
    this.#insert = db.prepare("INSERT INTO dentries (parent, name, ino) VALUES (?, ?, ?)");
    this.#remove = db.prepare("DELETE FROM dentries WHERE parent = ? AND name = ?");
    this.#setIno = db.prepare("UPDATE dentries SET ino = ? WHERE parent = ? AND name = ?");
    this.#firstChild = db.prepare("SELECT 1 AS found FROM dentries WHERE parent = ? LIMIT 1");
    this.#parentOf = db.prepare("SELECT parent FROM dentries WHERE ino = ? LIMIT 1");
    this.#list = db.prepare(
      `SELECT d.cookie, d.name, ${inodeColumns("i")}
       FROM dentries d JOIN inodes i ON i.ino = d.ino
       WHERE d.parent = ? AND d.cookie > ? ORDER BY d.cookie LIMIT ?`,
    );
    this.#countLinks = db.prepare("SELECT count(*) AS n FROM dentries WHERE ino = ?");
  }

  /** The inode `name` names in `parent`, if any. */
  lookup(parent: Ino, name: Uint8Array): Ino | undefined {
    const row = this.#lookup.get(parent, name);
    return row === undefined ? undefined : row.ino as number;
  }

  insert(parent: Ino, name: Uint8Array, ino: Ino): void {
    this.#insert.run(parent, name, ino);
  }

  remove(parent: Ino, name: Uint8Array): void {
    this.#remove.run(parent, name);
  }

  /** Points an existing entry at another inode, keeping its readdir position. */
  setIno(parent: Ino, name: Uint8Array, ino: Ino): void {
    this.#setIno.run(ino, parent, name);
  }

  hasChildren(parent: Ino): boolean {
    return this.#firstChild.get(parent) !== undefined;
  }

  /** The directory holding `ino` (for a directory, its only one), if it is linked. */
  parentOf(ino: Ino): Ino | undefined {
    const row = this.#parentOf.get(ino);
    return row === undefined ? undefined : row.parent as number;
  }

  /** Up to `limit` entries of `parent` after `afterCookie`, in cookie order. */
  list(parent: Ino, afterCookie: number, limit: number): ListedEntry[] {
    return this.#list.all(parent, afterCookie, limit).map((row) => ({
      cookie: row.cookie as number,
      name: row.name as Uint8Array,
      inode: inodeFromRow(row),
    }));
  }

  /** How many entries name `ino` (for checks; the inode's nlink is the fast answer). */
  countLinks(ino: Ino): number {
    return this.#countLinks.get(ino)!.n as number;
  }
}
