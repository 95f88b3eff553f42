import assert from "node:assert/strict";
import { DirtyChunk, DirtyFile } from "./dirty_buffer.ts";

/** The chunk's bytes in [0, length), with 0 where nothing was written. */
function image(chunk: DirtyChunk, length: number): number[] {
  const out = new Uint8Array(length);
  chunk.copyInto(out, 0, 0, length);
  return [...out];
}

Deno.test("DirtyChunk.write() lets later writes win and keeps segments sorted", () => {
  const chunk = new DirtyChunk();
  chunk.write(2, new Uint8Array([1, 1, 1, 1, 1, 1]));
  chunk.write(0, new Uint8Array([2, 2, 2]));
  chunk.write(5, new Uint8Array([3]));
  chunk.write(9, new Uint8Array([4, 4]));
  assert.deepEqual(image(chunk, 12), [2, 2, 2, 1, 1, 3, 1, 1, 0, 4, 4, 0]);
  assert.equal(chunk.bytes, 10);
  const starts = chunk.segments.map((segment) => segment.start);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  chunk.write(1, new Uint8Array(10).fill(5));
  assert.deepEqual(image(chunk, 12), [2, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0]);
  assert.equal(chunk.bytes, 11);
  assert.equal(chunk.endOffset(), 11);
});

Deno.test("DirtyChunk.covers() sees gaps; truncate() cuts segments", () => {
  const chunk = new DirtyChunk();
  chunk.write(0, new Uint8Array(4).fill(1));
  chunk.write(4, new Uint8Array(4).fill(2));
  chunk.write(10, new Uint8Array(4).fill(3));
  assert.ok(chunk.covers(0, 8));
  assert.ok(chunk.covers(2, 6));
  assert.ok(!chunk.covers(6, 11));
  assert.ok(chunk.covers(11, 14));
  assert.equal(chunk.truncate(6), -6);
  assert.deepEqual(image(chunk, 8), [1, 1, 1, 1, 2, 2, 0, 0]);
  assert.equal(chunk.endOffset(), 6);
});

Deno.test("DirtyFile.write() splits at chunk boundaries and copies the caller's bytes", () => {
  const file = new DirtyFile(8);
  const data = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(file.write(5, data), 20);
  data.fill(0);
  assert.deepEqual([...file.chunks.keys()], [0, 1, 2, 3]);
  const chunk1 = new Uint8Array(8);
  file.chunks.get(1)!.copyInto(chunk1, 0, 0, 8);
  assert.deepEqual([...chunk1], [4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(file.truncate(9), -16);
  assert.deepEqual([...file.chunks.keys()], [0, 1]);
  assert.equal(file.bytes, 4);
});
