// File data on real ZDB servers: the Vfs over the chunk store, with nodes failing.
import assert from "node:assert/strict";
import { ChunkStore, createChunkCodec } from "../chunk/mod.ts";
import { startTestPool } from "../chunk/_pool_testing.ts";
import { EIO } from "../errno.ts";
import { mulberry32 } from "../zdb/_testing.ts";
import { ChunkStoreBackend, decodeChunkRef } from "./chunk_store_backend.ts";
import { O_RDONLY, O_RDWR, ROOT_INO } from "./constants.ts";
import { MetaStore } from "./meta_store.ts";
import { isErrno, pattern, ROOT } from "./_testing.ts";
import { Vfs } from "./vfs.ts";

const CHUNK = 64 * 1024;

async function openPoolVfs(seed: number) {
  const pool = await startTestPool(6, seed);
  const dir = await Deno.makeTempDir({ prefix: "qsfs-vfs-pool-" });
  const codec = createChunkCodec({
    masterKey: new Uint8Array(32).fill(3),
    dataShards: 4,
    parityShards: 2,
  });
  const chunks = new ChunkStore({
    codec,
    nodes: pool.nodes,
    hedgeDelayMs: 20,
    random: mulberry32(seed),
  });
  const backend = new ChunkStoreBackend(chunks, { capacityBytes: 1 << 30 });
  const store = MetaStore.open(`${dir}/meta.sqlite`, { chunkSizeBytes: CHUNK, rootMode: 0o777 });
  const vfs = new Vfs(store, backend, { chunkCacheBytesMax: 0 });
  return {
    pool,
    store,
    vfs,
    async [Symbol.asyncDispose]() {
      store.close();
      await pool[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function writeFile(vfs: Vfs, name: string, data: Uint8Array): Promise<number> {
  const { fh, attr } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name,
    mode: 0o644,
    flags: O_RDWR,
  });
  await vfs.write(ROOT, { fh, offset: 0, data });
  await vfs.fsync(ROOT, fh);
  await vfs.release(ROOT, fh);
  return attr.ino;
}

async function readFile(vfs: Vfs, ino: number, sizeBytes: number): Promise<Uint8Array> {
  const fh = await vfs.open(ROOT, ino, O_RDONLY);
  try {
    return await vfs.read(ROOT, { fh, offset: 0, sizeBytes });
  } finally {
    await vfs.release(ROOT, fh);
  }
}

Deno.test("Vfs over ChunkStoreBackend keeps file data on 6 servers and survives 2 of them failing", async () => {
  // Proves the data path: every chunk of a file is on the nodes (erasure-coded), reads survive
  // m nodes down or corrupt, m + 1 gives EIO (never wrong bytes), and reads recover after.
  await using t = await openPoolVfs(2000);
  const files = [];
  for (const [i, length] of [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 5].entries()) {
    const data = pattern(length, i + 1);
    files.push({ ino: await writeFile(t.vfs, `f${i}`, data), data });
  }
  const refs = t.store.query("SELECT ref FROM chunks") as { ref: string }[];
  assert.ok(refs.length >= 5, "chunks are mapped");
  for (const { ref } of refs) assert.equal(decodeChunkRef(ref).location.shards.length, 6);
  t.pool.nodes[1]!.plan = { down: true };
  t.pool.nodes[4]!.plan = { flipBits: true };
  for (const file of files) {
    assert.deepEqual(await readFile(t.vfs, file.ino, file.data.length + 1), file.data);
  }
  t.pool.nodes[2]!.plan = { down: true };
  const big = files[4]!;
  await assert.rejects(readFile(t.vfs, big.ino, big.data.length), isErrno(EIO));
  for (const node of t.pool.nodes) node.plan = {};
  assert.deepEqual(await readFile(t.vfs, big.ino, big.data.length), big.data);
});

Deno.test("ChunkStoreBackend.delete() of a bare chunk id removes shards a crash left behind", async () => {
  // Proves the crash clean-up contract of ChunkBackend: a put whose location was never kept
  // can still be deleted by the ref recorded before the put.
  await using pool = await startTestPool(6, 2100);
  const codec = createChunkCodec({
    masterKey: new Uint8Array(32).fill(3),
    dataShards: 4,
    parityShards: 2,
  });
  const backend = new ChunkStoreBackend(new ChunkStore({ codec, nodes: pool.nodes }), {
    capacityBytes: 1 << 30,
  });
  const id = "0123456789abcdef0123456789abcdef";
  await backend.put(pattern(1000), id);
  const stored = await Promise.all(pool.servers.map((server) => server.client().dbsize()));
  assert.equal(stored.reduce((a, b) => a + b, 0), 6);
  await backend.delete(id);
  for (const server of pool.servers) assert.equal(await server.client().dbsize(), 0);
});
