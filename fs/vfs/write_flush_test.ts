// When buffered writes are stored: a writer filling chunks in order every 16 full chunks,
// scattered writes only at the dirty bound or on close.
import assert from "node:assert/strict";
import { isErrno, openTestVfs, pattern, ROOT } from "./_testing.ts";
import { EIO } from "../errno.ts";
import { O_RDWR, ROOT_INO } from "./constants.ts";
import { REFS_RESERVED_MIN } from "./_file_flush.ts";

const CHUNK = 64 * 1024;

Deno.test("a writer filling chunks in order stores them every 16 full chunks", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, dirtyBytesMax: 64 * CHUNK });
  const puts: number[] = [];
  const put = t.backend.put.bind(t.backend);
  t.backend.put = (data, ref) => (puts.push(data.length), put(data, ref));
  const { fh } = await t.vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "seq",
    mode: 0o644,
    flags: O_RDWR,
  });
  const data = pattern(20 * CHUNK, 3);
  for (let at = 0; at < 15 * CHUNK; at += CHUNK / 2) {
    await t.vfs.write(ROOT, { fh, offset: at, data: data.subarray(at, at + CHUNK / 2) });
  }
  assert.deepEqual(puts, []);
  for (let at = 15 * CHUNK; at < 20 * CHUNK; at += CHUNK / 2) {
    await t.vfs.write(ROOT, { fh, offset: at, data: data.subarray(at, at + CHUNK / 2) });
  }
  // The 16th full chunk stored all 16; the 4 after it wait for the next flush.
  assert.deepEqual(puts, new Array(16).fill(CHUNK));
  await t.vfs.flush(ROOT, fh);
  assert.equal(puts.length, 20);
  assert.deepEqual(await t.vfs.read(ROOT, { fh, offset: 0, sizeBytes: data.length }), data);
  await t.vfs.release(ROOT, fh);
});

Deno.test("scattered writes stay buffered until the dirty bound", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, dirtyBytesMax: 64 * CHUNK });
  let puts = 0;
  const put = t.backend.put.bind(t.backend);
  t.backend.put = (data, ref) => (puts++, put(data, ref));
  const { fh } = await t.vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "rnd",
    mode: 0o644,
    flags: O_RDWR,
  });
  // 40 chunks, each half written: nothing is full, and 20 chunks are under the bound.
  for (let index = 0; index < 40; index++) {
    await t.vfs.write(ROOT, { fh, offset: index * CHUNK, data: pattern(CHUNK / 2, index) });
  }
  assert.equal(puts, 0);
  await t.vfs.release(ROOT, fh);
  assert.equal(puts, 40);
});

Deno.test("refs listed ahead: one commit serves many flushes, a collection spares them, unmount unlists them", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs, store } = t;
  const writeFile = async (name: string, seed: number) => {
    const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name, mode: 0o644, flags: O_RDWR });
    await vfs.write(ROOT, { fh, offset: 0, data: pattern(5000, seed) });
    await vfs.flush(ROOT, fh);
    await vfs.release(ROOT, fh);
  };
  await writeFile("a", 1);
  const listed = store.garbage.list(1000);
  assert.equal(listed.length, REFS_RESERVED_MIN, "listed ahead, less the one taken");
  // A collection now must not delete the refs still to be written.
  assert.equal(await vfs.collectGarbage(), 0);
  await writeFile("b", 2);
  const b = await vfs.lookup(ROOT, ROOT_INO, "b");
  const mapped = store.chunks.get(b.ino, 0)!.ref;
  assert.ok(listed.includes(mapped), "b's chunk went under a ref listed ahead");
  assert.deepEqual(store.garbage.list(1000), listed.filter((ref) => ref !== mapped));
  await vfs.flushAll();
  assert.deepEqual(store.garbage.list(1000), [], "unmount unlists what no flush took");
  await t.reopen();
  for (const [name, seed] of [["a", 1], ["b", 2]] as const) {
    const { ino } = await t.vfs.lookup(ROOT, ROOT_INO, name);
    const fh = await t.vfs.open(ROOT, ino, 0);
    assert.deepEqual(
      await t.vfs.read(ROOT, { fh, offset: 0, sizeBytes: 9000 }),
      pattern(5000, seed),
    );
    await t.vfs.release(ROOT, fh);
  }
});

Deno.test("a flush whose listing or commit fails keeps the writes for the next flush", async () => {
  // Proves no acknowledged write is dropped: each failure answers EIO and leaves the bytes
  // unflushed, so the next flush stores them, and no stored chunk is left behind.
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs, store } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "f",
    mode: 0o644,
    flags: O_RDWR,
  });
  const data = pattern(5000, 7);
  await vfs.write(ROOT, { fh, offset: 0, data });
  const failOnce = <T extends object>(table: T, method: keyof T & string) => {
    const original = (table[method] as (...args: unknown[]) => unknown).bind(table);
    Object.assign(table, {
      [method]: () => {
        Object.assign(table, { [method]: original });
        throw new Error(`${method} failed (injected)`);
      },
    });
  };
  failOnce(store.garbage, "add"); // Listing the new refs ahead.
  await assert.rejects(vfs.flush(ROOT, fh), isErrno(EIO));
  failOnce(store.chunks, "put"); // The commit that maps the stored chunk.
  await assert.rejects(vfs.flush(ROOT, fh), isErrno(EIO));
  await vfs.flush(ROOT, fh);
  await vfs.release(ROOT, fh);
  await vfs.flushAll();
  assert.deepEqual(store.garbage.list(1000), []);
  assert.equal(t.backend.usage().usedBytes, data.length, "only the mapped chunk is stored");
  await t.reopen();
  const reader = await t.vfs.open(ROOT, attr.ino, 0);
  assert.deepEqual(await t.vfs.read(ROOT, { fh: reader, offset: 0, sizeBytes: 9000 }), data);
  await t.vfs.release(ROOT, reader);
});
