// The chunk store against real embedded ZDB servers over TCP, with seeded faults.
import assert from "node:assert/strict";
import {
  assertSameBytes,
  mulberry32,
  randomBytes,
  randomInt,
  startTestServer,
} from "../zdb/_testing.ts";
import { ZdbShardNode } from "./shard_node.ts";
import { ChunkStore } from "./chunk_store.ts";
import { createChunkCodec } from "./codec_adapter.ts";
import { startTestPool } from "./_pool_testing.ts";
import { ChunkReadError, ChunkWriteError } from "./types.ts";

const MASTER_KEY = new Uint8Array(32).fill(7);
const CHUNK_BYTES_MAX = 256 * 1024;

function codec(dataShards: number, parityShards: number) {
  return createChunkCodec({ masterKey: MASTER_KEY, dataShards, parityShards });
}

/** Every combination of `size` indices out of `count`. */
function combinations(count: number, size: number): number[][] {
  if (size === 0) return [[]];
  const result: number[][] = [];
  for (let first = 0; first <= count - size; first++) {
    for (const rest of combinations(count - first - 1, size - 1)) {
      result.push([first, ...rest.map((i) => i + first + 1)]);
    }
  }
  return result;
}

Deno.test("ChunkStore.put() places n shards on n distinct nodes and get() returns the bytes", async () => {
  // Proves the basic round trip, including 0 and 1 byte chunks, and the one-shard-per-node rule.
  await using pool = await startTestPool(8, 100);
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(1),
  });
  const random = mulberry32(2);
  for (const size of [0, 1, 2, 4095, 4096, 65537, CHUNK_BYTES_MAX]) {
    const data = randomBytes(random, size);
    const location = await store.put(data);
    assert.equal(location.shards.length, 6);
    assert.equal(new Set(location.shards.map((s) => s.nodeId)).size, 6, "two shards on one node");
    assert.deepEqual(location.shards.map((s) => s.index), [0, 1, 2, 3, 4, 5]);
    assertSameBytes(await store.get(location), data, `chunk of ${size} bytes`);
  }
  assert.equal(store.pendingRepairs().length, 0);
});

Deno.test("ChunkStore.get() survives any m nodes down or corrupt and fails clearly with m + 1", async () => {
  // Proves the erasure-coding promise on real servers: every choice of m failed nodes reads
  // back identical bytes; one more failure gives "too few shards", never wrong bytes.
  await using pool = await startTestPool(6, 200);
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(3),
    hedgeDelayMs: 20,
  });
  const random = mulberry32(4);
  const chunks = [];
  for (let i = 0; i < 4; i++) {
    const data = randomBytes(random, randomInt(random, 0, CHUNK_BYTES_MAX));
    chunks.push({ data, location: await store.put(data) });
  }
  for (const failed of combinations(6, 2)) {
    failed.forEach((i, j) => (pool.nodes[i]!.plan = j === 0 ? { down: true } : { flipBits: true }));
    for (const chunk of chunks) {
      assertSameBytes(await store.get(chunk.location), chunk.data, `nodes ${failed} failed`);
    }
    for (const node of pool.nodes) node.plan = {};
  }
  for (const failed of combinations(6, 3).slice(0, 6)) {
    failed.forEach((i) => (pool.nodes[i]!.plan = { down: true }));
    await assert.rejects(store.get(chunks[0]!.location), (error: unknown) => {
      assert.ok(error instanceof ChunkReadError);
      assert.equal(error.reason, "too_few_shards");
      assert.match(error.message, /too few shards/);
      return true;
    });
    for (const node of pool.nodes) node.plan = {};
  }
});

Deno.test("ChunkStore.get() does not wait for a slow node", async () => {
  // Proves hedging: with one node answering after 3 s, a read finishes long before that.
  await using pool = await startTestPool(6, 300);
  const store = new ChunkStore({ codec: await codec(4, 2), nodes: pool.nodes, hedgeDelayMs: 30 });
  const data = randomBytes(mulberry32(5), 100_000);
  const location = await store.put(data);
  const slow = pool.nodes.find((node) => node.id === location.shards[0]!.nodeId)!;
  slow.plan = { delayMs: 3_000 };
  const started = performance.now();
  assertSameBytes(await store.get(location), data);
  assert.ok(performance.now() - started < 2_000, "the read waited for the slow node");
  slow.plan = {};
});

Deno.test("ChunkStore.put() succeeds with k + 1 shards, queues the rest, and repair restores them", async () => {
  // Proves the write policy and that scrub after repair finds full redundancy again.
  await using pool = await startTestPool(6, 400);
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(6),
  });
  pool.nodes[0]!.plan = { down: true };
  const data = randomBytes(mulberry32(7), 50_000);
  const location = await store.put(data);
  assert.equal(location.shards.length, 5);
  assert.deepEqual(store.pendingRepairs().map((l) => l.chunkId), [location.chunkId]);
  pool.nodes[0]!.plan = {};
  const repaired = await store.repair(location);
  assert.equal(repaired.shards.length, 6);
  assert.equal(new Set(repaired.shards.map((s) => s.nodeId)).size, 6);
  assert.equal(store.pendingRepairs().length, 0);
  assert.deepEqual((await store.scrub(repaired)).badShards, []);
  assertSameBytes(await store.get(repaired), data);
});

Deno.test("ChunkStore.put() refuses when fewer than k + 1 shards can be stored, and keeps nothing", async () => {
  // Proves the write policy's floor: with 2 of 6 nodes full a 4+2 chunk is refused.
  await using pool = await startTestPool(6, 500);
  const store = new ChunkStore({ codec: await codec(4, 2), nodes: pool.nodes });
  pool.nodes[1]!.plan = { full: true };
  pool.nodes[4]!.plan = { full: true };
  await assert.rejects(store.put(randomBytes(mulberry32(8), 1000)), ChunkWriteError);
  for (const server of pool.servers) assert.equal(await server.client().dbsize(), 0);
});

Deno.test("ChunkStore.scrub() finds rotted and lost shards and rebuilds them on other nodes", async () => {
  // Proves scrub against real corruption on a server (a shard overwritten with other bytes)
  // and a node that lost everything (replaced by a fresh server).
  await using pool = await startTestPool(7, 600);
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(9),
  });
  const data = randomBytes(mulberry32(10), 120_000);
  const location = await store.put(data);
  const rotted = location.shards[1]!;
  const rottedServer = pool.servers[Number(rotted.nodeId.split("-")[1])]!;
  const stored = (await rottedServer.client().get(rotted.key))!;
  stored[stored.length >> 1]! ^= 0x40;
  await rottedServer.client().set(rotted.key, stored);
  const lost = location.shards[4]!;
  await pool.servers[Number(lost.nodeId.split("-")[1])]!.client().del(lost.key);
  const report = await store.scrub(location);
  assert.deepEqual(report.badShards, [1, 4]);
  assert.equal(report.location.shards.length, 6);
  assert.equal(new Set(report.location.shards.map((s) => s.nodeId)).size, 6);
  assert.deepEqual((await store.scrub(report.location)).badShards, []);
  pool.nodes.filter((n) => !report.location.shards.some((s) => s.nodeId === n.id)).forEach((n) =>
    n.plan = { down: true }
  );
  assertSameBytes(await store.get(report.location), data);
});

Deno.test("ChunkStore.scrub() on a full pool rebuilds a rotted shard in place and keeps it", async () => {
  // Proves the rebuild on the node that held the bad copy: with n nodes for n shards it is the
  // only node free, and the new shard has the same key there; dropping the bad copy afterwards
  // must not delete the new one (a second scrub would find it missing).
  await using pool = await startTestPool(6, 650);
  const store = new ChunkStore({ codec: await codec(4, 2), nodes: pool.nodes });
  const data = randomBytes(mulberry32(13), 50_000);
  const location = await store.put(data);
  const rotted = location.shards[2]!;
  const rottedServer = pool.servers[Number(rotted.nodeId.split("-")[1])]!;
  const stored = (await rottedServer.client().get(rotted.key))!;
  stored[7]! ^= 0x01;
  await rottedServer.client().set(rotted.key, stored);
  const report = await store.scrub(location);
  assert.deepEqual(report.badShards, [2]);
  assert.deepEqual(report.location, location, "rebuilt where it was, under the same key");
  assert.deepEqual((await store.scrub(report.location)).badShards, []);
  pool.nodes.filter((node) => node.id !== rotted.nodeId).slice(0, 2).forEach((node) =>
    node.plan = { down: true }
  );
  assertSameBytes(await store.get(report.location), data);
});

Deno.test("ChunkStore.delete() removes every shard and is idempotent", async () => {
  // Proves delete leaves no shard behind and can be repeated.
  await using pool = await startTestPool(6, 700);
  const store = new ChunkStore({ codec: await codec(4, 2), nodes: pool.nodes });
  const location = await store.put(randomBytes(mulberry32(11), 10_000));
  await store.delete(location);
  await store.delete(location);
  for (const server of pool.servers) assert.equal(await server.client().dbsize(), 0);
  await assert.rejects(store.get(location), ChunkReadError);
});

Deno.test("ChunkStore with random faults on 6 nodes: any m failing reads back identical (seeded)", async () => {
  // Proves, over many seeded random fault patterns, that reads never return wrong bytes.
  await using pool = await startTestPool(6, 800);
  const store = new ChunkStore({ codec: await codec(4, 2), nodes: pool.nodes, hedgeDelayMs: 20 });
  const random = mulberry32(12);
  const data = randomBytes(random, 200_000);
  const location = await store.put(data);
  for (let round = 0; round < 20; round++) {
    const faulty = new Set<number>();
    while (faulty.size < 2) faulty.add(randomInt(random, 0, 5));
    const plans = [{ down: true }, { flipBits: true }, { disconnectRate: 1 }, { delayMs: 50 }];
    for (const i of faulty) pool.nodes[i]!.plan = plans[randomInt(random, 0, plans.length - 1)]!;
    assertSameBytes(await store.get(location), data, `round ${round}`);
    for (const node of pool.nodes) node.plan = {};
  }
});

Deno.test("ChunkStore.repair() after a node is replaced by an empty one restores full redundancy", async () => {
  // Proves the replacement path: a node leaves the pool for good, a fresh server joins, and
  // repair puts the lost shards on it (or another node) so scrub finds all n shards again.
  await using pool = await startTestPool(6, 900);
  await using fresh = await startTestServer({ mode: "user" });
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(13),
  });
  const random = mulberry32(14);
  const chunks = [];
  for (let i = 0; i < 5; i++) {
    const data = randomBytes(random, randomInt(random, 1, 100_000));
    chunks.push({ data, location: await store.put(data) });
  }
  store.removeNode("node-2");
  store.addNode(new ZdbShardNode("node-new", fresh.client()));
  for (const chunk of chunks) {
    const repaired = await store.repair(chunk.location);
    assert.equal(repaired.shards.length, 6);
    assert.ok(!repaired.shards.some((shard) => shard.nodeId === "node-2"));
    assert.deepEqual((await store.scrub(repaired)).badShards, []);
    assertSameBytes(await store.get(repaired), chunk.data);
  }
  assert.ok((await fresh.client().dbsize()) > 0, "the new node received shards");
});

Deno.test("ChunkStore.evacuate() moves a node's shards to other nodes, copying or rebuilding them", async () => {
  // Proves a node can be emptied before it leaves: its shards land on nodes holding none of the
  // chunk, the chunk stays whole with the node gone, and a shard the node lost is rebuilt.
  await using pool = await startTestPool(7, 1000);
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(15),
  });
  const random = mulberry32(16);
  const chunks = [];
  for (let i = 0; i < 6; i++) {
    const data = randomBytes(random, randomInt(random, 1, 80_000));
    chunks.push({ data, location: await store.put(data) });
  }
  const leaving = chunks[0]!.location.shards[2]!.nodeId;
  await pool.servers[Number(leaving.split("-")[1])]!.client().del(
    chunks[0]!.location.shards[2]!.key,
  );
  const leavingServer = pool.servers[Number(leaving.split("-")[1])]!;
  const heldBefore = await leavingServer.client().dbsize();
  const moved = [];
  for (const chunk of chunks) {
    moved.push({ ...chunk, location: await store.evacuate(chunk.location, leaving) });
  }
  // The old copies stay until the caller has made the new locations durable.
  assert.equal(await leavingServer.client().dbsize(), heldBefore, "old copies deleted too soon");
  const old = chunks.flatMap((chunk) => chunk.location.shards.filter((s) => s.nodeId === leaving));
  await store.dropShards(old);
  assert.equal(await leavingServer.client().dbsize(), 0, "shards left behind on the leaving node");
  store.removeNode(leaving);
  for (const chunk of moved) {
    assert.equal(chunk.location.shards.length, 6);
    assert.ok(!chunk.location.shards.some((shard) => shard.nodeId === leaving));
    assert.equal(new Set(chunk.location.shards.map((s) => s.nodeId)).size, 6);
    assert.deepEqual((await store.scrub(chunk.location)).badShards, []);
    assertSameBytes(await store.get(chunk.location), chunk.data);
  }
});

Deno.test("ChunkStore.get() queues a chunk whose node lost a shard for repair, not one whose node is down", async () => {
  // Proves read repair: a node that answers without its shard (emptied, or the shard rotted)
  // gets the chunk queued, and repair makes it whole; a node that does not answer may come back
  // with its shards, so reading around it queues nothing.
  await using pool = await startTestPool(6, 1300);
  const store = new ChunkStore({
    codec: await codec(4, 2),
    nodes: pool.nodes,
    random: mulberry32(31),
  });
  const random = mulberry32(32);
  const chunks = [];
  for (let i = 0; i < 3; i++) {
    const data = randomBytes(random, randomInt(random, 1000, 200_000));
    chunks.push({ data, location: await store.put(data) });
  }
  const serverOf = (nodeId: string) => pool.servers[Number(nodeId.split("-")[1])]!;
  const [lost, rotted, aroundDown] = chunks;
  await serverOf(lost!.location.shards[0]!.nodeId).client().del(lost!.location.shards[0]!.key);
  const rottedShard = rotted!.location.shards[2]!;
  const stored = (await serverOf(rottedShard.nodeId).client().get(rottedShard.key))!;
  stored[100]! ^= 1;
  await serverOf(rottedShard.nodeId).client().set(rottedShard.key, stored);
  // Every node holds a shard of each chunk (6 nodes, 4 + 2): take one that lost nothing down.
  const damagedNodes = [lost!.location.shards[0]!.nodeId, rottedShard.nodeId];
  const downNode = pool.nodes.find((n) =>
    !damagedNodes.includes(n.id) && aroundDown!.location.shards.some((s) => s.nodeId === n.id)
  )!;
  downNode.plan = { down: true };
  for (const chunk of chunks) assertSameBytes(await store.get(chunk.location), chunk.data);
  const queued = store.pendingRepairs().map((location) => location.chunkId).sort();
  assert.deepEqual(queued, [lost!.location.chunkId, rotted!.location.chunkId].sort());
  downNode.plan = {};
  for (const location of store.pendingRepairs()) {
    const repaired = await store.repair(location);
    assert.deepEqual((await store.scrub(repaired)).badShards, []);
  }
  assert.equal(store.pendingRepairs().length, 0);
});
