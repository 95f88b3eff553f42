/**
 * {@link checkMetadata}: a consistency check of the metadata store (fsck
 * style), used by the crash tests and available to a future `qsfs fsck`.
 * Read-only; every check is one SQL query.
 *
 * @module
 */

import { ROOT_INO, S_IFDIR, S_IFLNK, S_IFMT } from "./constants.ts";
import type { MetaStore } from "./meta_store.ts";

export interface MetadataProblem {
  check: string;
  detail: string;
}

interface Check {
  name: string;
  /** Each row returned is one problem. */
  sql: string;
}

const CHECKS: readonly Check[] = [
  {
    name: "the root is a directory",
    sql: `SELECT 'no root directory' AS detail WHERE NOT EXISTS
            (SELECT 1 FROM inodes WHERE ino = ${ROOT_INO} AND (mode & ${S_IFMT}) = ${S_IFDIR})`,
  },
  {
    name: "every entry names an inode in a directory",
    sql:
      `SELECT 'entry ' || d.cookie || ' (parent ' || d.parent || ', ino ' || d.ino || ')' AS detail
          FROM dentries d LEFT JOIN inodes c ON c.ino = d.ino LEFT JOIN inodes p ON p.ino = d.parent
          WHERE c.ino IS NULL OR p.ino IS NULL OR (p.mode & ${S_IFMT}) != ${S_IFDIR}`,
  },
  {
    name: "nlink of a non-directory counts its entries",
    sql: `SELECT 'inode ' || i.ino || ' has nlink ' || i.nlink || ' and ' || count(d.cookie)
            || ' entries' AS detail
          FROM inodes i LEFT JOIN dentries d ON d.ino = i.ino
          WHERE (i.mode & ${S_IFMT}) != ${S_IFDIR}
          GROUP BY i.ino HAVING i.nlink != count(d.cookie)`,
  },
  {
    name: "a directory has one entry and nlink 2 + its subdirectories",
    sql: `SELECT 'directory ' || i.ino || ' has nlink ' || i.nlink || ', ' ||
            (SELECT count(*) FROM dentries d WHERE d.ino = i.ino) || ' entries, ' ||
            (SELECT count(*) FROM dentries d JOIN inodes c ON c.ino = d.ino
               WHERE d.parent = i.ino AND (c.mode & ${S_IFMT}) = ${S_IFDIR}) || ' subdirs' AS detail
          FROM inodes i WHERE (i.mode & ${S_IFMT}) = ${S_IFDIR} AND (
            i.nlink != 2 + (SELECT count(*) FROM dentries d JOIN inodes c ON c.ino = d.ino
                            WHERE d.parent = i.ino AND (c.mode & ${S_IFMT}) = ${S_IFDIR})
            OR (SELECT count(*) FROM dentries d WHERE d.ino = i.ino)
               != CASE WHEN i.ino = ${ROOT_INO} THEN 0 ELSE 1 END)`,
  },
  {
    name: "an inode without entries is a recorded orphan",
    sql: `SELECT 'inode ' || i.ino || ' has no entry' AS detail FROM inodes i
          WHERE i.ino != ${ROOT_INO} AND NOT EXISTS (SELECT 1 FROM dentries d WHERE d.ino = i.ino)
            AND NOT EXISTS (SELECT 1 FROM orphans o WHERE o.ino = i.ino)`,
  },
  {
    name: "an orphan has no entries and nlink 0",
    sql: `SELECT 'orphan ' || o.ino AS detail FROM orphans o JOIN inodes i ON i.ino = o.ino
          WHERE i.nlink != 0 OR EXISTS (SELECT 1 FROM dentries d WHERE d.ino = o.ino)`,
  },
  {
    name: "data_bytes is the sum of the chunk lengths",
    sql: `SELECT 'inode ' || i.ino || ' has data_bytes ' || i.data_bytes || ', chunks '
            || coalesce(sum(c.length), 0) AS detail
          FROM inodes i LEFT JOIN chunks c ON c.ino = i.ino
          GROUP BY i.ino HAVING i.data_bytes != coalesce(sum(c.length), 0)`,
  },
  {
    name: "chunks lie within the file and the chunk size",
    sql: `SELECT 'inode ' || c.ino || ' chunk ' || c.idx || ' of ' || c.length || ' bytes' AS detail
          FROM chunks c JOIN inodes i ON i.ino = c.ino
          JOIN meta m ON m.key = 'chunk_size_bytes'
          WHERE c.length > m.value OR c.idx * m.value + c.length > i.size`,
  },
  {
    name: "a symlink has a target and only symlinks do",
    sql: `SELECT 'inode ' || i.ino AS detail FROM inodes i LEFT JOIN symlinks s ON s.ino = i.ino
          WHERE ((i.mode & ${S_IFMT}) = ${S_IFLNK}) != (s.ino IS NOT NULL)`,
  },
  {
    name: "no mapped chunk is listed as garbage",
    sql: `SELECT 'chunk ' || g.ref AS detail FROM chunk_gc g JOIN chunks c ON c.ref = g.ref`,
  },
  {
    name: "every directory is reachable from the root",
    sql: `WITH RECURSIVE reach(ino) AS (
            SELECT ${ROOT_INO}
            UNION SELECT d.ino FROM dentries d JOIN reach r ON d.parent = r.ino)
          SELECT 'inode ' || i.ino AS detail FROM inodes i
          WHERE (i.mode & ${S_IFMT}) = ${S_IFDIR} AND i.ino NOT IN (SELECT ino FROM reach)`,
  },
];

/** Every inconsistency found; empty when the tree is whole. */
export function checkMetadata(store: MetaStore): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  for (const check of CHECKS) {
    for (const row of store.query(check.sql)) {
      problems.push({ check: check.name, detail: String(row.detail) });
    }
  }
  return problems;
}
