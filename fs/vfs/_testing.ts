/**
 * Test helpers: a Vfs over a temporary SQLite file and chunk directory,
 * callers, and byte patterns.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { FsError } from "../errno.ts";
import type { VfsOptions } from "./_core.ts";
import { DiskChunkBackend } from "./disk_chunk_backend.ts";
import type { NewInode } from "./meta_inodes.ts";
import { MetaStore } from "./meta_store.ts";
import type { CallContext } from "./types.ts";
import { Vfs } from "./vfs.ts";

export const ROOT: CallContext = { uid: 0, gid: 0 };
export const ALICE: CallContext = { uid: 1000, gid: 1000 };
export const BOB: CallContext = { uid: 1001, gid: 1001 };

export interface TestVfsOptions extends VfsOptions {
  chunkSizeBytes?: number;
  capacityBytes?: number;
  /** The root directory's permission bits. @default 0o777 */
  rootMode?: number;
}

export interface TestVfs extends AsyncDisposable {
  directory: string;
  store: MetaStore;
  backend: DiskChunkBackend;
  vfs: Vfs;
  /** Closes the store (as a crash would leave it) and opens everything again. */
  reopen(): Promise<void>;
}

/** A Vfs over a fresh temporary directory; dispose it to remove the directory. */
export async function openTestVfs(options: TestVfsOptions = {}): Promise<TestVfs> {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-vfs-" });
  const storePath = `${directory}/meta.sqlite`;
  const open = async () => {
    const store = MetaStore.open(storePath, {
      chunkSizeBytes: options.chunkSizeBytes,
      rootMode: options.rootMode ?? 0o777,
    });
    const backend = await DiskChunkBackend.open(`${directory}/chunks`, {
      capacityBytes: options.capacityBytes,
    });
    return { store, backend, vfs: new Vfs(store, backend, options) };
  };
  const test = { directory, ...(await open()) } as TestVfs;
  test.reopen = async () => {
    test.store.close();
    Object.assign(test, await open());
  };
  test[Symbol.asyncDispose] = async () => {
    test.store.close();
    await Deno.remove(directory, { recursive: true });
  };
  return test;
}

/** A predicate for assert.rejects / assert.throws: an FsError with `errno`. */
export function isErrno(errno: number): (error: unknown) => boolean {
  return (error) => {
    if (error instanceof FsError && error.errno === errno) return true;
    throw error;
  };
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** `length` bytes of a pattern that differs for each `seed` and offset. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** An empty regular file's inode row (mode 0644, owner root, times at 1 s), for store tests. */
export function testInode(changes: Partial<NewInode> = {}): NewInode {
  const now = { sec: 1, nsec: 0 };
  return {
    mode: 0o100644,
    uid: 0,
    gid: 0,
    nlink: 1,
    sizeBytes: 0,
    dataBytes: 0,
    rdev: 0,
    generation: 0,
    atime: now,
    mtime: now,
    ctime: now,
    ...changes,
  };
}

/**
 * Runs `read` on what a kill -9 would leave of the metadata database at `path`
 * now: a copy of its files opened apart. The open store holds its database
 * exclusively (SCHEMA.md), so no other connection can read it in place.
 */
export function readCommitted<T>(path: string, read: (db: DatabaseSync) => T): T {
  const directory = Deno.makeTempDirSync({ prefix: "qsfs-committed-" });
  try {
    const copy = `${directory}/meta.sqlite`;
    Deno.copyFileSync(path, copy);
    try {
      Deno.copyFileSync(`${path}-wal`, `${copy}-wal`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const db = new DatabaseSync(copy);
    try {
      return read(db);
    } finally {
      db.close();
    }
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
}
