/**
 * Benchmark of fs/codec: Reed-Solomon, AES-GCM and the whole chunk pipeline, each beside a
 * reference measured in the same run (the plain table-lookup JS for Reed-Solomon, Deno's
 * WebCrypto AES-GCM for encryption and the pipeline). Encodes are verified (decoded before
 * they are returned) unless the id says unverified.
 *
 *     deno task bench codec        (with the chunk store figures, bench/chunk_bench.ts)
 *
 * Chunks are 1 MiB (16+4: 64 KiB shards). One core: every figure is one call after another
 * on the main thread. Each figure is the best of many short rounds, since the machine is
 * shared and other load only ever slows a round down.
 *
 * @module
 */
import {
  type BenchMetric,
  type BenchResult,
  describeMachine,
  formatBenchTable,
  metric,
} from "./result.ts";
import { compressionEngine } from "../fs/codec/compress.ts";
import { ChunkCipher } from "../fs/codec/encrypt.ts";
import { encodeParity, reconstructShards, type RowMultiplier } from "../fs/codec/erasure.ts";
import { tableMultiplier } from "../fs/codec/erasure_js.ts";
import { defaultKernel } from "../fs/codec/kernel.ts";
import { decodeChunk, encodeChunk, encodedBytesMax } from "../fs/codec/pipeline.ts";
import { defaultMultiplier, hashEngine } from "../fs/codec/native.ts";
import { benchChunkStore } from "./chunk_bench.ts";

export type { BenchResult };

const CHUNK_BYTES = 1024 * 1024;
// Many short rounds rather than a few long ones: on a shared 2-core machine a quiet 50 ms
// window comes by far more often than a quiet 100 ms one, and the best round is the figure.
const ROUNDS = 12;
const ROUND_MS = 50;

/** Best bytes per second of `run` (which handles `bytes` per call) over a few rounds. */
async function throughput(bytes: number, run: () => unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await run(); // Warm up: tier up the JIT, fill pools.
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS || calls < 2) {
      await run();
      calls++;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (calls * bytes) / (elapsed / 1000));
  }
  return best;
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return bytes;
}

/** JSON-like records: zstd level 1 makes them ~15 times smaller. */
function compressibleBytes(length: number): Uint8Array {
  const records = [];
  for (let i = 0; records.length * 40 < length; i++) {
    records.push({ id: i, name: `file-${(i * 7919) % 1000}.txt`, size: (i * 37) % 100000 });
  }
  return new TextEncoder().encode(JSON.stringify(records)).slice(0, length);
}

/**
 * Reed-Solomon encode and rebuild on the multiplier the codec uses (ISA-L when installed,
 * native.ts), and the WASM kernel alone, against the table-lookup JS.
 */
async function benchErasure(k: number, m: number): Promise<BenchMetric[]> {
  const shardBytes = CHUNK_BYTES / k;
  const data = Array.from({ length: k }, () => randomBytes(shardBytes));
  const parity = Array.from({ length: m }, () => new Uint8Array(shardBytes));
  const encode = (multiplier: RowMultiplier) => () => encodeParity(data, parity, { multiplier });
  // m data shards lost: the worst case, every one rebuilt from parity.
  const damaged = [...data, ...parity].map((shard, index) => index < m ? null : shard);
  const rebuilt = new Uint8Array(m * shardBytes);
  const rebuild = (multiplier: RowMultiplier) => () =>
    reconstructShards(damaged, k, { dataOnly: true, multiplier, allocate: () => rebuilt });
  const table = await throughput(CHUNK_BYTES, encode(tableMultiplier));
  const tableRebuild = await throughput(CHUNK_BYTES, rebuild(tableMultiplier));
  const reference = (value: number) => ({ name: "table-lookup JS, same run", value: value / 1e9 });
  const figure = async (id: string, run: () => unknown, against: number) =>
    metric(id, "GB/s", (await throughput(CHUNK_BYTES, run)) / 1e9, reference(against));
  return [
    await figure(`rs_encode_${k}_${m}_gbps`, encode(defaultMultiplier), table),
    await figure(`rs_reconstruct_${k}_${m}_gbps`, rebuild(defaultMultiplier), tableRebuild),
    await figure(`rs_encode_${k}_${m}_wasm_gbps`, encode(defaultKernel()), table),
  ];
}

async function webCryptoSeal(): Promise<() => Promise<unknown>> {
  const key = await crypto.subtle.importKey("raw", randomBytes(32), "AES-GCM", false, [
    "encrypt",
  ]);
  const plain = randomBytes(CHUNK_BYTES);
  const iv = randomBytes(12);
  return () => crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plain);
}

async function benchCipher(webCryptoMbps: number): Promise<BenchMetric[]> {
  const cipher = await ChunkCipher.create(randomBytes(32));
  const plain = randomBytes(CHUNK_BYTES);
  const sealed = new Uint8Array(CHUNK_BYTES);
  const runs = Array.from({ length: 16 }, (_, i) => sealed.subarray(i * 65536, (i + 1) * 65536));
  const tag = new Uint8Array(16);
  const aad = new Uint8Array(24);
  const whole = await throughput(
    CHUNK_BYTES,
    () => cipher.seal(randomBytes(12), aad, [plain], [sealed], tag),
  );
  const spread = await throughput(
    CHUNK_BYTES,
    () => cipher.seal(randomBytes(12), aad, [plain], runs, tag),
  );
  const reference = { name: "WebCrypto AES-256-GCM, same run", value: webCryptoMbps };
  return [
    metric("aes_gcm_mbps", "MB/s", whole / 1e6, reference),
    metric("aead_encrypt_mbps", "MB/s", spread / 1e6, reference),
  ];
}

async function benchPipeline(webCryptoMbps: number): Promise<BenchMetric[]> {
  const options = { masterKey: randomBytes(32), dataShards: 16, parityShards: 4 };
  const reference = { name: "WebCrypto AES-256-GCM alone, same run", value: webCryptoMbps };
  const metrics: BenchMetric[] = [];
  for (
    const [suffix, plain] of [["", randomBytes(CHUNK_BYTES)], [
      "_compressible",
      compressibleBytes(CHUNK_BYTES),
    ]] as const
  ) {
    // Into one reused output buffer, as the chunk store encodes (fs/chunk/shard_buffers.ts).
    const into = new Uint8Array(encodedBytesMax(CHUNK_BYTES, 16, 4));
    const encode = await throughput(CHUNK_BYTES, () => encodeChunk(plain, { ...options, into }));
    const shards = await encodeChunk(plain, options);
    const decode = await throughput(CHUNK_BYTES, () => decodeChunk(shards, options));
    metrics.push(metric(`pipeline_encode${suffix}_mbps`, "MB/s", encode / 1e6, reference));
    metrics.push(metric(`pipeline_decode${suffix}_mbps`, "MB/s", decode / 1e6, reference));
  }
  // The same verified encode into fresh memory on every call, as the chunk store did before it
  // reused shard buffers: fresh memory costs its page faults, ~0.2 ms per MiB here.
  const random = randomBytes(CHUNK_BYTES);
  const fresh = await throughput(CHUNK_BYTES, () => encodeChunk(random, options));
  metrics.push(metric("pipeline_encode_fresh_mbps", "MB/s", fresh / 1e6, reference));
  const plain = randomBytes(CHUNK_BYTES);
  const unverified = await throughput(
    CHUNK_BYTES,
    () => encodeChunk(plain, { ...options, verify: false }),
  );
  const shards = await encodeChunk(plain, options);
  const damaged = shards.map((shard, index) => index < 4 ? null : shard);
  const degraded = await throughput(CHUNK_BYTES, () => decodeChunk(damaged, options));
  metrics.push(metric("pipeline_encode_unverified_mbps", "MB/s", unverified / 1e6, reference));
  metrics.push(metric("pipeline_decode_degraded_mbps", "MB/s", degraded / 1e6, reference));
  return metrics;
}

/** Runs every codec and chunk store figure once; about half a minute. */
export async function benchCodec(): Promise<BenchResult> {
  const webCryptoMbps = (await throughput(CHUNK_BYTES, await webCryptoSeal())) / 1e6;
  const cipher = await ChunkCipher.create(randomBytes(32));
  const engines = `codec: reed-solomon ${defaultMultiplier.kind}, xxh64 ${hashEngine()}, ` +
    `${cipher.engine}, ${compressionEngine()}`;
  return {
    name: "codec",
    machine: `${describeMachine()} (${engines})`,
    metrics: [
      ...await benchErasure(16, 4),
      ...await benchErasure(4, 2),
      ...await benchCipher(webCryptoMbps),
      ...await benchPipeline(webCryptoMbps),
      ...await benchChunkStore(),
    ],
  };
}

if (import.meta.main) {
  const result = await benchCodec();
  console.log(formatBenchTable(result));
  console.log(JSON.stringify(result, null, 2));
}
