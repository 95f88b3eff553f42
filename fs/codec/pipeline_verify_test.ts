/**
 * The verification every encodeChunk() runs, and the system-library paths (native.ts) against
 * the portable ones: faults injected into each step must make encodeChunk() throw, and
 * chunks written on one path must read on the other.
 */
import assert from "node:assert/strict";
import { decodeChunk, encodeChunk } from "./pipeline.ts";
import { cipherFor } from "./encrypt.ts";
import { encodeParity } from "./erasure.ts";
import { shardHashOk, shardPayload } from "./frame.ts";
import { defaultKernel } from "./kernel.ts";
import { defaultMultiplier, useSystemLibraries } from "./native.ts";
import { assertBytesEqual, compressibleBytes, mulberry32, randomBytes } from "./_testing.ts";

const MASTER_KEY = randomBytes(mulberry32(43), 32);

function geometry(dataShards: number, parityShards: number) {
  return { masterKey: MASTER_KEY, dataShards, parityShards };
}

/** Runs `body` with the system libraries on, then off; always leaves them on. */
async function onBothPaths(body: (paths: string) => Promise<void>) {
  try {
    for (const on of [true, false]) {
      useSystemLibraries(on);
      await body(on ? "system libraries" : "portable");
    }
  } finally {
    useSystemLibraries(true);
  }
}

/** Plaintexts that take every branch: stored and compressed, rows under and over 1 KiB. */
function plaintexts() {
  const random = mulberry32(61);
  return [
    randomBytes(random, 10_000),
    randomBytes(random, 300_000),
    compressibleBytes(random, 300_000),
  ];
}

Deno.test("encodeChunk() throws when its new shards do not decode (a parity byte gone bad)", async () => {
  // A fault in the parity computation (a kernel bug, a flipped bit in memory) shows up only
  // when parity is needed; the verification decode uses it at once.
  await onBothPaths(async (paths) => {
    for (const plain of plaintexts()) {
      const mulRows = defaultMultiplier.mulRows;
      let calls = 0;
      defaultMultiplier.mulRows = function (coefficients, inputs, outputs, length) {
        mulRows.call(this, coefficients, inputs, outputs, length);
        if (calls++ === 0 && length > 0) outputs[0]![length - 1]! ^= 0x10;
      };
      try {
        await assert.rejects(() => encodeChunk(plain, geometry(4, 2)), /Cannot encode chunk/);
        assert.equal(calls, 2, `${paths}: one encode, one verification`);
      } finally {
        defaultMultiplier.mulRows = mulRows;
      }
    }
  });
});

Deno.test("encodeChunk() throws when the cipher encrypts other bytes under a valid tag", async () => {
  // A fault inside AES (a wrong key stream) gives a ciphertext whose tag matches it but which
  // decrypts to other bytes: only decrypting and comparing catches it. Either the body or
  // the encrypted plaintext hash may be hit.
  const cipher = await cipherFor(MASTER_KEY);
  const seal = cipher.seal;
  for (const run of [0, 1]) {
    await onBothPaths(async (paths) => {
      for (const plain of plaintexts()) {
        cipher.seal = function (nonce, aad, runs, sealed, tag) {
          const altered = runs.map((bytes) => bytes.slice());
          altered[run]![altered[run]!.length >> 1]! ^= 0x01;
          return seal.call(this, nonce, aad, altered, sealed, tag);
        };
        try {
          await assert.rejects(
            () => encodeChunk(plain, geometry(4, 2)),
            /Cannot encode chunk/,
            `${paths}, run ${run}, ${plain.length} bytes`,
          );
        } finally {
          cipher.seal = seal;
        }
      }
    });
  }
});

Deno.test("chunks written with the system libraries read without them, and back", async () => {
  const options = geometry(5, 3);
  for (const plain of plaintexts()) {
    for (const writer of [true, false]) {
      try {
        useSystemLibraries(writer);
        const shards = await encodeChunk(plain, options);
        for (const reader of [true, false]) {
          useSystemLibraries(reader);
          // The hashes and parity each path computes are the other's, byte for byte.
          assert.ok(shards.every(shardHashOk), `hashes, writer ${writer}, reader ${reader}`);
          const payloads = shards.map(shardPayload);
          const parity = payloads.slice(5).map((payload) => new Uint8Array(payload.length));
          encodeParity(payloads.slice(0, 5), parity);
          parity.forEach((row, j) => assertBytesEqual(row, payloads[5 + j]!, `parity ${j}`));
          const lossy = shards.map((shard, index) => index < 3 ? null : shard);
          const result = await decodeChunk(lossy, options);
          assert.ok(result.ok, `writer ${writer}, reader ${reader}`);
          assertBytesEqual(result.data, plain, `writer ${writer}, reader ${reader}`);
        }
      } finally {
        useSystemLibraries(true);
      }
    }
  }
});

Deno.test("the default multiplier gives the WASM kernel's parity on both paths", async () => {
  await onBothPaths((paths) => {
    const random = mulberry32(67);
    for (const [k, m, length] of [[4, 2, 100], [16, 4, 65_539], [10, 7, 4096], [3, 1, 1024]]) {
      const data = Array.from({ length: k! }, () => randomBytes(random, length!));
      const ours = Array.from({ length: m! }, () => new Uint8Array(length!));
      const wasm = Array.from({ length: m! }, () => new Uint8Array(length!));
      encodeParity(data, ours);
      encodeParity(data, wasm, { multiplier: defaultKernel() });
      wasm.forEach((row, j) => assertBytesEqual(ours[j]!, row, `${paths} ${k}+${m} parity ${j}`));
    }
    return Promise.resolve();
  });
});
