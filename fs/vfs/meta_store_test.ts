import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { checkMetadata } from "./meta_check.ts";
import { MetaStore } from "./meta_store.ts";
import { SCHEMA_VERSION } from "./schema.ts";
import { testInode } from "./_testing.ts";

async function withDirectory(test: (directory: string) => void | Promise<void>) {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-meta-" });
  try {
    await test(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("MetaStore.open() creates a versioned schema with a root directory", async () => {
  await withDirectory((directory) => {
    const store = MetaStore.open(`${directory}/m.sqlite`, { rootUid: 7, rootMode: 0o700 });
    assert.equal(store.chunkSizeBytes, 4 * 1024 * 1024);
    const root = store.inodes.get(1)!;
    assert.deepEqual([root.mode, root.uid, root.nlink], [0o40700, 7, 2]);
    assert.equal(store.query("SELECT version FROM schema_version")[0]!.version, SCHEMA_VERSION);
    assert.equal(store.query("PRAGMA journal_mode")[0]!.journal_mode, "wal");
    assert.equal(store.query("PRAGMA wal_autocheckpoint")[0]!.wal_autocheckpoint, 8192);
    assert.equal(store.query("PRAGMA cache_size")[0]!.cache_size, -32 * 1024);
    assert.equal(store.query("PRAGMA page_size")[0]!.page_size, 1024);
    assert.deepEqual(checkMetadata(store), []);
    store.close();
  });
});

Deno.test("a database made with 4 KiB pages keeps them, and opens and stores as before", async () => {
  await withDirectory((directory) => {
    const path = `${directory}/m.sqlite`;
    // What an older qsfs made: SQLite's default page size, fixed by the first write.
    const old = new DatabaseSync(path);
    old.exec("PRAGMA page_size = 4096; CREATE TABLE scratch (x); DROP TABLE scratch;");
    old.close();
    const store = MetaStore.open(path);
    assert.equal(store.query("PRAGMA page_size")[0]!.page_size, 4096);
    store.transaction(() => {
      const inode = store.inodes.insert(testInode());
      store.dentries.insert(1, new TextEncoder().encode("kept"), inode.ino);
    });
    store.close();
    const reopened = MetaStore.open(path);
    assert.equal(reopened.query("PRAGMA page_size")[0]!.page_size, 4096);
    assert.notEqual(reopened.dentries.lookup(1, new TextEncoder().encode("kept")), undefined);
    assert.deepEqual(checkMetadata(reopened), []);
    reopened.close();
  });
});

Deno.test("MetaStore.open() refuses a newer schema and a different chunk size", async () => {
  await withDirectory((directory) => {
    const path = `${directory}/m.sqlite`;
    MetaStore.open(path, { chunkSizeBytes: 1 << 16 }).close();
    assert.throws(() => MetaStore.open(path, { chunkSizeBytes: 1 << 20 }), /65536-byte chunks/);
    const reopened = MetaStore.open(path);
    assert.equal(reopened.chunkSizeBytes, 1 << 16);
    reopened.close();
    const db = new DatabaseSync(path);
    db.exec(`UPDATE schema_version SET version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => MetaStore.open(path),
      new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this program`),
    );
    assert.throws(
      () => MetaStore.open(`${directory}/other.sqlite`, { chunkSizeBytes: 1000 }),
      RangeError,
    );
  });
});

Deno.test("MetaStore.transaction() commits all of a change or none of it", async () => {
  await withDirectory((directory) => {
    const store = MetaStore.open(`${directory}/m.sqlite`);
    const now = { sec: 1, nsec: 2 };
    const fields = testInode({ atime: now, mtime: now, ctime: now });
    assert.throws(() =>
      store.transaction(() => {
        const inode = store.inodes.insert(fields);
        store.dentries.insert(1, new Uint8Array([0x61]), inode.ino);
        throw new Error("crash in the middle");
      })
    );
    assert.equal(store.inodes.count(), 1);
    const inode = store.transaction(() => {
      const inode = store.inodes.insert(fields);
      store.dentries.insert(1, new Uint8Array([0x61]), inode.ino);
      return inode;
    });
    assert.equal(store.dentries.lookup(1, new Uint8Array([0x61])), inode.ino);
    store.commitDurably();
    assert.deepEqual(checkMetadata(store), []);
    store.close();
  });
});

Deno.test("MetaStore.open() migrates a version 1 store to version 2 and keeps its tree", async () => {
  // Proves old filesystems still open: v1 had no chunk_locations table.
  await withDirectory((directory) => {
    const path = `${directory}/m.sqlite`;
    const made = MetaStore.open(path, { chunkSizeBytes: 1 << 16 });
    const rootBefore = made.inodes.get(1);
    made.close();
    const db = new DatabaseSync(path);
    db.exec("DROP TABLE chunk_locations; UPDATE schema_version SET version = 1");
    db.close();
    const store = MetaStore.open(path);
    assert.equal(store.query("SELECT version FROM schema_version")[0]!.version, 2);
    store.locations.set("a".repeat(32), "{}");
    assert.equal(store.locations.get("a".repeat(32)), "{}");
    assert.deepEqual(store.inodes.get(1), rootBefore);
    assert.equal(store.chunkSizeBytes, 1 << 16);
    store.close();
  });
});
