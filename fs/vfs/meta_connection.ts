/**
 * How the metadata store's SQLite connection is set up: the pragmas of
 * SCHEMA.md's table, with the reasons for their values.
 *
 * @module
 */

import type { DatabaseSync } from "node:sqlite";

/**
 * Page size of a new database (an existing one keeps its own). A commit
 * appends every page it touched to the log (~7 for a create), and a
 * checkpoint syncs the whole log: with 1 KiB pages instead of SQLite's 4 KiB
 * the log takes a quarter of the bytes. In-process, a close(2) that commits a
 * create took ~38 us instead of ~62 us (checkpoints included). Through a
 * mount, in three sets of alternating runs (medians): creates +12% and +14%
 * in two and equal in the first, untar +10-14% in all three; stat and unlink
 * mixed (equal in-process). Rows stay small (a name is at most 255 bytes);
 * the trees are a level deeper, which the page cache absorbs.
 */
const PAGE_SIZE_BYTES = 1024;

/**
 * WAL pages after which a commit copies the log back into the database (a
 * checkpoint, with two disk flushes, run by the commit that passes the mark).
 * SQLite's default is 1000: a checkpoint every ~70 small files untarred.
 * 8192 (8 MiB of log) makes them eight times rarer, and most pages they copy
 * were written many times over (the directory's row, index pages); 32768 did
 * no better.
 */
const WAL_AUTOCHECKPOINT_PAGES = 8192;

/**
 * SQLite's page cache, KiB (it grows to this only as pages are used). The
 * default, 2 MiB, is smaller than the indexes of a tree of ~10k files, so
 * lookups and inserts read pages again from the OS.
 */
const PAGE_CACHE_KIB = 32 * 1024;

/**
 * Sets the connection's pragmas. page_size comes first: it applies only to a
 * database not created yet. `synchronous` is "NORMAL" or "FULL" (MetaStoreOptions).
 */
export function configureConnection(db: DatabaseSync, synchronous: "NORMAL" | "FULL"): void {
  db.exec(
    `PRAGMA page_size = ${PAGE_SIZE_BYTES}; PRAGMA locking_mode = EXCLUSIVE;
     PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;
     PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES};
     PRAGMA cache_size = -${PAGE_CACHE_KIB};`,
  );
}
