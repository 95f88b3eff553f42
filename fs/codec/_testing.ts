/**
 * Test helpers for fs/codec (not part of its public surface): a seeded PRNG, random and
 * compressible bytes, and byte comparison that reports where arrays differ.
 *
 * @module
 */
import assert from "node:assert/strict";

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both included. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `length` pseudo-random bytes from `random` (4 bytes per call). */
export function randomBytes(random: () => number, length: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(random() * 4294967296);
  return new Uint8Array(words.buffer, 0, length);
}

/** JSON-like text that zstd shrinks several times over. */
export function compressibleBytes(random: () => number, length: number): Uint8Array {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const part = `{"id":${randomInt(random, 0, 99999)},"name":"file-${
      randomInt(random, 0, 50)
    }.txt","ok":${random() < 0.5}},`;
    parts.push(part);
    size += part.length;
  }
  return new TextEncoder().encode(parts.join("")).slice(0, length);
}

/** Asserts two byte arrays are equal, naming the first difference instead of dumping both. */
export function assertBytesEqual(actual: Uint8Array, expected: Uint8Array, message = "") {
  assert.equal(actual.length, expected.length, `${message} length`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${message} differs at byte ${i}: ${actual[i]} !== ${expected[i]}`);
    }
  }
}

/** Every subset of `size` elements of [0, count), in lexicographic order. */
export function combinations(count: number, size: number): number[][] {
  const result: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === size) {
      result.push([...chosen]);
      return;
    }
    for (let i = start; i < count; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return result;
}
