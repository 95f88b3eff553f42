import assert from "node:assert/strict";
import {
  compress,
  COMPRESSION_NONE,
  COMPRESSION_ZSTD,
  type CompressionEngine,
  compressionEngine,
  decompress,
} from "./compress.ts";
import {
  assertBytesEqual,
  compressibleBytes,
  mulberry32,
  randomBytes,
  randomInt,
} from "./_testing.ts";

const ENGINES: CompressionEngine[] = ["libzstd", "node-zlib"];

Deno.test("compressionEngine() is libzstd wherever libzstd.so.1 loads", () => {
  let loads = true;
  try {
    Deno.dlopen("libzstd.so.1", {}).close();
  } catch {
    loads = false;
  }
  assert.equal(compressionEngine(), loads ? "libzstd" : "node-zlib");
});

for (const engine of ENGINES) {
  Deno.test(`compress(${engine}) round-trips random sizes, 0 and 1 byte included`, () => {
    const random = mulberry32(21);
    const sizes = [0, 1, 2, 63, 64, 65, 4096, 131_071, 131_072, 1_048_576];
    for (let i = 0; i < 20; i++) sizes.push(randomInt(random, 0, 300_000));
    for (const size of sizes) {
      for (const plain of [compressibleBytes(random, size), randomBytes(random, size)]) {
        const { compression, body } = compress(plain, { engine });
        const back = decompress(compression, body, plain.length, { engine });
        assert.ok(back !== null, `size ${size}`);
        assertBytesEqual(back, plain, `size ${size}`);
      }
    }
  });
}

Deno.test("compress() keeps zstd only when it saves at least 1/32", () => {
  const random = mulberry32(22);
  const text = compressibleBytes(random, 200_000);
  const packed = compress(text);
  assert.equal(packed.compression, COMPRESSION_ZSTD);
  assert.ok(packed.body.length < text.length / 3);
  const noise = randomBytes(random, 200_000);
  const stored = compress(noise);
  assert.equal(stored.compression, COMPRESSION_NONE);
  assert.equal(stored.body, noise, "a stored body is the input itself, not a copy");
  assert.equal(compress(text, { compression: "none" }).compression, COMPRESSION_NONE);
});

Deno.test("compress() samples large chunks: noise with a compressible tail is stored", () => {
  // The samples land at 0, 1/3, 2/3 and the end; noise there means the chunk is skipped.
  const random = mulberry32(23);
  const mixed = randomBytes(random, 400_000);
  const text = compressibleBytes(random, 8192);
  mixed.set(text, 100_000);
  assert.equal(compress(mixed).compression, COMPRESSION_NONE);
});

Deno.test("libzstd and node:zlib read each other's output", () => {
  const text = compressibleBytes(mulberry32(24), 300_000);
  for (const writer of ENGINES) {
    for (const reader of ENGINES) {
      const { compression, body } = compress(text, { engine: writer });
      assert.equal(compression, COMPRESSION_ZSTD);
      const back = decompress(compression, body, text.length, { engine: reader });
      assert.ok(back !== null, `${writer} -> ${reader}`);
      assertBytesEqual(back, text);
    }
  }
});

Deno.test("decompress() returns null for a wrong length, an unknown id or a corrupt body", () => {
  const text = compressibleBytes(mulberry32(25), 50_000);
  const { compression, body } = compress(text);
  for (const engine of ENGINES) {
    assert.equal(decompress(compression, body, text.length - 1, { engine }), null);
    assert.equal(decompress(compression, body, text.length + 1, { engine }), null);
    const corrupt = body.slice();
    corrupt[0]! ^= 0xff; // The zstd magic number.
    assert.equal(decompress(compression, corrupt, text.length, { engine }), null);
    assert.equal(
      decompress(compression, body.subarray(0, body.length - 3), text.length, { engine }),
      null,
    );
  }
  assert.equal(decompress(7, body, text.length), null);
  assert.equal(decompress(COMPRESSION_NONE, text, text.length + 1), null);
});
