/**
 * A chunk's whole journey: plaintext -> compress -> frame + encrypt -> k data shards ->
 * m parity shards -> per-shard header and hash; and back, from any k good shards.
 *
 * Memory: one allocation holds all n shards (or the caller's `into`); the frame is encrypted
 * straight into the data shards' payloads (libcrypto writes into the views; WebCrypto's
 * output is copied once) and parity is computed from those views (ISA-L reads and writes
 * them in place; the WASM kernel copies a cache-sized block at a time). A chunk costs its n
 * shards (~1.25 x the chunk at 16+4) plus the compressed body when compression pays.
 * Fresh shard memory costs its page faults (~0.2-0.3 ms per MiB on our VMs, a fifth of the
 * whole encode): callers that encode many chunks should pass a recycled `into`.
 * Decoding returns a new plaintext (or a view of `into`); its temporaries (rebuilt shards,
 * a compressed body) and those of the verification come from a pool of at most 4 idle
 * buffers (_scratch.ts), so the codec holds at most ~8 x the largest chunk between calls.
 *
 * Every encode is decoded before it is returned (restic's habit): the first min(k, m) data
 * shards are set aside and rebuilt from parity, so parity is checked too (all of it when
 * k >= m), and the frame so rebuilt is decrypted (its tag checked) into a scratch buffer
 * that is compared byte for byte with the plaintext, and its plaintext hash with the one
 * computed for it. Comparing instead of hashing the decrypted bytes again (as a reader
 * does) is a stronger check of the cipher and ~4x cheaper (memcmp ~25 us per MiB against
 * ~100 us for XXH64); what it does not re-check is the plaintext hash computation itself,
 * a single XXH64 pass (a fault there would make the chunk read as bad_hash, never as other
 * bytes). Measured at 16+4 here, per MiB: AES-GCM seal and open ~0.25 ms each, XXH64 of the
 * plaintext and of the shards ~0.1 ms per MiB hashed, Reed-Solomon encode and rebuild
 * ~0.1 ms each on ISA-L. A failure there is a bug or a hardware fault, never an input
 * problem, and throws.
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { compress, type CompressionEngine } from "./compress.ts";
import { CIPHER_AES_256_GCM, type CipherEngine, cipherFor, randomNonce } from "./encrypt.ts";
import { encodeParity } from "./erasure.ts";
import {
  CHUNK_TAG_BYTES,
  FORMAT_VERSION,
  FRAME_BYTES_MAX,
  FRAME_HEADER_BYTES,
  FRAME_OVERHEAD_BYTES,
  frameRuns,
  HASH_XXH64,
  PLAIN_HASH_BYTES,
  plainHashBytes,
  scatterInto,
  sealShard,
  SHARD_HEADER_BYTES,
  SHARD_OVERHEAD_BYTES,
  shardPayloadLength,
  writeFrameHeader,
  writeShardHeader,
} from "./frame.ts";
import { assertGeometry } from "./gf256.ts";
import { type DecodeResult, decodeShards } from "./_decode.ts";

export type { DecodeFailure, DecodeResult } from "./_decode.ts";

export interface ChunkCodecOptions {
  /** The secret every chunk key is derived from (HKDF); at least 16 bytes. */
  masterKey: Uint8Array;
  /** k: shards holding the frame. 1 <= k, k + m <= 255. */
  dataShards: number;
  /** m: parity shards; any m shards may be lost. */
  parityShards: number;
  /** @default "zstd" (kept only when it saves at least 1/32) */
  compression?: "none" | "zstd";
  /** Decode every encoding before returning it. @default true */
  verify?: boolean;
  /** Pin the AES-GCM engine (tests, benchmarks). @default libcrypto when it loads */
  cipherEngine?: CipherEngine;
  /** Pin the zstd engine (tests, benchmarks). @default libzstd when it loads */
  compressionEngine?: CompressionEngine;
}

/** The most memory encodeChunk() needs for the shards of a plaintext of `plainLength`. */
export function encodedBytesMax(plainLength: number, dataShards: number, parityShards: number) {
  const payloadLength = shardPayloadLength(plainLength + FRAME_OVERHEAD_BYTES, dataShards);
  return (dataShards + parityShards) * (payloadLength + SHARD_OVERHEAD_BYTES);
}

/**
 * Encodes `plaintext` into k + m shards (index order). Each shard verifies alone (its
 * trailer hash); any k of them decode. The shards are views of one allocation, or of
 * `into` when given (at least encodedBytesMax() bytes; for callers that recycle memory).
 */
export async function encodeChunk(
  plaintext: Uint8Array,
  options: ChunkCodecOptions & { into?: Uint8Array },
): Promise<Uint8Array[]> {
  const { dataShards, parityShards } = options;
  assertGeometry(dataShards, parityShards);
  const cipher = await cipherFor(options.masterKey, options.cipherEngine);
  const plainHash = plainHashBytes(plaintext);
  const { compression, body } = compress(plaintext, {
    compression: options.compression,
    engine: options.compressionEngine,
  });
  const frameLength = FRAME_OVERHEAD_BYTES + body.length;
  assert(frameLength <= FRAME_BYTES_MAX, `a chunk must be under 4 GiB: ${plaintext.length}`);
  const layout = layShards(frameLength, options);
  const { payloads, payloadLength } = layout;
  const dataPayloads = payloads.slice(0, dataShards);
  const nonce = randomNonce();
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  writeFrameHeader(header, {
    version: FORMAT_VERSION,
    compression,
    cipher: CIPHER_AES_256_GCM,
    hash: HASH_XXH64,
    plainLength: plaintext.length,
    storedLength: body.length,
    nonce,
  });
  scatterInto(header, frameRuns(dataPayloads, payloadLength, 0, FRAME_HEADER_BYTES));
  const sealedEnd = frameLength - 16;
  const tag = new Uint8Array(16);
  const sealedRuns = frameRuns(dataPayloads, payloadLength, FRAME_HEADER_BYTES, sealedEnd);
  await cipher.seal(nonce, header, [plainHash, body], sealedRuns, tag);
  scatterInto(tag, frameRuns(dataPayloads, payloadLength, sealedEnd, frameLength));
  encodeParity(dataPayloads, payloads.slice(dataShards));
  const chunkTag = nonce.subarray(0, CHUNK_TAG_BYTES);
  layout.shards.forEach((shard, index) => {
    writeShardHeader(shard, {
      version: FORMAT_VERSION,
      dataShards,
      parityShards,
      index,
      frameLength,
      chunkTag,
    });
    sealShard(shard);
  });
  if (options.verify ?? true) await verifyEncoding(layout.shards, plaintext, plainHash, options);
  return layout.shards;
}

/** Cuts the shards' memory: n shards of header, payload and trailer, padding zeroed. */
function layShards(frameLength: number, options: ChunkCodecOptions & { into?: Uint8Array }) {
  const { dataShards, parityShards } = options;
  const payloadLength = shardPayloadLength(frameLength, dataShards);
  const shardLength = payloadLength + SHARD_OVERHEAD_BYTES;
  const count = dataShards + parityShards;
  let backing: Uint8Array;
  if (options.into === undefined) {
    backing = new Uint8Array(count * shardLength);
  } else {
    assert(options.into.length >= count * shardLength, "into is smaller than encodedBytesMax()");
    backing = options.into.subarray(0, count * shardLength);
  }
  const shards = Array.from(
    { length: count },
    (_, i) => backing.subarray(i * shardLength, (i + 1) * shardLength),
  );
  const payloads = shards.map((shard) =>
    shard.subarray(SHARD_HEADER_BYTES, SHARD_HEADER_BYTES + payloadLength)
  );
  // Recycled memory holds old bytes: the padding after the frame must read as zeros.
  const dataEnd = dataShards * payloadLength;
  const padding = frameRuns(payloads.slice(0, dataShards), payloadLength, frameLength, dataEnd);
  for (const run of padding) run.fill(0);
  return { shards, payloads, payloadLength };
}

async function verifyEncoding(
  shards: Uint8Array[],
  plaintext: Uint8Array,
  plainHash: Uint8Array,
  options: ChunkCodecOptions,
) {
  const setAside = Math.min(options.dataShards, options.parityShards);
  const subset = shards.map((shard, index) => index < setAside ? null : shard);
  const result = await decodeShards(subset, options, { trusted: true, expected: plaintext });
  if (!result.ok) {
    throw new Error(
      `Cannot encode chunk: decoding the new shards failed (${result.reason}: ${result.detail})`,
    );
  }
  const decodedHash = result.plainHash;
  for (let i = 0; i < PLAIN_HASH_BYTES; i++) {
    if (decodedHash[i] !== plainHash[i]) {
      throw new Error("Cannot encode chunk: the new shards decode to another plaintext");
    }
  }
}

/**
 * Decodes a chunk from its shards (index order, null where missing). Shards that fail their
 * hash, or belong to another geometry or encoding, count as missing and are listed in
 * `badShards` (those checked on the way: parity is not read while the data is whole).
 * Never returns wrong bytes: ok with the plaintext (a view of `into` when given, which must
 * hold the plaintext), or a reason.
 */
export async function decodeChunk(
  shards: readonly (Uint8Array | null)[],
  options: ChunkCodecOptions & { into?: Uint8Array; shardsChecked?: boolean },
): Promise<DecodeResult> {
  // shardsChecked: the caller hashed every shard it passes a moment ago (the chunk store's
  // reader does, to know which node to ask next): hashing them again would cost a pass.
  const result = await decodeShards(shards, options, { trusted: options.shardsChecked === true });
  if (!result.ok) return result;
  return { ok: true, data: result.data, badShards: result.badShards };
}
