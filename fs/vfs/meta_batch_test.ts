/** Grouped commits (meta_batch.ts) through the MetaStore and the Vfs, seen as a kill -9 would leave them. */

import assert from "node:assert/strict";
import { MetaStore } from "./meta_store.ts";
import { openTestVfs, readCommitted, ROOT, testInode } from "./_testing.ts";

const ROOT_INO = 1;

/** Names in the root directory, as a kill -9 now would leave them. */
function committedNames(path: string): string[] {
  return readCommitted(
    path,
    (db) =>
      db.prepare("SELECT name FROM dentries WHERE parent = 1 ORDER BY name").all()
        .map((row) => new TextDecoder().decode(row.name as Uint8Array)),
  );
}

function insertFile(store: MetaStore, name: string): void {
  const inode = store.inodes.insert(testInode());
  store.dentries.insert(ROOT_INO, new TextEncoder().encode(name), inode.ino);
}

Deno.test("grouped changes are visible at once here and committed together later", async () => {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-batch-" });
  const path = `${directory}/m.sqlite`;
  const store = MetaStore.open(path);
  try {
    store.groupedTransaction(() => insertFile(store, "a"));
    store.groupedTransaction(() => insertFile(store, "b"));
    assert.notEqual(store.dentries.lookup(ROOT_INO, new TextEncoder().encode("b")), undefined);
    assert.deepEqual(committedNames(path), []);
    // A failing change is undone alone; the grouped ones before it stay.
    assert.throws(() =>
      store.groupedTransaction(() => {
        insertFile(store, "c");
        throw new Error("refused");
      }), /refused/);
    assert.equal(store.dentries.lookup(ROOT_INO, new TextEncoder().encode("c")), undefined);
    store.commitPending();
    assert.deepEqual(committedNames(path), ["a", "b"]);
    // An immediate transaction commits the grouped changes before it too.
    store.groupedTransaction(() => insertFile(store, "d"));
    store.transaction(() => insertFile(store, "e"));
    assert.deepEqual(committedNames(path), ["a", "b", "d", "e"]);
    // close() commits what is still grouped.
    store.groupedTransaction(() => insertFile(store, "f"));
  } finally {
    store.close();
  }
  assert.deepEqual(committedNames(path), ["a", "b", "d", "e", "f"]);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("grouped changes are committed on the next turn of the event loop", async () => {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-batch-" });
  const path = `${directory}/m.sqlite`;
  const store = MetaStore.open(path);
  try {
    store.groupedTransaction(() => insertFile(store, "a"));
    assert.deepEqual(committedNames(path), []);
    // A timer set after the change fires after the commit's (both 0 ms, in order).
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(committedNames(path), ["a"]);
  } finally {
    store.close();
  }
  await Deno.remove(directory, { recursive: true });
});

Deno.test("close(2) of a created file commits it; unlink is grouped until then", async () => {
  await using test = await openTestVfs();
  const path = `${test.directory}/meta.sqlite`;
  const { vfs } = test;
  const created = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "kept",
    mode: 0o644,
    flags: 0o101,
    umask: 0,
  });
  assert.deepEqual(committedNames(path), []);
  await vfs.flush(ROOT, created.fh);
  assert.deepEqual(committedNames(path), ["kept"]);
  await vfs.release(ROOT, created.fh);
  await vfs.unlink(ROOT, ROOT_INO, "kept");
  assert.deepEqual(committedNames(path), ["kept"]);
  test.store.commitPending();
  assert.deepEqual(committedNames(path), []);
});

Deno.test("an inode changed by a failed transaction reads back as it was (cache dropped)", async () => {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-batch-" });
  const store = MetaStore.open(`${directory}/m.sqlite`);
  try {
    const before = store.inodes.get(ROOT_INO)!;
    for (const run of [store.transaction, store.groupedTransaction]) {
      assert.throws(() =>
        run.call(store, () => {
          const root = store.inodes.get(ROOT_INO)!;
          root.nlink = 99;
          root.mtime = { sec: 12345, nsec: 6 };
          store.inodes.update(root);
          assert.equal(store.inodes.get(ROOT_INO)!.nlink, 99);
          throw new Error("refused");
        }), /refused/);
      assert.deepEqual(store.inodes.get(ROOT_INO), before);
    }
    // A caller changing its copy without update() changes nothing stored or cached.
    store.inodes.get(ROOT_INO)!.nlink = 7;
    assert.deepEqual(store.inodes.get(ROOT_INO), before);
    assert.equal(store.query("SELECT nlink FROM inodes WHERE ino = 1")[0]!.nlink, before.nlink);
  } finally {
    store.close();
  }
  await Deno.remove(directory, { recursive: true });
});
