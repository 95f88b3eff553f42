import assert from "node:assert/strict";
import {
  type ChunkCodecOptions,
  decodeChunk,
  type DecodeResult,
  encodeChunk,
  encodedBytesMax,
} from "./pipeline.ts";
import {
  FRAME_OVERHEAD_BYTES,
  readShardHeader,
  sealShard,
  SHARD_HEADER_BYTES,
  shardPayloadLength,
} from "./frame.ts";
import {
  assertBytesEqual,
  combinations,
  compressibleBytes,
  mulberry32,
  randomBytes,
  randomInt,
} from "./_testing.ts";

const MASTER_KEY = randomBytes(mulberry32(41), 32);
const MIB = 1024 * 1024;

function geometry(
  dataShards: number,
  parityShards: number,
  extra: Partial<ChunkCodecOptions> = {},
) {
  return { masterKey: MASTER_KEY, dataShards, parityShards, ...extra };
}

function without(shards: readonly Uint8Array[], lost: Iterable<number>): (Uint8Array | null)[] {
  const gone = new Set(lost);
  return shards.map((shard, index) => gone.has(index) ? null : shard);
}

function assertDecoded(result: DecodeResult, plain: Uint8Array, message: string) {
  assert.ok(result.ok, `${message}: ${result.ok ? "" : `${result.reason} (${result.detail})`}`);
  assertBytesEqual(result.data, plain, message);
}

/** Decoding must fail with a reason or give the exact plaintext: never other bytes. */
function assertNeverWrong(result: DecodeResult, plain: Uint8Array, message: string) {
  if (result.ok) assertBytesEqual(result.data, plain, message);
}

Deno.test("encodeChunk() and decodeChunk() round-trip random sizes, 0 and 1 byte included", async () => {
  const random = mulberry32(42);
  const geometries = [[4, 2], [3, 3], [16, 4], [1, 0], [1, 2], [10, 1]] as const;
  const sizes = [0, 1, 2, 47, 48, 49, 1000, MIB - 1, MIB, MIB + 1];
  for (let i = 0; i < 6; i++) sizes.push(randomInt(random, 0, 2 * MIB));
  for (const [k, m] of geometries) {
    for (const size of sizes) {
      const plain = random() < 0.5 ? randomBytes(random, size) : compressibleBytes(random, size);
      const options = geometry(k, m);
      const shards = await encodeChunk(plain, options);
      assert.equal(shards.length, k + m);
      const lost = new Set<number>();
      const lostCount = randomInt(random, 0, m);
      while (lost.size < lostCount) lost.add(randomInt(random, 0, k + m - 1));
      const result = await decodeChunk(without(shards, lost), options);
      assertDecoded(result, plain, `${k}+${m}, ${size} bytes, lost ${[...lost]}`);
    }
  }
});

Deno.test("decodeChunk() survives every combination of up to m lost shards (4+2, 3+3)", async () => {
  const random = mulberry32(43);
  for (const [k, m] of [[4, 2], [3, 3]] as const) {
    const plain = randomBytes(random, 5000);
    const options = geometry(k, m);
    const shards = await encodeChunk(plain, options);
    for (let count = 0; count <= m; count++) {
      for (const lost of combinations(k + m, count)) {
        assertDecoded(await decodeChunk(without(shards, lost), options), plain, `lost ${lost}`);
      }
    }
    for (const lost of combinations(k + m, m + 1)) {
      const result = await decodeChunk(without(shards, lost), options);
      assert.equal(result.ok ? "ok" : result.reason, "too_few_shards", `lost ${lost}`);
    }
  }
});

Deno.test("decodeChunk() survives random losses of 4 shards for 16+4, not 5", async () => {
  const random = mulberry32(44);
  const plain = randomBytes(random, MIB);
  const options = geometry(16, 4);
  const shards = await encodeChunk(plain, options);
  for (let round = 0; round < 12; round++) {
    const lost = new Set<number>();
    while (lost.size < 4) lost.add(randomInt(random, 0, 19));
    assertDecoded(await decodeChunk(without(shards, lost), options), plain, `lost ${[...lost]}`);
    lost.add([...Array(20).keys()].find((index) => !lost.has(index))!);
    const result = await decodeChunk(without(shards, lost), options);
    assert.equal(result.ok ? "ok" : result.reason, "too_few_shards");
  }
});

Deno.test("flipping any byte of a shard makes it count as missing, never as data", async () => {
  const random = mulberry32(45);
  const plain = compressibleBytes(random, 300);
  const options = geometry(4, 2);
  const shards = await encodeChunk(plain, options);
  for (let index = 0; index < shards.length; index++) {
    for (let byte = 0; byte < shards[index]!.length; byte++) {
      const copy = shards.map((shard) => shard.slice());
      copy[index]![byte]! ^= 1 << randomInt(random, 0, 7);
      const result = await decodeChunk(copy, options);
      assertDecoded(result, plain, `shard ${index} byte ${byte}`);
      // Parity shards are not even read while the data shards are whole.
      if (index < 4) assert.ok(result.badShards.includes(index), `shard ${index} byte ${byte}`);
      // With the m other shards gone, the flipped one cannot make up the k.
      const lost = [...Array(6).keys()].filter((i) => i !== index).slice(0, 2);
      const short = await decodeChunk(without(copy, lost), options);
      assert.equal(short.ok ? "ok" : short.reason, "too_few_shards");
    }
  }
});

Deno.test("flipping any frame byte is caught even when the shard hashes are redone", async () => {
  // What a node that rewrites a shard and its trailer would do: only the frame's checks remain.
  const random = mulberry32(46);
  const plain = randomBytes(random, 50);
  const options = geometry(3, 2);
  const shards = await encodeChunk(plain, options);
  const payloadLength = shards[0]!.length - 24;
  for (let index = 0; index < shards.length; index++) {
    for (let at = 0; at < payloadLength; at++) {
      const copy = shards.map((shard) => shard.slice());
      copy[index]![SHARD_HEADER_BYTES + at]! ^= 1 << randomInt(random, 0, 7);
      sealShard(copy[index]!);
      // Lose data shards so that a tampered parity shard is used too.
      const lost = index < 3 ? [] : [0, 1, 2].filter((i) => i !== index - 3).slice(0, 2);
      const result = await decodeChunk(without(copy, lost), options);
      assert.ok(!result.ok, `shard ${index}, payload byte ${at} flipped: decoded anyway`);
      assert.ok(["auth_failed", "bad_frame"].includes(result.reason), result.reason);
    }
  }
});

Deno.test("decodeChunk() answers auth_failed for another master key", async () => {
  const plain = randomBytes(mulberry32(47), 1000);
  const shards = await encodeChunk(plain, geometry(4, 2));
  const other = { ...geometry(4, 2), masterKey: randomBytes(mulberry32(48), 32) };
  const result = await decodeChunk(shards, other);
  assert.equal(result.ok ? "ok" : result.reason, "auth_failed");
});

Deno.test("shards of another encoding, index or geometry count as missing", async () => {
  const random = mulberry32(49);
  const plain = randomBytes(random, 4000);
  const options = geometry(4, 2);
  const [a, b] = [await encodeChunk(plain, options), await encodeChunk(plain, options)];
  assert.notDeepEqual(a[0]!.subarray(8, 16), b[0]!.subarray(8, 16), "fresh nonce per encoding");
  // One stale shard among five good ones: set aside.
  const mixed = [...a.slice(0, 5), b[5]!];
  const one = await decodeChunk([b[0]!, ...a.slice(1)], options);
  assertDecoded(one, plain, "one stale shard");
  assert.deepEqual(one.badShards, [0]);
  assertDecoded(await decodeChunk(mixed, options), plain, "stale parity");
  // Three and three: neither encoding has k shards.
  const halves = await decodeChunk([...a.slice(0, 3), ...b.slice(3)], options);
  assert.equal(halves.ok ? "ok" : halves.reason, "too_few_shards");
  // Two shards swapped: both misplaced.
  const swapped = await decodeChunk([a[1]!, a[0]!, ...a.slice(2)], options);
  assertDecoded(swapped, plain, "swapped");
  assert.deepEqual(swapped.badShards, [0, 1]);
  const wrongGeometry = await decodeChunk(a, geometry(3, 3));
  assert.equal(wrongGeometry.ok ? "ok" : wrongGeometry.reason, "too_few_shards");
});

Deno.test("shards of an unknown format version answer unsupported_format", async () => {
  const shards = await encodeChunk(randomBytes(mulberry32(50), 100), geometry(2, 1));
  for (const shard of shards) {
    shard[0] = 2;
    sealShard(shard);
  }
  const result = await decodeChunk(shards, geometry(2, 1));
  assert.equal(result.ok ? "ok" : result.reason, "unsupported_format");
});

Deno.test("the libcrypto/WebCrypto and libzstd/node:zlib engines read each other's chunks", async () => {
  const random = mulberry32(51);
  const plain = compressibleBytes(random, 200_000);
  const engines = [
    { cipherEngine: "libcrypto", compressionEngine: "libzstd" },
    { cipherEngine: "webcrypto", compressionEngine: "node-zlib" },
  ] as const;
  for (const writer of engines) {
    const shards = await encodeChunk(plain, geometry(4, 2, writer));
    for (const reader of engines) {
      const result = await decodeChunk(without(shards, [1, 2]), geometry(4, 2, reader));
      assertDecoded(result, plain, `${writer.cipherEngine} -> ${reader.cipherEngine}`);
    }
  }
});

Deno.test("a shard header says what it carries; the frame length fits the body", async () => {
  const plain = compressibleBytes(mulberry32(52), 100_000);
  const shards = await encodeChunk(plain, geometry(4, 2));
  const headers = shards.map((shard) => readShardHeader(shard)!);
  headers.forEach((header, index) => {
    assert.equal(header.version, 1);
    assert.equal(header.dataShards, 4);
    assert.equal(header.parityShards, 2);
    assert.equal(header.index, index);
    assert.deepEqual(header.chunkTag, headers[0]!.chunkTag);
  });
  const frameLength = headers[0]!.frameLength;
  assert.ok(frameLength < plain.length / 3 + FRAME_OVERHEAD_BYTES, "compressed");
  assert.equal(shards[0]!.length, shardPayloadLength(frameLength, 4) + 24);
  const stored = await encodeChunk(plain, geometry(4, 2, { compression: "none", verify: false }));
  assert.equal(readShardHeader(stored[0]!)!.frameLength, plain.length + FRAME_OVERHEAD_BYTES);
  assertDecoded(await decodeChunk(stored, geometry(4, 2)), plain, "stored");
});

Deno.test("encodeChunk() and decodeChunk() reject a bad geometry or shard count", async () => {
  const plain = new Uint8Array(10);
  await assert.rejects(() => encodeChunk(plain, geometry(0, 2)), /at least 1/);
  await assert.rejects(() => encodeChunk(plain, geometry(250, 6)), /at most 255/);
  await assert.rejects(() =>
    encodeChunk(plain, { ...geometry(2, 1), masterKey: new Uint8Array(8) })
  );
  await assert.rejects(() => decodeChunk([null, null], geometry(2, 1)), /3 expected|expected 3/);
});

Deno.test("random corruption of several shards, hashes redone or not, never decodes wrong", async () => {
  const random = mulberry32(53);
  const options = geometry(4, 3);
  for (let round = 0; round < 300; round++) {
    const plain = random() < 0.5
      ? randomBytes(random, randomInt(random, 0, 3000))
      : compressibleBytes(random, randomInt(random, 0, 3000));
    const shards = await encodeChunk(plain, { ...options, verify: false });
    const flips = randomInt(random, 1, 6);
    for (let i = 0; i < flips; i++) {
      const shard = shards[randomInt(random, 0, shards.length - 1)]!;
      shard[randomInt(random, 0, shard.length - 1)]! ^= randomInt(random, 1, 255);
      if (random() < 0.5) sealShard(shard);
    }
    const lost = random() < 0.3 ? [randomInt(random, 0, 6)] : [];
    assertNeverWrong(await decodeChunk(without(shards, lost), options), plain, `round ${round}`);
  }
});

Deno.test("encodeChunk({ into }) and decodeChunk({ into }) work in recycled memory", async () => {
  const random = mulberry32(54);
  const options = geometry(5, 2);
  const memory = new Uint8Array(encodedBytesMax(70_000, 5, 2)).fill(0xff);
  const plainMemory = new Uint8Array(70_000).fill(0xff);
  for (const size of [0, 1, 999, 70_000]) {
    for (const plain of [randomBytes(random, size), compressibleBytes(random, size)]) {
      const shards = await encodeChunk(plain, { ...options, into: memory });
      assert.equal(shards[0]!.buffer, memory.buffer, "the shards are views of `into`");
      const result = await decodeChunk(without(shards, [0, 3]), { ...options, into: plainMemory });
      assertDecoded(result, plain, `size ${size}`);
      assert.ok(result.ok && result.data.buffer === plainMemory.buffer, "a view of `into`");
    }
  }
  const big = randomBytes(random, 80_000);
  await assert.rejects(() => encodeChunk(big, { ...options, into: memory }), /encodedBytesMax/);
  const shards = await encodeChunk(big, options);
  await assert.rejects(() => decodeChunk(shards, { ...options, into: plainMemory }), /80000/);
});
