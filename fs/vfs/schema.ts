/**
 * The SQLite schema of the metadata store, version by version. SCHEMA.md
 * beside this file explains every table and the reasons; keep the two in step.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";

/** The schema version this program writes and reads. */
export const SCHEMA_VERSION = 2;

/**
 * Version 1. `AUTOINCREMENT` keeps inode numbers and directory cookies from
 * ever being reused, so a stale FUSE node id or readdir offset never names a
 * different object.
 */
const SCHEMA_V1 = `
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE inodes (
  ino INTEGER PRIMARY KEY AUTOINCREMENT,
  mode INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  gid INTEGER NOT NULL,
  nlink INTEGER NOT NULL CHECK (nlink >= 0),
  size INTEGER NOT NULL CHECK (size >= 0),
  data_bytes INTEGER NOT NULL CHECK (data_bytes >= 0),
  rdev INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  atime_s INTEGER NOT NULL, atime_ns INTEGER NOT NULL,
  mtime_s INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
  ctime_s INTEGER NOT NULL, ctime_ns INTEGER NOT NULL
);
CREATE TABLE dentries (
  cookie INTEGER PRIMARY KEY AUTOINCREMENT,
  parent INTEGER NOT NULL REFERENCES inodes(ino),
  name BLOB NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  ino INTEGER NOT NULL REFERENCES inodes(ino),
  UNIQUE (parent, name)
);
CREATE INDEX dentries_by_parent ON dentries (parent, cookie);
CREATE INDEX dentries_by_ino ON dentries (ino);
CREATE TABLE symlinks (
  ino INTEGER PRIMARY KEY REFERENCES inodes(ino) ON DELETE CASCADE,
  target BLOB NOT NULL
);
CREATE TABLE xattrs (
  ino INTEGER NOT NULL REFERENCES inodes(ino) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (ino, name)
) WITHOUT ROWID;
CREATE TABLE chunks (
  ino INTEGER NOT NULL REFERENCES inodes(ino) ON DELETE CASCADE,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  ref TEXT NOT NULL,
  length INTEGER NOT NULL CHECK (length > 0),
  PRIMARY KEY (ino, idx)
) WITHOUT ROWID;
CREATE TABLE orphans (ino INTEGER PRIMARY KEY REFERENCES inodes(ino) ON DELETE CASCADE);
CREATE TABLE chunk_gc (ref TEXT PRIMARY KEY) WITHOUT ROWID;
`;

/**
 * Version 2: where each chunk's shards are, for a filesystem whose data lives on
 * storage nodes (the write-back backend fills it as uploads finish). A table of its own
 * rather than a column of `chunks`: an upload finishes after the chunk was mapped, and a
 * repair moves shards without touching the file's chunk map.
 */
const SCHEMA_V2_ADDITIONS = `
CREATE TABLE chunk_locations (ref TEXT PRIMARY KEY, location TEXT NOT NULL) WITHOUT ROWID;
`;

/** Brings a database of an older version up to {@link SCHEMA_VERSION}, in one transaction. */
export function migrateSchema(db: DatabaseSync, fromVersion: number): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    if (fromVersion < 2) db.exec(SCHEMA_V2_ADDITIONS);
    db.prepare("UPDATE schema_version SET version = ?").run(SCHEMA_VERSION);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/** What a new filesystem starts with. */
export interface SchemaInit {
  chunkSizeBytes: number;
  rootMode: number;
  rootUid: number;
  rootGid: number;
  nowSec: number;
  nowNsec: number;
}

/** The version recorded in the database, or 0 for an empty database. */
export function readSchemaVersion(db: DatabaseSync): number {
  const table = db.prepare(
    "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
  ).get();
  if (table === undefined) return 0;
  const row = db.prepare("SELECT version FROM schema_version").get();
  return row === undefined ? 0 : Number(row.version);
}

/** Creates the current schema and the root directory (ino 1), in one transaction. */
export function createSchema(db: DatabaseSync, init: SchemaInit): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(SCHEMA_V1);
    db.exec(SCHEMA_V2_ADDITIONS);
    db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SCHEMA_VERSION);
    const setMeta = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    setMeta.run("chunk_size_bytes", init.chunkSizeBytes);
    setMeta.run("created_sec", init.nowSec);
    setMeta.run("filesystem_id", crypto.randomUUID());
    const { nowSec: s, nowNsec: ns } = init;
    db.prepare(
      `INSERT INTO inodes (ino, mode, uid, gid, nlink, size, data_bytes, rdev, generation,
         atime_s, atime_ns, mtime_s, mtime_ns, ctime_s, ctime_ns)
       VALUES (1, ?, ?, ?, 2, 4096, 0, 0, 0, ?, ?, ?, ?, ?, ?)`,
    ).run(init.rootMode, init.rootUid, init.rootGid, s, ns, s, ns, s, ns);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
