/**
 * The `chunk_locations` table (schema v2): for a filesystem on storage nodes,
 * where each uploaded chunk's shards are. A chunk of the chunk map without a
 * row here has not been uploaded yet; its bytes are only in the local cache.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A mapped chunk that has no location yet. */
export interface UnuploadedChunk {
  ref: string;
  lengthBytes: number;
}

export class ChunkLocationTable {
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #delete: StatementSync;
  readonly #unuploaded: StatementSync;
  readonly #dataBytes: StatementSync;
  readonly #withNode: StatementSync;
  readonly #page: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare("SELECT location FROM chunk_locations WHERE ref = ?");
    this.#set = db.prepare(
      "INSERT OR REPLACE INTO chunk_locations (ref, location) VALUES (?, ?)",
    );
    this.#delete = db.prepare("DELETE FROM chunk_locations WHERE ref = ?");
    // One scan at start: the chunk map has no index on ref, and needs none elsewhere.
    this.#unuploaded = db.prepare(
      `SELECT c.ref AS ref, c.length AS length FROM chunks c
         LEFT JOIN chunk_locations l ON l.ref = c.ref WHERE l.ref IS NULL`,
    );
    this.#dataBytes = db.prepare("SELECT coalesce(sum(data_bytes), 0) AS n FROM inodes");
    // Node ids appear in the location JSON as quoted strings; the caller checks each match.
    this.#withNode = db.prepare(
      "SELECT ref, location FROM chunk_locations WHERE instr(location, ?) > 0",
    );
    // Keyset paging on the primary key: a walk over every row holds one page at a time.
    this.#page = db.prepare(
      "SELECT ref, location FROM chunk_locations WHERE ref > ? ORDER BY ref LIMIT ?",
    );
  }

  /** The location text of an uploaded chunk, or undefined. */
  get(ref: string): string | undefined {
    const row = this.#get.get(ref);
    return row === undefined ? undefined : row.location as string;
  }

  set(ref: string, location: string): void {
    this.#set.run(ref, location);
  }

  delete(ref: string): void {
    this.#delete.run(ref);
  }

  /** Every chunk the chunk map names that has no location (a full scan: call at start). */
  unuploaded(): UnuploadedChunk[] {
    return this.#unuploaded.all().map((row) => ({
      ref: row.ref as string,
      lengthBytes: row.length as number,
    }));
  }

  /** Every location that may name `nodeId` (a text match: check the decoded location). */
  mentioning(nodeId: string): { ref: string; location: string }[] {
    return this.#withNode.all(JSON.stringify(nodeId)).map((row) => ({
      ref: row.ref as string,
      location: row.location as string,
    }));
  }

  /** Up to `limit` located chunks whose ref sorts after `afterRef` ("" for the first page), by ref. */
  page(afterRef: string, limit: number): { ref: string; location: string }[] {
    return this.#page.all(afterRef, limit).map((row) => ({
      ref: row.ref as string,
      location: row.location as string,
    }));
  }

  /** The bytes of file data the filesystem holds (the sum of its chunk lengths). */
  dataBytes(): number {
    return Number(this.#dataBytes.get()?.n ?? 0);
  }
}
