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

Deno.test("DirtyChunk.copyIn() appends in-order writes in place into one segment", () => {
  const size = 1024 * 1024;
  const piece = 128 * 1024;
  const chunk = new DirtyChunk();
  const source = new Uint8Array(piece);
  for (let at = 0; at < size; at += piece) {
    source.fill(at / piece + 1);
    chunk.copyIn(at, source, size); // The caller's buffer is reused: copyIn must copy.
  }
  assert.equal(chunk.segments.length, 1);
  assert.equal(chunk.bytes, size);
  const whole = chunk.whole(size)!;
  assert.equal(whole.length, size);
  for (let at = 0; at < size; at += piece) assert.equal(whole[at], at / piece + 1);
  assert.equal(chunk.whole(size - 1), undefined);
});

Deno.test("DirtyChunk.copyIn() stops growing a segment once a write lands inside it", () => {
  const size = 1024 * 1024;
  const piece = 128 * 1024;
  const chunk = new DirtyChunk();
  chunk.copyIn(0, new Uint8Array(piece).fill(1), size);
  chunk.copyIn(piece, new Uint8Array(piece).fill(2), size);
  const before = chunk.segments[0]!.bytes;
  chunk.copyIn(100, new Uint8Array(10).fill(9), size);
  chunk.copyIn(2 * piece, new Uint8Array(piece).fill(3), size);
  // The bytes handed out before (a flush may be storing them) never change.
  assert.equal(before[100], 1);
  assert.equal(before[piece], 2);
  const out = new Uint8Array(3 * piece);
  chunk.copyInto(out, 0, 0, 3 * piece);
  assert.deepEqual([out[0], out[100], out[109], out[110], out[piece], out[2 * piece]], [
    1,
    9,
    9,
    1,
    2,
    3,
  ]);
  assert.equal(chunk.bytes, 3 * piece);
});

Deno.test("DirtyChunk.copyIn() gives no room to small or scattered writes", () => {
  const size = 1024 * 1024;
  const chunk = new DirtyChunk();
  chunk.copyIn(4096, new Uint8Array(4096).fill(1), size);
  chunk.copyIn(65536, new Uint8Array(128 * 1024).fill(2), size);
  for (const segment of chunk.segments) {
    assert.equal(segment.bytes.buffer.byteLength, segment.bytes.length);
  }
});
