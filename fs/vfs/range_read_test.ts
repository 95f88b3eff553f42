// Small reads of uncached chunks use the backend's range read and return the right bytes.
import assert from "node:assert/strict";
import { writeTestFile } from "./_tree_testing.ts";
import { openTestVfs, pattern, ROOT } from "./_testing.ts";
import { O_RDONLY, O_RDWR, ROOT_INO } from "./constants.ts";

const CHUNK = 64 * 1024;

Deno.test("read() of a small range of an uncached chunk reads only that range", async () => {
  // Proves a 4 KiB random read no longer loads a whole chunk, and that ranged, whole-chunk
  // and dirty-overlay reads all agree with the bytes written (including the file's tail).
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, chunkCacheBytesMax: 0 });
  const { vfs, backend } = t;
  const data = pattern(3 * CHUNK + 1000, 7);
  await writeTestFile(vfs, ROOT_INO, "f", data);
  const ranges: number[] = [];
  const wholes: string[] = [];
  const getRange = backend.getRange.bind(backend);
  const get = backend.get.bind(backend);
  backend.getRange = (ref, offset, length) => (ranges.push(length), getRange(ref, offset, length));
  backend.get = (ref) => (wholes.push(ref), get(ref));
  const attr = await vfs.lookup(ROOT, ROOT_INO, "f");
  const reader = await vfs.open(ROOT, attr.ino, O_RDONLY);
  const random = [[0, 4096], [CHUNK - 100, 4096], [2 * CHUNK + 7, 3000], [3 * CHUNK + 900, 4096]];
  for (const [offset, size] of random) {
    const got = await vfs.read(ROOT, { fh: reader, offset: offset!, sizeBytes: size! });
    assert.deepEqual(got, data.subarray(offset!, Math.min(data.length, offset! + size!)));
  }
  assert.ok(ranges.length >= 4 && ranges.every((length) => length <= 4096), `ranges ${ranges}`);
  assert.deepEqual(wholes, []);
  const all = await vfs.read(ROOT, { fh: reader, offset: 0, sizeBytes: data.length });
  assert.deepEqual(all, data);
  assert.ok(wholes.length >= 3, "large reads still load whole chunks");
  await vfs.release(ROOT, reader);
});

Deno.test("concurrent large reads share one chunk load, and a sequential reader loads ahead", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const data = pattern(4 * CHUNK, 9);
  await writeTestFile(vfs, ROOT_INO, "f", data);
  await t.reopen(); // An empty chunk cache.
  const loads: string[] = [];
  const get = t.backend.get.bind(t.backend);
  t.backend.get = (ref) => (loads.push(ref), get(ref));
  const refs = t.store.chunks.listFrom(2, 0, 4).map((row) => row.ref);
  assert.equal(refs.length, 4);
  const reader = await t.vfs.open(ROOT, 2, O_RDONLY);
  const half = CHUNK / 2;
  // Two reads of chunk 0 at once: one load of it; the first half loads chunk 1
  // ahead, the second half chunk 2.
  const [first, second] = await Promise.all([
    t.vfs.read(ROOT, { fh: reader, offset: 0, sizeBytes: half }),
    t.vfs.read(ROOT, { fh: reader, offset: half, sizeBytes: half }),
  ]);
  assert.deepEqual(first, data.subarray(0, half));
  assert.deepEqual(second, data.subarray(half, CHUNK));
  assert.deepEqual([...loads].sort(), [refs[0], refs[1], refs[2]].sort());
  const next = await t.vfs.read(ROOT, { fh: reader, offset: CHUNK, sizeBytes: CHUNK });
  assert.deepEqual(next, data.subarray(CHUNK, 2 * CHUNK));
  // Chunk 1 was there already; reading its second half started chunk 3.
  assert.deepEqual([...loads].sort(), [...refs].sort());
  // A read far from the last one is not sequential: nothing more is loaded ahead.
  await t.reopen();
  loads.length = 0;
  t.backend.get = (ref) => (loads.push(ref), get(ref));
  const jumper = await t.vfs.open(ROOT, 2, O_RDONLY);
  await t.vfs.read(ROOT, { fh: jumper, offset: 2 * CHUNK + half, sizeBytes: half });
  assert.deepEqual(loads, [refs[2]]);
  await t.vfs.release(ROOT, jumper);
});

Deno.test("an open reader sees every change of the chunk map made through other handles", async () => {
  // The reader keeps the chunk rows it read (chunkRow); each change must reach it.
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, chunkCacheBytesMax: 0 });
  const { vfs } = t;
  const data = pattern(2 * CHUNK, 3);
  await writeTestFile(vfs, ROOT_INO, "f", data);
  const { ino } = await vfs.lookup(ROOT, ROOT_INO, "f");
  const reader = await vfs.open(ROOT, ino, O_RDONLY);
  const readAt = (offset: number, size: number) =>
    vfs.read(ROOT, { fh: reader, offset, sizeBytes: size });
  assert.deepEqual(await readAt(CHUNK + 10, 4096), data.subarray(CHUNK + 10, CHUNK + 4106));
  // Rewritten through another handle and flushed: a new chunk under a new ref.
  const writer = await vfs.open(ROOT, ino, O_RDWR);
  const patch = pattern(4096, 99);
  await vfs.write(ROOT, { fh: writer, offset: CHUNK + 10, data: patch });
  await vfs.flush(ROOT, writer);
  assert.deepEqual(await readAt(CHUNK + 10, 4096), patch);
  // Truncated into the first chunk, then grown again: the second chunk reads as zeros.
  await vfs.setattr(ROOT, ino, { sizeBytes: 100 });
  await vfs.setattr(ROOT, ino, { sizeBytes: 2 * CHUNK });
  assert.deepEqual(await readAt(CHUNK + 10, 4096), new Uint8Array(4096));
  assert.deepEqual(
    await readAt(0, 200),
    Uint8Array.of(...data.subarray(0, 100), ...new Uint8Array(100)),
  );
  await vfs.release(ROOT, writer);
  await vfs.release(ROOT, reader);
});
