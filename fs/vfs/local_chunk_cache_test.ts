// The local chunk cache: never a partly written chunk, never over its bound with clean data.
import assert from "node:assert/strict";
import { assertSameBytes } from "../zdb/_testing.ts";
import { newChunkRef } from "./chunk_backend.ts";
import { LocalChunkCache } from "./local_chunk_cache.ts";
import { pattern } from "./_testing.ts";

Deno.test("a chunk being written is not readable until it is whole", async () => {
  // Proves the fix of a race: a prefetch still writing a chunk made a reader get a short read.
  const directory = await Deno.makeTempDir({ prefix: "qsfs-cache-" });
  const { cache } = await LocalChunkCache.open(directory, 1 << 24);
  const ref = newChunkRef();
  const data = pattern(4 << 20, 3);
  const adding = cache.addClean(ref, data);
  assert.equal(cache.has(ref), true, "counted while written");
  assert.equal(await cache.read(ref), undefined, "not readable while written");
  await adding;
  assertSameBytes((await cache.read(ref)) ?? null, data);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("a put cut short by a crash leaves no chunk under its ref", async () => {
  // Proves writes are atomic: what a crash leaves is a .partial file, removed at open.
  const directory = await Deno.makeTempDir({ prefix: "qsfs-cache-" });
  const ref = newChunkRef();
  await Deno.mkdir(`${directory}/${ref.slice(0, 2)}`, { recursive: true });
  await Deno.writeFile(`${directory}/${ref.slice(0, 2)}/${ref}.partial`, pattern(1000));
  const { cache, files } = await LocalChunkCache.open(directory, 1 << 20);
  assert.deepEqual(files, []);
  assert.equal(cache.has(ref), false);
  const left = [...Deno.readDirSync(`${directory}/${ref.slice(0, 2)}`)];
  assert.deepEqual(left, []);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("clean chunks are evicted least recently used; dirty ones stay", async () => {
  // Proves the bound and the order: a read keeps a chunk, dirty chunks are never dropped.
  const directory = await Deno.makeTempDir({ prefix: "qsfs-cache-" });
  const { cache } = await LocalChunkCache.open(directory, 3000);
  const [a, b, c, d] = [newChunkRef(), newChunkRef(), newChunkRef(), newChunkRef()];
  await cache.addDirty(a, pattern(1000, 1));
  await cache.addClean(b, pattern(1000, 2));
  await cache.addClean(c, pattern(1000, 3));
  assert.ok(await cache.read(b) !== undefined); // b is now more recent than c
  await cache.addClean(d, pattern(1000, 4));
  assert.deepEqual([a, b, c, d].map((ref) => cache.has(ref)), [true, true, false, true]);
  assert.equal(cache.dirtyBytes + cache.cleanBytes, 3000);
  await Deno.remove(directory, { recursive: true });
});
