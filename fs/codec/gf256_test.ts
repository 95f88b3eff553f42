import assert from "node:assert/strict";
import {
  gfInverse,
  gfMultiply,
  invertMatrix,
  MUL_TABLE,
  NIBBLE_TABLES,
  parityMatrix,
  reconstructionMatrix,
} from "./gf256.ts";
import { combinations } from "./_testing.ts";

/** Carry-less multiplication reduced by 0x11d, bit by bit: the definition of the field. */
function multiplyByBits(a: number, b: number): number {
  let product = 0;
  for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) product ^= a << bit;
  for (let bit = 15; bit >= 8; bit--) if (product & (1 << bit)) product ^= 0x11d << (bit - 8);
  return product;
}

Deno.test("gfMultiply() matches carry-less multiplication modulo 0x11d for every pair", () => {
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) assert.equal(gfMultiply(a, b), multiplyByBits(a, b));
  }
  assert.equal(MUL_TABLE.length, 65536);
});

Deno.test("gfInverse() gives a * inverse(a) = 1 for every nonzero a", () => {
  for (let a = 1; a < 256; a++) assert.equal(gfMultiply(a, gfInverse(a)), 1);
  assert.throws(() => gfInverse(0));
});

Deno.test("NIBBLE_TABLES split every product into its low and high nibble parts", () => {
  for (let c = 0; c < 256; c++) {
    for (let x = 0; x < 256; x++) {
      const split = NIBBLE_TABLES[c * 32 + (x & 15)]! ^ NIBBLE_TABLES[c * 32 + 16 + (x >> 4)]!;
      assert.equal(split, gfMultiply(c, x));
    }
  }
});

Deno.test("parityMatrix() is the Cauchy matrix 1 / ((k + j) XOR i) of ISA-L and klauspost", () => {
  const matrix = parityMatrix(4, 2);
  // gf_inv(4 ^ 0), gf_inv(4 ^ 1), ...: known values of the 0x11d field.
  assert.equal(matrix[0], gfInverse(4));
  assert.equal(matrix[5], gfInverse(5 ^ 1));
  assert.equal(gfInverse(4), 0x47);
  assert.throws(() => parityMatrix(0, 1));
  assert.throws(() => parityMatrix(200, 56));
});

Deno.test("every k of the n generator rows are invertible (MDS) for small geometries", () => {
  const geometries: [number, number][] = [[1, 1], [2, 2], [3, 3], [4, 2], [5, 3], [6, 4]];
  for (const [k, m] of geometries) {
    const n = k + m;
    for (const present of combinations(n, k)) {
      const wanted = [...Array(n).keys()].filter((index) => !present.includes(index));
      // Throws when the chosen rows are singular.
      reconstructionMatrix(k, m, present, wanted);
    }
  }
});

Deno.test("invertMatrix() times the matrix is the identity", () => {
  const size = 5;
  const matrix = parityMatrix(size, size);
  const inverse = invertMatrix(matrix, size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      let sum = 0;
      for (let i = 0; i < size; i++) {
        sum ^= gfMultiply(matrix[row * size + i]!, inverse[i * size + column]!);
      }
      assert.equal(sum, row === column ? 1 : 0);
    }
  }
  assert.throws(() => invertMatrix(new Uint8Array(4), 2), /singular/);
});
