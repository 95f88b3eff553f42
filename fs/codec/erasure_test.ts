import assert from "node:assert/strict";
import { encodeParity, reconstructShards, type RowMultiplier } from "./erasure.ts";
import { tableMultiplier } from "./erasure_js.ts";
import { Kernel } from "./kernel.ts";
import { assertBytesEqual, combinations, mulberry32, randomBytes, randomInt } from "./_testing.ts";

function encodeRandom(random: () => number, k: number, m: number, length: number) {
  const data = Array.from({ length: k }, () => randomBytes(random, length));
  const parity = Array.from({ length: m }, () => new Uint8Array(length));
  encodeParity(data, parity);
  return [...data, ...parity];
}

/** Loses `lost`, rebuilds, and checks every shard comes back as it was. */
function checkRebuild(shards: Uint8Array[], k: number, lost: readonly number[]) {
  const given = shards.map((shard, index) => lost.includes(index) ? null : shard);
  const result = reconstructShards(given, k);
  assert.ok(result.ok, `lost ${lost}`);
  result.shards.forEach((shard, index) => assertBytesEqual(shard, shards[index]!, `lost ${lost}`));
}

Deno.test("reconstructShards() rebuilds every combination of up to m lost shards (4+2, 3+3)", () => {
  const random = mulberry32(1);
  for (const [k, m] of [[4, 2], [3, 3]] as const) {
    for (const length of [0, 1, 17, 1000]) {
      const shards = encodeRandom(random, k, m, length);
      for (let lostCount = 0; lostCount <= m; lostCount++) {
        for (const lost of combinations(k + m, lostCount)) checkRebuild(shards, k, lost);
      }
    }
  }
});

Deno.test("reconstructShards() rebuilds random losses of up to 4 shards for 16+4", () => {
  const random = mulberry32(2);
  const shards = encodeRandom(random, 16, 4, 65_536 + 7);
  for (let round = 0; round < 40; round++) {
    const lost = new Set<number>();
    const lostCount = randomInt(random, 1, 4);
    while (lost.size < lostCount) lost.add(randomInt(random, 0, 19));
    checkRebuild(shards, 16, [...lost]);
  }
});

Deno.test("reconstructShards() answers too_few_shards with m + 1 lost", () => {
  const random = mulberry32(3);
  for (const [k, m] of [[4, 2], [3, 3], [16, 4], [1, 0]] as const) {
    const shards = encodeRandom(random, k, m, 64);
    for (const lost of combinations(k + m, m + 1).slice(0, 30)) {
      const given = shards.map((shard, index) => lost.includes(index) ? null : shard);
      const result = reconstructShards(given, k);
      assert.deepEqual(result, { ok: false, reason: "too_few_shards", present: k - 1, needed: k });
    }
  }
});

Deno.test("reconstructShards() works at the edges of the geometry: k + m = 255, m = 0, k = 1", () => {
  const random = mulberry32(4);
  for (const [k, m] of [[200, 55], [1, 254], [5, 0], [1, 1]] as const) {
    const shards = encodeRandom(random, k, m, 48);
    const lost = [...Array(Math.min(m, 60)).keys()].map((i) => (i * 7) % (k + m));
    checkRebuild(shards, k, [...new Set(lost)]);
  }
  assert.throws(() => encodeRandom(random, 200, 56, 16), /at most 255/);
  assert.throws(() => encodeRandom(random, 0, 2, 16), /at least 1/);
});

Deno.test("reconstructShards({ dataOnly }) returns the k data shards only", () => {
  const random = mulberry32(5);
  const shards = encodeRandom(random, 4, 2, 100);
  const result = reconstructShards(
    [null, shards[1]!, shards[2]!, shards[3]!, shards[4]!, null],
    4,
    {
      dataOnly: true,
    },
  );
  assert.ok(result.ok);
  assert.equal(result.shards.length, 4);
  result.shards.forEach((shard, index) => assertBytesEqual(shard, shards[index]!));
});

Deno.test("encodeParity() gives the same parity with the WASM kernels and the JS tables", () => {
  const random = mulberry32(6);
  const multipliers: RowMultiplier[] = [
    tableMultiplier,
    new Kernel("relaxed"),
    new Kernel("portable"),
  ];
  for (const [k, m] of [[16, 4], [4, 2], [10, 7], [3, 1]] as const) {
    const data = Array.from({ length: k }, () => randomBytes(random, 5000));
    const results = multipliers.map((multiplier) => {
      const parity = Array.from({ length: m }, () => new Uint8Array(5000));
      encodeParity(data, parity, { multiplier });
      return parity;
    });
    for (const parity of results.slice(1)) {
      parity.forEach((shard, j) => assertBytesEqual(shard, results[0]![j]!, `${k}+${m} row ${j}`));
    }
  }
});

Deno.test("encodeParity() rejects shards of different lengths", () => {
  const data = [new Uint8Array(10), new Uint8Array(11)];
  assert.throws(() => encodeParity(data, [new Uint8Array(10)]), /same length/);
});

/** ISA-L's own Cauchy encoder (Debian libisal2) when installed: our parity must equal it. */
function openIsal() {
  try {
    return Deno.dlopen("libisal.so.2", {
      gf_gen_cauchy1_matrix: { parameters: ["buffer", "i32", "i32"], result: "void" },
      ec_init_tables: { parameters: ["i32", "i32", "buffer", "buffer"], result: "void" },
      ec_encode_data: {
        parameters: ["i32", "i32", "i32", "buffer", "buffer", "buffer"],
        result: "void",
      },
    }).symbols;
  } catch {
    return null;
  }
}

const isal = openIsal();

/** An array of the shards' addresses, as ec_encode_data takes them. */
function pointers(shards: Uint8Array[]): BigUint64Array<ArrayBuffer> {
  return new BigUint64Array(
    shards.map((shard) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(shard)))),
  );
}

Deno.test({
  name: "encodeParity() gives ISA-L's parity (gf_gen_cauchy1_matrix + ec_encode_data)",
  ignore: isal === null, // libisal.so.2 (Debian libisal2) is not installed.
}, () => {
  const random = mulberry32(7);
  for (const [k, m] of [[4, 2], [16, 4], [10, 7], [3, 1]] as const) {
    const length = 4096 + 64;
    const data = Array.from({ length: k }, () => randomBytes(random, length));
    const ours = Array.from({ length: m }, () => new Uint8Array(length));
    encodeParity(data, ours);
    const matrix = new Uint8Array((k + m) * k);
    isal!.gf_gen_cauchy1_matrix(matrix, k + m, k);
    const tables = new Uint8Array(k * m * 32);
    isal!.ec_init_tables(k, m, matrix.subarray(k * k), tables);
    const theirs = Array.from({ length: m }, () => new Uint8Array(length));
    isal!.ec_encode_data(length, k, m, tables, pointers(data), pointers(theirs));
    theirs.forEach((shard, j) => assertBytesEqual(ours[j]!, shard, `${k}+${m} parity ${j}`));
  }
});
