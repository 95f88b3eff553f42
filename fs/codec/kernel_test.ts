import assert from "node:assert/strict";
import { Kernel, type KernelKind } from "./kernel.ts";
import { tableMultiplier } from "./erasure_js.ts";
import { assertBytesEqual, mulberry32, randomBytes, randomInt } from "./_testing.ts";

const KINDS: KernelKind[] = ["relaxed", "portable"];

/** libxxhash's XXH64 when the library is installed, to check ours against the original. */
function openLibxxhash(): ((bytes: Uint8Array, seed: bigint) => bigint) | null {
  try {
    const library = Deno.dlopen("libxxhash.so.0", {
      XXH64: { parameters: ["buffer", "usize", "u64"], result: "u64" },
    });
    return (bytes, seed) => BigInt(library.symbols.XXH64(bytes, BigInt(bytes.length), seed));
  } catch {
    return null;
  }
}

for (const kind of KINDS) {
  Deno.test(`Kernel(${kind}).mulRows() equals the table-lookup JS on random inputs`, () => {
    const kernel = new Kernel(kind);
    const random = mulberry32(7);
    for (let round = 0; round < 60; round++) {
      const count = randomInt(random, 1, round < 50 ? 20 : 120);
      const rows = randomInt(random, 1, round < 50 ? 9 : 40);
      // Lengths off the 16-byte vector and across several blocks.
      const length = round % 3 === 0 ? randomInt(random, 0, 40) : randomInt(random, 1, 70_000);
      const coefficients = randomBytes(random, rows * count);
      const inputs = Array.from({ length: count }, () => randomBytes(random, length));
      const expected = Array.from({ length: rows }, () => new Uint8Array(length));
      const actual = Array.from({ length: rows }, () => new Uint8Array(length).fill(0xa5));
      tableMultiplier.mulRows(coefficients, inputs, expected, length);
      kernel.mulRows(coefficients, inputs, actual, length);
      actual.forEach((row, r) => assertBytesEqual(row, expected[r]!, `round ${round} row ${r}`));
    }
  });

  Deno.test(`Kernel(${kind}).mulRows() leaves bytes past length alone`, () => {
    const kernel = new Kernel(kind);
    const inputs = [new Uint8Array(40).fill(3), new Uint8Array(40).fill(5)];
    const output = new Uint8Array(40).fill(0xee);
    kernel.mulRows(new Uint8Array([1, 1]), inputs, [output], 21);
    assert.deepEqual([...output.subarray(0, 21)], new Array(21).fill(3 ^ 5));
    assert.deepEqual([...output.subarray(21)], new Array(19).fill(0xee));
  });

  Deno.test(`Kernel(${kind}).xxh64() gives the published values`, () => {
    const kernel = new Kernel(kind);
    const ascii = (text: string) => new TextEncoder().encode(text);
    assert.equal(kernel.xxh64(new Uint8Array(0), 0n), 0xef46db3751d8e999n);
    assert.equal(kernel.xxh64(ascii("a"), 0n), 0xd24ec4f1a98c6e5bn);
    assert.equal(kernel.xxh64(ascii("abc"), 0n), 0x44bc2cf5ad770999n);
  });
}

const libxxhash = openLibxxhash();
const wat2wasmFound = await new Deno.Command("wat2wasm", { args: ["--version"] }).output()
  .then((output) => output.success, () => false);

Deno.test({
  name: "Kernel.xxh64() equals libxxhash over lengths around its stripes and windows",
  ignore: libxxhash === null, // libxxhash.so.0 (Debian libxxhash0) is not installed.
}, () => {
  const reference = libxxhash!;
  const kernel = new Kernel("relaxed");
  const random = mulberry32(11);
  const lengths = [0, 1, 3, 4, 7, 8, 15, 31, 32, 33, 63, 64, 100, 65535, 65536, 65537, 200_003];
  for (let i = 0; i < 40; i++) lengths.push(randomInt(random, 0, 300_000));
  for (const length of lengths) {
    const bytes = randomBytes(random, length);
    const seed = BigInt(randomInt(random, 0, 2 ** 31)) << 33n | 5n;
    assert.equal(kernel.xxh64(bytes, seed), reference(bytes, seed), `length ${length}`);
    assert.equal(kernel.xxh64(bytes, 0n), reference(bytes, 0n), `length ${length}, seed 0`);
  }
});

Deno.test({
  name: "_kernel_wasm.ts is what scripts/build_wasm.ts makes of kernel.wat",
  ignore: !wat2wasmFound, // wat2wasm (Debian wabt) is not installed.
}, async () => {
  const script = new URL("../../scripts/build_wasm.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, "--check"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
});
