import assert from "node:assert/strict";
import { EBADF, EFBIG, EINVAL, EISDIR } from "../errno.ts";
import { ALICE, isErrno, openTestVfs, pattern, ROOT } from "./_testing.ts";
import { O_APPEND, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, ROOT_INO } from "./constants.ts";
import { checkMetadata } from "./meta_check.ts";

const CHUNK = 4096;
const GIB = 1024 ** 3;

Deno.test("write() then read() round-trips sizes around the chunk size, before and after flush", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  for (const length of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17]) {
    const name = `f${length}`;
    const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name, mode: 0o644, flags: O_RDWR });
    const data = pattern(length, length + 1);
    assert.equal(await vfs.write(ROOT, { fh, offset: 0, data }), length);
    assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: length + 10 }), data);
    await vfs.flush(ROOT, fh);
    assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: length + 10 }), data);
    await vfs.release(ROOT, fh);
    const attr = await vfs.lookup(ROOT, ROOT_INO, name);
    assert.equal(attr.sizeBytes, length);
    const again = await vfs.open(ROOT, attr.ino, O_RDONLY);
    assert.deepEqual(await vfs.read(ROOT, { fh: again, offset: 0, sizeBytes: length }), data);
    await vfs.release(ROOT, again);
  }
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("write() keeps data across a reopen of the store", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const data = pattern(2 * CHUNK + 5);
  const { fh } = await t.vfs.create(ROOT, { parent: ROOT_INO, name: "k", mode: 0o644, flags: 2 });
  await t.vfs.write(ROOT, { fh, offset: 0, data });
  await t.vfs.fsync(ROOT, fh);
  await t.reopen();
  const attr = await t.vfs.lookup(ROOT, ROOT_INO, "k");
  const fh2 = await t.vfs.open(ROOT, attr.ino, O_RDONLY);
  assert.deepEqual(await t.vfs.read(ROOT, { fh: fh2, offset: 0, sizeBytes: 1 << 20 }), data);
});

Deno.test("write() overlapping writes: the later one wins, across flushes", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "o", mode: 0o644, flags: 2 });
  const model = new Uint8Array(3 * CHUNK);
  const writes = [[0, 3 * CHUNK, 1], [100, 50, 2], [CHUNK - 10, 20, 3], [120, 10, 4]];
  for (const [i, [offset, length, seed]] of writes.entries()) {
    const data = pattern(length!, seed);
    await vfs.write(ROOT, { fh, offset: offset!, data });
    model.set(data, offset);
    if (i === 1) await vfs.flush(ROOT, fh);
  }
  assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: model.length }), model);
  await vfs.flush(ROOT, fh);
  assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: model.length }), model);
  await vfs.release(ROOT, fh);
});

Deno.test("write() far apart leaves holes that read as zeros and take no space", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "s", mode: 0o644, flags: 2 });
  await vfs.write(ROOT, { fh, offset: 10, data: pattern(5, 1) });
  await vfs.write(ROOT, { fh, offset: 1000 * CHUNK + 3, data: pattern(7, 2) });
  await vfs.flush(ROOT, fh);
  const attr = await vfs.getattr(ROOT, (await vfs.lookup(ROOT, ROOT_INO, "s")).ino);
  assert.equal(attr.sizeBytes, 1000 * CHUNK + 10);
  assert.equal(attr.blocks, 1, "25 bytes of data in two short chunks");
  const middle = await vfs.read(ROOT, { fh, offset: 500 * CHUNK, sizeBytes: 2 * CHUNK });
  assert.deepEqual(middle, new Uint8Array(2 * CHUNK));
  const head = await vfs.read(ROOT, { fh, offset: 0, sizeBytes: 20 });
  assert.deepEqual(head.subarray(10, 15), pattern(5, 1));
  assert.deepEqual(head.subarray(0, 10), new Uint8Array(10));
  await vfs.release(ROOT, fh);
});

Deno.test("write() at an offset past 4 GiB makes a sparse file that reads back", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "big", mode: 0o644, flags: 2 });
  const offset = 5 * GIB + 12345;
  const data = pattern(100_000, 9);
  await vfs.write(ROOT, { fh, offset, data });
  await vfs.fsync(ROOT, fh);
  const attr = await vfs.getattr(ROOT, (await vfs.lookup(ROOT, ROOT_INO, "big")).ino);
  assert.equal(attr.sizeBytes, offset + data.length);
  assert.ok(attr.blocks * 512 < 1 << 20, "only the written chunk takes space");
  assert.deepEqual(await vfs.read(ROOT, { fh, offset, sizeBytes: data.length }), data);
  const zeros = await vfs.read(ROOT, { fh, offset: 4 * GIB, sizeBytes: 4096 });
  assert.deepEqual(zeros, new Uint8Array(4096));
  const tail = await vfs.read(ROOT, { fh, offset: offset + data.length - 10, sizeBytes: 100 });
  assert.deepEqual(tail, data.subarray(data.length - 10));
  await vfs.release(ROOT, fh);
});

Deno.test("setattr() truncates down and up: the cut bytes read as zeros", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "t",
    mode: 0o644,
    flags: O_RDWR,
  });
  const data = pattern(3 * CHUNK);
  await vfs.write(ROOT, { fh, offset: 0, data });
  assert.equal(
    (await vfs.setattr(ROOT, attr.ino, { sizeBytes: CHUNK + 100 })).sizeBytes,
    CHUNK + 100,
  );
  assert.deepEqual(
    await vfs.read(ROOT, { fh, offset: 0, sizeBytes: 4 * CHUNK }),
    data.subarray(0, CHUNK + 100),
  );
  await vfs.setattr(ROOT, attr.ino, { sizeBytes: 3 * CHUNK });
  const grown = await vfs.read(ROOT, { fh, offset: 0, sizeBytes: 4 * CHUNK });
  assert.equal(grown.length, 3 * CHUNK);
  assert.deepEqual(grown.subarray(0, CHUNK + 100), data.subarray(0, CHUNK + 100));
  assert.deepEqual(grown.subarray(CHUNK + 100), new Uint8Array(2 * CHUNK - 100));
  await vfs.setattr(ROOT, attr.ino, { sizeBytes: 0 });
  assert.equal((await vfs.read(ROOT, { fh, offset: 0, sizeBytes: 10 })).length, 0);
  assert.equal((await vfs.getattr(ROOT, attr.ino)).blocks, 0);
  await vfs.release(ROOT, fh);
  assert.deepEqual(checkMetadata(t.store), []);
  await t.vfs.collectGarbage();
  assert.equal(t.backend.usage().usedBytes, 0, "no chunk is left behind");
});

Deno.test("setattr() refuses sizes of directories, past the limit, and via read-only handles", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  await assert.rejects(vfs.setattr(ROOT, ROOT_INO, { sizeBytes: 0 }), isErrno(EISDIR));
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "f",
    mode: 0o644,
    flags: 0,
  });
  await assert.rejects(vfs.setattr(ROOT, attr.ino, { sizeBytes: 2 ** 53 }), isErrno(EFBIG));
  await assert.rejects(vfs.setattr(ROOT, attr.ino, { sizeBytes: 5, fh }), isErrno(EBADF));
  await assert.rejects(vfs.setattr(ROOT, attr.ino, { sizeBytes: -1 }), isErrno(EINVAL));
});

Deno.test("open() with O_TRUNC empties the file; O_APPEND writes at the end", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "a",
    mode: 0o644,
    flags: 2,
  });
  await vfs.write(ROOT, { fh, offset: 0, data: pattern(CHUNK + 1) });
  await vfs.release(ROOT, fh);
  const truncated = await vfs.open(ROOT, attr.ino, O_WRONLY | O_TRUNC);
  assert.equal((await vfs.getattr(ROOT, attr.ino)).sizeBytes, 0);
  await vfs.release(ROOT, truncated);
  const appender = await vfs.open(ROOT, attr.ino, O_WRONLY | O_APPEND);
  await vfs.write(ROOT, { fh: appender, offset: 0, data: new Uint8Array([1, 2]) });
  await vfs.write(ROOT, { fh: appender, offset: 0, data: new Uint8Array([3]) });
  const reader = await vfs.open(ROOT, attr.ino, O_RDONLY);
  assert.deepEqual(
    await vfs.read(ROOT, { fh: reader, offset: 0, sizeBytes: 10 }),
    new Uint8Array([1, 2, 3]),
  );
  await assert.rejects(
    vfs.write(ROOT, { fh: reader, offset: 0, data: new Uint8Array(1) }),
    isErrno(EBADF),
  );
  await assert.rejects(vfs.read(ROOT, { fh: appender, offset: 0, sizeBytes: 1 }), isErrno(EBADF));
  await vfs.release(ROOT, reader);
  await vfs.release(ROOT, appender);
});

Deno.test("write() stays under dirtyBytesMax by flushing, and the data is whole", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, dirtyBytesMax: 3 * CHUNK });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "w", mode: 0o644, flags: 2 });
  const data = pattern(40 * CHUNK, 3);
  for (let offset = 0; offset < data.length; offset += 1000) {
    await vfs.write(ROOT, { fh, offset, data: data.subarray(offset, offset + 1000) });
  }
  const stored = t.store.query("SELECT count(*) AS n FROM chunks")[0]!.n as number;
  assert.ok(stored >= 36, `most chunks were flushed before release (${stored})`);
  assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: data.length }), data);
  await vfs.release(ROOT, fh);
});

Deno.test("copyFileRange() copies across chunks and refuses overlaps in one file", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const source = await vfs.create(ROOT, { parent: ROOT_INO, name: "src", mode: 0o644, flags: 2 });
  const target = await vfs.create(ROOT, { parent: ROOT_INO, name: "dst", mode: 0o644, flags: 2 });
  const data = pattern(2 * CHUNK + 300, 5);
  await vfs.write(ROOT, { fh: source.fh, offset: 0, data });
  const copied = await vfs.copyFileRange(ROOT, {
    fhIn: source.fh,
    offsetIn: 100,
    fhOut: target.fh,
    offsetOut: 7,
    lengthBytes: 10 * CHUNK,
  });
  assert.equal(copied, data.length - 100);
  const out = await vfs.read(ROOT, { fh: target.fh, offset: 0, sizeBytes: 4 * CHUNK });
  assert.deepEqual(out.subarray(7), data.subarray(100));
  await assert.rejects(
    vfs.copyFileRange(ROOT, {
      fhIn: source.fh,
      offsetIn: 0,
      fhOut: source.fh,
      offsetOut: 10,
      lengthBytes: 100,
    }),
    isErrno(EINVAL),
  );
  await vfs.release(ROOT, source.fh);
  await vfs.release(ROOT, target.fh);
});

Deno.test("write() by a non-root user clears setuid and group-exec setgid", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const { attr, fh } = await vfs.create(ALICE, {
    parent: ROOT_INO,
    name: "suid",
    mode: 0o6755,
    flags: O_RDWR | O_CREAT,
  });
  assert.equal(attr.mode & 0o7777, 0o6755);
  await vfs.write(ALICE, { fh, offset: 0, data: new Uint8Array([1]) });
  assert.equal((await vfs.getattr(ALICE, attr.ino)).mode & 0o7777, 0o755);
  await vfs.setattr(ROOT, attr.ino, { mode: 0o6755 });
  await vfs.write(ROOT, { fh, offset: 0, data: new Uint8Array([1]) });
  assert.equal((await vfs.getattr(ROOT, attr.ino)).mode & 0o7777, 0o6755, "root keeps them");
  await vfs.release(ALICE, fh);
});

Deno.test("concurrent writes, reads and flushes on one file do not lose bytes", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, dirtyBytesMax: 2 * CHUNK });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "c", mode: 0o644, flags: 2 });
  const pieceBytes = 700;
  const pieces = 60;
  const expected = pattern(pieceBytes * pieces, 11);
  const order = Array.from({ length: pieces }, (_, i) => (i * 37) % pieces);
  const done: Promise<unknown>[] = [];
  for (const [n, piece] of order.entries()) {
    const offset = piece * pieceBytes;
    const data = expected.slice(offset, offset + pieceBytes);
    done.push(vfs.write(ROOT, { fh, offset, data }));
    if (n % 7 === 0) done.push(vfs.flush(ROOT, fh));
    if (n % 5 === 0) done.push(vfs.read(ROOT, { fh, offset: 0, sizeBytes: expected.length }));
  }
  await Promise.all(done);
  assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: expected.length }), expected);
  await vfs.release(ROOT, fh);
  const again = await vfs.open(ROOT, (await vfs.lookup(ROOT, ROOT_INO, "c")).ino, O_RDONLY);
  assert.deepEqual(await vfs.read(ROOT, { fh: again, offset: 0, sizeBytes: 1 << 20 }), expected);
  await vfs.release(ROOT, again);
  assert.deepEqual(checkMetadata(t.store), []);
  await vfs.collectGarbage();
  const mapped = t.store.query("SELECT coalesce(sum(length), 0) AS n FROM chunks")[0]!.n;
  assert.equal(t.backend.usage().usedBytes, mapped, "no chunk is left behind");
});
