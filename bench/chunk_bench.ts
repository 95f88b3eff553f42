/**
 * Chunk store throughput for `deno task bench codec`: put and get of 1 MiB
 * chunks (random bytes, so compression is skipped) through a 4+2 ChunkStore
 * over 6 embedded ZDB servers, each its own process persisting with sync
 * "always". The reference, in the same run, writes and reads the same bytes
 * as plain values to one such server, without any coding. Both sides keep
 * the same number of requests in flight.
 */
import { ChunkStore } from "../fs/chunk/chunk_store.ts";
import { createChunkCodec } from "../fs/chunk/codec_adapter.ts";
import { ZdbShardNode } from "../fs/chunk/shard_node.ts";
import type { ChunkLocation } from "../fs/chunk/types.ts";
import { ZdbClient } from "../fs/zdb/mod.ts";
import { startZdbProcess } from "./process_server.ts";
import { type BenchMetric, metric } from "./result.ts";

const CHUNK_BYTES = 1024 * 1024;
const CHUNK_COUNT = 192;
const IN_FLIGHT = 8;
const NODE_COUNT = 6;

async function startNodes(count: number) {
  const dirs = await Promise.all(
    Array.from({ length: count }, () => Deno.makeTempDir({ prefix: "qsfs-bench-node-" })),
  );
  const servers = await Promise.all(dirs.map((dir) => startZdbProcess(dir)));
  return {
    clients: servers.map((server) =>
      new ZdbClient({ address: { hostname: "127.0.0.1", port: server.port } })
    ),
    async stop(clients: ZdbClient[]) {
      for (const client of clients) client.close();
      await Promise.all(servers.map((server) => server.stop()));
      await Promise.all(dirs.map((dir) => Deno.remove(dir, { recursive: true })));
    },
  };
}

/** Runs `task(i)` for i in [0, count) with `IN_FLIGHT` at once; returns MB/s of `bytesEach`. */
async function rate(
  count: number,
  bytesEach: number,
  task: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < count) await task(next++);
  }));
  return (count * bytesEach) / 1e6 / ((performance.now() - started) / 1000);
}

function randomChunk(): Uint8Array {
  const bytes = new Uint8Array(CHUNK_BYTES);
  for (let at = 0; at < CHUNK_BYTES; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, at + 65536));
  }
  return bytes;
}

export async function benchChunkStore(): Promise<BenchMetric[]> {
  const chunks = Array.from({ length: 16 }, randomChunk);
  const pool = await startNodes(NODE_COUNT + 1);
  const [single, ...nodeClients] = pool.clients;
  try {
    const codec = createChunkCodec({
      masterKey: crypto.getRandomValues(new Uint8Array(32)),
      dataShards: 4,
      parityShards: 2,
    });
    const store = new ChunkStore({
      codec,
      nodes: nodeClients.map((client, i) => new ZdbShardNode(`node-${i}`, client)),
    });
    const locations: ChunkLocation[] = new Array(CHUNK_COUNT);
    const put = await rate(CHUNK_COUNT, CHUNK_BYTES, async (i) => {
      locations[i] = await store.put(chunks[i % chunks.length]!);
    });
    const plainPut = await rate(
      CHUNK_COUNT,
      CHUNK_BYTES,
      (i) => single!.set(`plain-${i}`, chunks[i % chunks.length]!),
    );
    const get = await rate(CHUNK_COUNT, CHUNK_BYTES, (i) => store.get(locations[i]!));
    const plainGet = await rate(CHUNK_COUNT, CHUNK_BYTES, (i) => single!.get(`plain-${i}`));
    const reference = (value: number) => ({ name: "one zdb server, no coding, same run", value });
    return [
      metric("chunk_put_mbps", "MB/s", put, reference(plainPut)),
      metric("chunk_get_mbps", "MB/s", get, reference(plainGet)),
    ];
  } finally {
    await pool.stop(pool.clients);
  }
}
