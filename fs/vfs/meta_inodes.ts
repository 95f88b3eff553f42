/**
 * The `inodes` table: one row per file, directory, symlink or special file.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Ino, Timespec } from "./types.ts";

/** An inode row. The vfs reads one, changes fields and writes it back. */
export interface Inode {
  ino: Ino;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  sizeBytes: number;
  /** The sum of the chunk lengths: the bytes that are not holes. */
  dataBytes: number;
  rdev: number;
  generation: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

/** An inode without its number, for inserting. */
export type NewInode = Omit<Inode, "ino">;

const COLUMNS = `ino, mode, uid, gid, nlink, size, data_bytes, rdev, generation,
  atime_s, atime_ns, mtime_s, mtime_ns, ctime_s, ctime_ns`;

/** Turns a row selected with the inode columns (possibly among others) into an {@link Inode}. */
export function inodeFromRow(row: Record<string, unknown>): Inode {
  return {
    ino: row.ino as number,
    mode: row.mode as number,
    uid: row.uid as number,
    gid: row.gid as number,
    nlink: row.nlink as number,
    sizeBytes: row.size as number,
    dataBytes: row.data_bytes as number,
    rdev: row.rdev as number,
    generation: row.generation as number,
    atime: { sec: row.atime_s as number, nsec: row.atime_ns as number },
    mtime: { sec: row.mtime_s as number, nsec: row.mtime_ns as number },
    ctime: { sec: row.ctime_s as number, nsec: row.ctime_ns as number },
  };
}

/** The inode columns, qualified by a table alias, for joins. */
export function inodeColumns(alias: string): string {
  return COLUMNS.split(",").map((column) => `${alias}.${column.trim()}`).join(", ");
}

export class InodeTable {
  readonly #get: StatementSync;
  readonly #insert: StatementSync;
  readonly #update: StatementSync;
  readonly #delete: StatementSync;
  readonly #count: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM inodes WHERE ino = ?`);
    this.#insert = db.prepare(
      `INSERT INTO inodes (mode, uid, gid, nlink, size, data_bytes, rdev, generation,
         atime_s, atime_ns, mtime_s, mtime_ns, ctime_s, ctime_ns)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#update = db.prepare(
      `UPDATE inodes SET mode = ?, uid = ?, gid = ?, nlink = ?, size = ?, data_bytes = ?,
         rdev = ?, generation = ?, atime_s = ?, atime_ns = ?, mtime_s = ?, mtime_ns = ?,
         ctime_s = ?, ctime_ns = ?
       WHERE ino = ?`,
    );
    this.#delete = db.prepare("DELETE FROM inodes WHERE ino = ?");
    this.#count = db.prepare("SELECT count(*) AS n FROM inodes");
  }

  get(ino: Ino): Inode | undefined {
    const row = this.#get.get(ino);
    return row === undefined ? undefined : inodeFromRow(row);
  }

  /** Inserts a row and returns it with its new number. */
  insert(inode: NewInode): Inode {
    const result = this.#insert.run(...fieldsOf(inode));
    return { ino: Number(result.lastInsertRowid), ...inode };
  }

  update(inode: Inode): void {
    this.#update.run(...fieldsOf(inode), inode.ino);
  }

  delete(ino: Ino): void {
    this.#delete.run(ino);
  }

  count(): number {
    return this.#count.get()!.n as number;
  }
}

function fieldsOf(inode: NewInode): number[] {
  return [
    inode.mode,
    inode.uid,
    inode.gid,
    inode.nlink,
    inode.sizeBytes,
    inode.dataBytes,
    inode.rdev,
    inode.generation,
    inode.atime.sec,
    inode.atime.nsec,
    inode.mtime.sec,
    inode.mtime.nsec,
    inode.ctime.sec,
    inode.ctime.nsec,
  ];
}
