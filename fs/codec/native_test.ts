import assert from "node:assert/strict";
import { bytesEqual, isalRowMultiplier, useSystemLibraries, xxh64 } from "./native.ts";
import { defaultKernel } from "./kernel.ts";
import { tableMultiplier } from "./erasure_js.ts";
import { assertBytesEqual, mulberry32, randomBytes, randomInt } from "./_testing.ts";

const isal = isalRowMultiplier();

Deno.test({
  name: "ISA-L's mulRows equals the table-lookup JS on random matrices and lengths",
  ignore: isal === null, // libisal.so.2 (Debian libisal2) is not installed.
}, () => {
  const random = mulberry32(71);
  for (let round = 0; round < 40; round++) {
    const count = randomInt(random, 1, 24);
    const rows = randomInt(random, 1, 9);
    const length = randomInt(random, 1, 70_000);
    const coefficients = randomBytes(random, rows * count);
    // Views at odd offsets, as shard payloads are (16 bytes into a shard, odd lengths).
    const inputs = Array.from({ length: count }, () => randomBytes(random, length + 3).subarray(3));
    const expected = Array.from({ length: rows }, () => new Uint8Array(length));
    const actual = Array.from({ length: rows }, () => new Uint8Array(length + 5).subarray(1, -4));
    tableMultiplier.mulRows(coefficients, inputs, expected, length);
    isal!.mulRows(coefficients, inputs, actual, length);
    actual.forEach((row, r) => assertBytesEqual(row, expected[r]!, `round ${round} row ${r}`));
  }
});

Deno.test({
  name: "ISA-L's mulRows refuses rows shorter than the length instead of reading past them",
  ignore: isal === null,
}, () => {
  const rows = [new Uint8Array(2048), new Uint8Array(2048)];
  const short = new Uint8Array(4096).subarray(0, 1500);
  const coefficients = new Uint8Array([3, 5]);
  assert.throws(() => isal!.mulRows(coefficients, [rows[0]!, short], [rows[1]!], 2048), /short/);
  assert.throws(
    () => isal!.mulRows(coefficients.subarray(0, 1), [rows[0]!], [short], 2048),
    /short/,
  );
});

Deno.test("xxh64() gives the WASM kernel's hash with and without the system libraries", () => {
  const random = mulberry32(73);
  const kernel = defaultKernel();
  try {
    for (const on of [true, false]) {
      useSystemLibraries(on);
      for (const length of [0, 1, 31, 32, 33, 1000, 65_536, 65_537, 300_001]) {
        const bytes = randomBytes(random, length + 1).subarray(1);
        const seed = length % 2 === 0 ? 0n : 0xfedcba9876543210n;
        assert.equal(xxh64(bytes, seed), kernel.xxh64(bytes, seed), `${on} ${length}`);
      }
    }
  } finally {
    useSystemLibraries(true);
  }
});

Deno.test("bytesEqual() finds a difference at any position, on both paths", () => {
  const random = mulberry32(79);
  try {
    for (const on of [true, false]) {
      useSystemLibraries(on);
      for (const length of [0, 1, 7, 1023, 1024, 5000]) {
        for (const offset of [0, 1, 4]) {
          const a = randomBytes(random, length + offset).subarray(offset);
          const b = new Uint8Array(length + 2).subarray(2);
          b.set(a);
          assert.ok(bytesEqual(a, b), `${on}: equal, ${length} at ${offset}`);
          for (const at of [0, length >> 1, length - 1].filter((i) => i >= 0 && i < length)) {
            b[at]! ^= 0x80;
            assert.ok(!bytesEqual(a, b), `${on}: differs at ${at} of ${length}`);
            b[at]! ^= 0x80;
          }
        }
      }
      assert.ok(!bytesEqual(new Uint8Array(3), new Uint8Array(4)), "lengths differ");
    }
  } finally {
    useSystemLibraries(true);
  }
});
