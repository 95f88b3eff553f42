// The write-back backend against real ZDB servers (4+2 over 6), with faults injected at the nodes.
import assert from "node:assert/strict";
import { ChunkStore, createChunkCodec, type FaultyNode, shardKey } from "../chunk/mod.ts";
import { startTestPool, type TestPool } from "../chunk/_pool_testing.ts";
import { assertSameBytes, mulberry32 } from "../zdb/_testing.ts";
import { EIO } from "../errno.ts";
import { newChunkRef } from "./chunk_backend.ts";
import { decodeChunkRef, encodeChunkRef } from "./chunk_store_backend.ts";
import { LocalChunkCache } from "./local_chunk_cache.ts";
import { MetaStore } from "./meta_store.ts";
import { isErrno, pattern, testInode } from "./_testing.ts";
import { WriteBackBackend } from "./write_back_backend.ts";

const CHUNK = 64 * 1024;

interface Rig extends AsyncDisposable {
  pool: TestPool;
  store: MetaStore;
  remote: ChunkStore;
  directory: string;
  open(
    capacityBytes: number,
    deferDeletes?: boolean,
    stagedBytesMax?: number,
  ): Promise<WriteBackBackend>;
}

async function rig(seed: number): Promise<Rig> {
  const pool = await startTestPool(6, seed);
  const directory = await Deno.makeTempDir({ prefix: "qsfs-wb-" });
  const store = MetaStore.open(`${directory}/meta.sqlite`, { chunkSizeBytes: CHUNK });
  const codec = createChunkCodec({
    masterKey: new Uint8Array(32).fill(3),
    dataShards: 4,
    parityShards: 2,
  });
  const remote = new ChunkStore({ codec, nodes: pool.nodes, random: mulberry32(seed) });
  const backends: WriteBackBackend[] = [];
  return {
    pool,
    store,
    remote,
    directory,
    async open(capacityBytes, deferDeletes = false, stagedBytesMax?: number) {
      const { cache, files } = await LocalChunkCache.open(`${directory}/cache`, capacityBytes);
      const options = { cache, remote, store, capacityBytes: 1 << 30, retryDelayMs: 20 };
      const { backend } = await WriteBackBackend.open(
        { ...options, deferDeletes, stagedBytesMax },
        files,
      );
      backends.push(backend);
      return backend;
    },
    async [Symbol.asyncDispose]() {
      for (const backend of backends) await backend.close();
      store.close();
      await pool[Symbol.asyncDispose]();
      await Deno.remove(directory, { recursive: true });
    },
  };
}

function setDown(nodes: FaultyNode[], down: boolean) {
  for (const node of nodes) node.plan = { ...node.plan, down };
}

/** Maps `ref` as chunk 0 of a new inode, as a flush's commit would. */
function mapChunk(store: MetaStore, ref: string, lengthBytes: number, index = 0) {
  store.transaction(() => {
    const { ino } = store.inodes.insert(
      testInode({ sizeBytes: lengthBytes, dataBytes: lengthBytes }),
    );
    store.chunks.put(ino, { index, ref, lengthBytes });
  });
}

Deno.test("a put is served from the cache at once; sync fails while the nodes are down, then succeeds", async () => {
  // Proves write-back: the writer never waits for the network, fsync does, and a failed
  // upload is an EIO for fsync but is kept and retried, never dropped.
  await using r = await rig(100);
  const backend = await r.open(1 << 20);
  setDown(r.pool.nodes, true);
  const ref = newChunkRef();
  const data = pattern(CHUNK, 1);
  assert.equal(await backend.put(data, ref), ref);
  assertSameBytes(await backend.get(ref), data, "read before upload");
  await assert.rejects(backend.sync(), isErrno(EIO));
  assert.equal(r.store.locations.get(ref), undefined, "no location while nothing is stored");
  assert.equal(backend.uploadsPending, 1, "the chunk is still queued");
  setDown(r.pool.nodes, false);
  await syncOnceNodesAnswer(backend);
  assert.equal(backend.uploadsPending, 0);
  const location = r.store.locations.get(ref);
  assert.ok(location !== undefined, "the location is recorded");
  const fresh = await r.open(1 << 20);
  await Deno.remove(`${r.directory}/cache`, { recursive: true });
  await Deno.mkdir(`${r.directory}/cache`);
  assertSameBytes(await fresh.get(ref), data, "read from the nodes");
  assertSameBytes(await fresh.getRange(ref, 100, 50), data.subarray(100, 150), "range");
});

Deno.test("writers wait for room, in memory while uploads succeed, on disk while they fail", async () => {
  // Proves the bounds: 16 chunks through a 2-chunk staging area, then, with the nodes down,
  // through a 4-chunk disk cache: the writer that finds both full waits (never fails) until
  // the nodes are back, the cache never grows past its bound, and every chunk reads back.
  await using r = await rig(200);
  const capacityBytes = 4 * CHUNK;
  const backend = await r.open(capacityBytes, false, 2 * CHUNK);
  const written: { ref: string; data: Uint8Array }[] = [];
  const put = async (seed: number) => {
    const ref = newChunkRef();
    const data = pattern(CHUNK, seed);
    mapChunk(r.store, ref, data.length);
    await backend.put(data, ref);
    written.push({ ref, data });
  };
  for (let i = 0; i < 16; i++) await put(10 + i);
  await backend.sync();
  assert.equal(await directoryBytes(`${r.directory}/cache`), 0, "nothing went to the disk");
  setDown(r.pool.nodes, true);
  await put(99);
  await assert.rejects(backend.sync(), isErrno(EIO)); // uploads fail: writers now spill
  for (let i = 0; i < 5; i++) await put(30 + i); // staging (2 chunks) then the disk cache (4)
  let waited = true;
  const blocked = put(40).then(() => (waited = false));
  await assert.rejects(backend.sync(), isErrno(EIO)); // an upload round failed meanwhile
  assert.equal(waited, true, "the writer waits while staging and cache are full of dirty data");
  assert.ok(await directoryBytes(`${r.directory}/cache`) <= capacityBytes);
  setDown(r.pool.nodes, false);
  await blocked;
  await syncOnceNodesAnswer(backend);
  for (const { ref, data } of written) assertSameBytes(await backend.get(ref), data, ref);
});

Deno.test("after a crash, mapped chunks that were not uploaded are found in the cache and uploaded", async () => {
  // Proves no closed file is lost with the process: persist() (what close(2) waits for) puts
  // the chunks held in memory for upload on disk, and a later open uploads them. The first
  // backend is never closed: as after a kill -9.
  await using r = await rig(300);
  const first = await r.open(1 << 20);
  setDown(r.pool.nodes, true);
  const kept = newChunkRef();
  const stray = newChunkRef();
  mapChunk(r.store, kept, CHUNK);
  await first.put(pattern(CHUNK, 7), kept);
  await first.put(pattern(CHUNK, 8), stray); // never mapped: a crash before its commit
  assert.equal(await directoryBytes(`${r.directory}/cache`), 0, "held in memory");
  await first.persist();
  assert.equal(await directoryBytes(`${r.directory}/cache`), 2 * CHUNK, "on disk after persist");
  // The nodes stay down until the first backend has stopped: it must not upload meanwhile.
  const { cache, files } = await LocalChunkCache.open(`${r.directory}/cache`, 1 << 20);
  const { backend, recovery } = await WriteBackBackend.open(
    { cache, remote: r.remote, store: r.store, capacityBytes: 1 << 30, retryDelayMs: 20 },
    files,
  );
  assert.deepEqual(recovery, { resumed: 1, lost: [], strays: 1, torn: 0 });
  await first.close();
  setDown(r.pool.nodes, false);
  await syncOnceNodesAnswer(backend);
  assert.ok(r.store.locations.get(kept) !== undefined);
  assert.equal(cache.has(stray), false);
  await backend.close();
});

Deno.test("a clean cache copy cut short (power loss) is dropped at open and read from the nodes", async () => {
  // Proves a torn copy of an uploaded chunk never serves short bytes (EIO) or stale ones: the
  // next open removes it (whole copies stay), and the read fetches the chunk from the nodes.
  await using r = await rig(350);
  const first = await r.open(1 << 20);
  const torn = newChunkRef();
  const whole = newChunkRef();
  mapChunk(r.store, torn, CHUNK);
  mapChunk(r.store, whole, CHUNK);
  await first.put(pattern(CHUNK, 11), torn);
  await first.put(pattern(CHUNK, 12), whole);
  await first.sync();
  await first.close();
  // Uploaded chunks are not kept on disk; reading them back from the nodes keeps them there.
  const second = await r.open(1 << 20);
  await second.get(torn);
  await second.get(whole);
  await second.close();
  const tornFile = (await Array.fromAsync(walkFiles(`${r.directory}/cache`)))
    .find((path) => path.includes(torn))!;
  await Deno.truncate(tornFile, CHUNK / 2);
  const { cache, files } = await LocalChunkCache.open(`${r.directory}/cache`, 1 << 20);
  const { backend, recovery } = await WriteBackBackend.open(
    { cache, remote: r.remote, store: r.store, capacityBytes: 1 << 30, retryDelayMs: 20 },
    files,
  );
  try {
    assert.deepEqual(recovery, { resumed: 0, lost: [], strays: 0, torn: 1 });
    assert.equal(cache.has(torn), false);
    assert.equal(cache.has(whole), true);
    assertSameBytes(await backend.get(torn), pattern(CHUNK, 11));
    assertSameBytes(await backend.get(whole), pattern(CHUNK, 12));
  } finally {
    await backend.close();
  }
});

/** Every file under `dir`, recursively. */
async function* walkFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walkFiles(path);
    else yield path;
  }
}

Deno.test("deletes: before upload nothing reaches the nodes; after, shards go only when released", async () => {
  // Proves garbage collection waits for durability: held deletes leave the shards in place
  // until the metadata that unmapped them is durable (seal, then release).
  await using r = await rig(400);
  const backend = await r.open(1 << 20, true);
  const uploaded = newChunkRef();
  await backend.put(pattern(CHUNK, 1), uploaded);
  await backend.sync();
  assert.ok(r.store.locations.get(uploaded) !== undefined);
  const before = await countShards(r, uploaded);
  assert.equal(before, 6);
  await backend.delete(uploaded);
  assert.equal(r.store.locations.get(uploaded), undefined);
  assert.equal(await countShards(r, uploaded), 6, "held");
  await backend.releaseDeferredDeletes();
  assert.equal(await countShards(r, uploaded), 6, "not sealed yet");
  backend.sealDeferredDeletes();
  await backend.releaseDeferredDeletes();
  assert.equal(await countShards(r, uploaded), 0, "released");

  setDown(r.pool.nodes, true);
  const early = newChunkRef();
  await backend.put(pattern(CHUNK, 2), early);
  await backend.delete(early);
  setDown(r.pool.nodes, false);
  await syncOnceNodesAnswer(backend);
  await backend.close(); // waits for an upload that was under way when the delete came
  assert.equal(r.store.locations.get(early), undefined);
  assert.equal(await countShards(r, early), 0);
});

Deno.test("a repair starts from the chunk's location as it is now, not as it was queued", async () => {
  // Proves a queued repair cannot undo a later move: the chunk is queued (a node was down at
  // its put), then its shard is moved off node Y (evacuation keeps the old copy until the
  // caller drops it); the repair must not write back a location that names Y again.
  await using r = await rig(550);
  const backend = await r.open(1 << 20);
  const down = r.pool.nodes[0]!;
  setDown([down], true);
  const ref = newChunkRef();
  await backend.put(pattern(CHUNK, 4), ref);
  await backend.sync();
  setDown([down], false);
  const queued = r.remote.pendingRepairs().find((location) => location.chunkId === ref)!;
  const leaving = queued.shards.find((shard) => shard.nodeId !== down.id)!.nodeId;
  const moved = await r.remote.evacuate(queued, leaving);
  r.remote.drainNode(leaving);
  const { plainBytes } = decodeChunkRef(r.store.locations.get(ref)!);
  r.store.transaction(() => r.store.locations.set(ref, encodeChunkRef(moved, plainBytes)));
  await backend.repairPending();
  const now = decodeChunkRef(r.store.locations.get(ref)!).location;
  assert.ok(!now.shards.some((shard) => shard.nodeId === leaving), "the move was undone");
  assertSameBytes(await backend.get(ref), pattern(CHUNK, 4));
});

Deno.test("a put with a node down is repaired later and its new location recorded", async () => {
  // Proves "queued for repair, not forgotten": k + 1 acknowledged shards succeed, and the
  // repair pass restores all k + m and rewrites the chunk's location.
  await using r = await rig(500);
  const backend = await r.open(1 << 20);
  setDown([r.pool.nodes[0]!], true);
  const ref = newChunkRef();
  await backend.put(pattern(CHUNK, 3), ref);
  await backend.sync();
  const before = JSON.parse(r.store.locations.get(ref)!);
  const placed = before.s.filter((node: string | null) => node !== null).length;
  // Six nodes for six shards: no spare, so the shard meant for the down node is missing.
  assert.equal(placed, 5);
  setDown([r.pool.nodes[0]!], false);
  assert.equal(await backend.repairPending(), 1);
  const after = JSON.parse(r.store.locations.get(ref)!);
  assert.equal(after.s.filter((node: string | null) => node !== null).length, 6);
  assertSameBytes(await backend.get(ref), pattern(CHUNK, 3));
});

/** sync() until it succeeds: an upload attempt begun while the nodes were down still fails. */
async function syncOnceNodesAnswer(backend: WriteBackBackend, attemptsMax = 5): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      return await backend.sync();
    } catch (error) {
      if (attempt >= attemptsMax) throw error;
    }
  }
}

async function countShards(r: Rig, chunkId: string): Promise<number> {
  let count = 0;
  for (const server of r.pool.servers) {
    const client = server.client();
    for (let index = 0; index < 6; index++) {
      if (await client.get(shardKey(chunkId, index)) !== null) count++;
    }
  }
  return count;
}

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(directory)) {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory) total += await directoryBytes(path);
    else total += (await Deno.stat(path)).size;
  }
  return total;
}
