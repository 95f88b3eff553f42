import assert from "node:assert/strict";
import { CHUNK_KEY_INFO, ChunkCipher, type CipherEngine, cipherFor, deriveKey } from "./encrypt.ts";
import { assertBytesEqual, mulberry32, randomBytes, randomInt } from "./_testing.ts";

const ENGINES: CipherEngine[] = ["libcrypto", "webcrypto"];
const MASTER_KEY = randomBytes(mulberry32(31), 32);

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Cuts `bytes` into random runs (views), some empty. */
function cut(random: () => number, bytes: Uint8Array): Uint8Array[] {
  const runs: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || runs.length === 0;) {
    const length = Math.min(bytes.length - at, randomInt(random, 0, 5000));
    runs.push(bytes.subarray(at, at + length));
    at += length;
  }
  return runs;
}

async function seal(cipher: ChunkCipher, nonce: Uint8Array, aad: Uint8Array, plain: Uint8Array) {
  const sealed = new Uint8Array(plain.length);
  const tag = new Uint8Array(16);
  await cipher.seal(nonce, aad, [plain], [sealed], tag);
  return { sealed, tag };
}

Deno.test("deriveKey() is HKDF-SHA256 (RFC 5869 test case 3: empty salt and info)", async () => {
  const key = await deriveKey(new Uint8Array(22).fill(0x0b), "");
  assert.equal(hex(key), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
  const a = await deriveKey(MASTER_KEY, CHUNK_KEY_INFO);
  const b = await deriveKey(MASTER_KEY, "another purpose");
  assert.notEqual(hex(a), hex(b));
  await assert.rejects(() => deriveKey(new Uint8Array(15), "x"), /at least 16 bytes/);
});

Deno.test("ChunkCipher picks libcrypto wherever libcrypto.so.3 loads", async () => {
  let loads = true;
  try {
    Deno.dlopen("libcrypto.so.3", {}).close();
  } catch {
    loads = false;
  }
  const cipher = await ChunkCipher.create(MASTER_KEY);
  assert.equal(cipher.engine, loads ? "libcrypto" : "webcrypto");
});

Deno.test("libcrypto and WebCrypto give the same bytes, over any split into runs", async () => {
  const [native, web] = await Promise.all(
    ENGINES.map((engine) => ChunkCipher.create(MASTER_KEY, { engine })),
  );
  assert.equal(native!.engine, "libcrypto");
  assert.equal(web!.engine, "webcrypto");
  const random = mulberry32(32);
  for (const size of [0, 1, 15, 16, 17, 4096, 100_003, 1_048_576]) {
    const plain = randomBytes(random, size);
    const nonce = randomBytes(random, 12);
    const aad = randomBytes(random, 24);
    const expected = await seal(web!, nonce, aad, plain);
    for (const cipher of [native!, web!]) {
      const sealed = new Uint8Array(size);
      const tag = new Uint8Array(16);
      await cipher.seal(nonce, aad, cut(random, plain), cut(random, sealed), tag);
      assertBytesEqual(sealed, expected.sealed, `${cipher.engine} size ${size}`);
      assertBytesEqual(tag, expected.tag, `${cipher.engine} tag, size ${size}`);
      const back = new Uint8Array(size);
      assert.ok(await cipher.open(nonce, aad, cut(random, sealed), tag, cut(random, back)));
      assertBytesEqual(back, plain, `${cipher.engine} open, size ${size}`);
    }
  }
});

Deno.test("libcrypto opens long runs on worker threads, many at once, each with its own context", async () => {
  // Proves the off-thread path (pieces of 64 KiB and more): eight opens in flight together
  // neither mix their contexts nor their bytes, and a tampered one among them fails alone.
  const native = await ChunkCipher.create(MASTER_KEY, { engine: "libcrypto" });
  const random = mulberry32(34);
  const jobs = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
    const plain = randomBytes(random, 256 * 1024 + i);
    const nonce = randomBytes(random, 12);
    const sealed = await seal(native, nonce, new Uint8Array(0), plain);
    if (i === 3) sealed.sealed[200_000]! ^= 1;
    return { plain, nonce, ...sealed };
  }));
  const results = await Promise.all(jobs.map(async (job) => {
    const back = new Uint8Array(job.plain.length);
    const third = Math.floor(back.length / 3);
    const runs = [back.subarray(0, third), back.subarray(third)];
    const ok = await native.open(job.nonce, new Uint8Array(0), [job.sealed], job.tag, runs);
    return { ok, back };
  }));
  results.forEach(({ ok, back }, i) => {
    assert.equal(ok, i !== 3, `open ${i}`);
    if (i !== 3) assertBytesEqual(back, jobs[i]!.plain, `open ${i}`);
  });
});

Deno.test("both engines reject the same tampering: any flipped bit of text, tag, aad or nonce", async () => {
  const ciphers = await Promise.all(
    ENGINES.map((engine) => ChunkCipher.create(MASTER_KEY, { engine })),
  );
  const random = mulberry32(33);
  const plain = randomBytes(random, 40);
  const nonce = randomBytes(random, 12);
  const aad = randomBytes(random, 24);
  const { sealed, tag } = await seal(ciphers[0]!, nonce, aad, plain);
  const parts = { sealed, tag, aad, nonce };
  for (const [name, part] of Object.entries(parts)) {
    for (let byte = 0; byte < part.length; byte++) {
      const bit = 1 << randomInt(random, 0, 7);
      part[byte]! ^= bit;
      for (const cipher of ciphers) {
        const back = new Uint8Array(plain.length).fill(7);
        const ok = await cipher.open(nonce, aad, [sealed], tag, [back]);
        assert.equal(ok, false, `${cipher.engine}: ${name}[${byte}] flipped`);
        assert.ok(back.every((value) => value === 0), "a rejected open leaves zeros");
      }
      part[byte]! ^= bit;
    }
  }
  for (const cipher of ciphers) {
    assert.ok(await cipher.open(nonce, aad, [sealed], tag, [new Uint8Array(plain.length)]));
  }
});

Deno.test("a cipher from another master key or info fails to open", async () => {
  const random = mulberry32(34);
  const plain = randomBytes(random, 100);
  const nonce = randomBytes(random, 12);
  const mine = await ChunkCipher.create(MASTER_KEY);
  const { sealed, tag } = await seal(mine, nonce, new Uint8Array(0), plain);
  const others = [
    await ChunkCipher.create(randomBytes(random, 32)),
    await ChunkCipher.create(MASTER_KEY, { info: "another purpose" }),
  ];
  for (const other of others) {
    assert.equal(
      await other.open(nonce, new Uint8Array(0), [sealed], tag, [new Uint8Array(100)]),
      false,
    );
  }
});

Deno.test("cipherFor() derives once per key array, and again when its bytes change", async () => {
  const key = randomBytes(mulberry32(35), 32).slice();
  const first = await cipherFor(key);
  assert.equal(await cipherFor(key), first);
  assert.notEqual(await cipherFor(key, "webcrypto"), first);
  key[0]! ^= 1;
  assert.notEqual(await cipherFor(key), first);
});
