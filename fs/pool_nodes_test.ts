// A pool of real ZDB servers over TCP keeps up with its nodes: a node that answers without its
// shards gets them back through read repair, and a node restarted on another port is followed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { decodeChunkRef } from "./vfs/chunk_store_backend.ts";
import { type Filesystem, openFilesystem } from "./filesystem.ts";
import { ROOT_INO } from "./vfs/constants.ts";
import { pattern } from "./vfs/_testing.ts";
import { writeTestFile } from "./vfs/_tree_testing.ts";
import { startZdbServer } from "./zdb/mod.ts";
import { assertSameBytes } from "./zdb/_testing.ts";
import { CHUNK, quiet, readFile, TestNodes } from "./_pool_testing.ts";

async function writeFiles(fs: Filesystem): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < 3; i++) {
    const data = pattern(2 * CHUNK + 7 + i * 333, 80 + i);
    await writeTestFile(fs.vfs, ROOT_INO, `f${i}`, data, true);
    files.set(`f${i}`, data);
  }
  return files;
}

/** Opens the state again without its local cache, so every read goes to the nodes. */
async function reopenUncached(nodes: TestNodes, state: string, pool = nodes.pool()) {
  await Deno.remove(join(state, "cache"), { recursive: true });
  return await openFilesystem({ stateDir: state, pool, chunkSizeBytes: CHUNK, logger: quiet });
}

Deno.test("pool: reads around a node that came back empty queue its chunks, and repair refills it", async () => {
  // Proves read repair (issue #7: "a node that returns empty gets its shards rebuilt"): reading
  // every file queues exactly the chunks whose data shard the emptied node had lost (a read
  // takes data shards; a lost parity shard is the scrub's to find), the repair rebuilds them
  // on it, and a scrub afterwards has only the parity-shard chunks left to repair.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  try {
    const first = await openFilesystem({
      stateDir: state,
      pool: nodes.pool(),
      chunkSizeBytes: CHUNK,
      logger: quiet,
    });
    const files = await writeFiles(first);
    await first.close();
    const shardsOnNode0 = [...chunkLocations(state).values()].map((text) =>
      decodeChunkRef(text).location.shards.find((shard) => shard.nodeId === "node-0")!
    );
    const dataShardsOnNode0 = shardsOnNode0.filter((shard) => shard.index < 4);
    const dataShardChunks = dataShardsOnNode0.length;
    assert.ok(dataShardChunks > 0 && dataShardChunks < shardsOnNode0.length, "seed spreads both");
    await nodes.wipe(0);
    const fs = await reopenUncached(nodes, state);
    try {
      assert.equal(fs.pool!.repairsPending, 0);
      for (const [name, data] of files) assertSameBytes(await readFile(fs.vfs, name), data, name);
      assert.equal(fs.pool!.repairsPending, dataShardChunks);
      assert.equal(await fs.pool!.repairPending(), dataShardChunks);
      assert.equal(fs.pool!.repairsPending, 0, "chunks still wait for repair");
      const node0 = nodes.client(0);
      for (const shard of dataShardsOnNode0) {
        assert.ok((await node0.get(shard.key)) !== null, `shard ${shard.key} is not back`);
      }
      const scrub = await fs.pool!.scrub();
      assert.equal(scrub.chunksRepaired, shardsOnNode0.length - dataShardChunks);
    } finally {
      await fs.close();
    }
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});

/** The chunk map's locations as stored, read beside a closed filesystem. */
function chunkLocations(stateDir: string): Map<string, string> {
  const db = new DatabaseSync(join(stateDir, "meta.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT ref, location FROM chunk_locations").all();
    return new Map(rows.map((row) => [row.ref as string, row.location as string]));
  } finally {
    db.close();
  }
}

Deno.test("pool: a node restarted on another port is followed there (moveNode)", async () => {
  // Proves a mounted pool is not left pointing at a port nobody listens on: after moveNode the
  // node serves reads again, so every file reads with two other nodes down.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  try {
    const first = await openFilesystem({
      stateDir: state,
      pool: nodes.pool(),
      chunkSizeBytes: CHUNK,
      logger: quiet,
    });
    const files = await writeFiles(first);
    await first.close();
    const fs = await reopenUncached(nodes, state);
    await nodes.stop(0);
    const moved = await startZdbServer({
      listen: { hostname: "127.0.0.1", port: 0 },
      dataDir: nodes.dataDirs[0]!,
      mode: "user",
    });
    try {
      const address = { ...nodes.pool().nodes[0]!, port: moved.port! };
      assert.equal(fs.pool!.moveNode(address), true);
      assert.equal(fs.pool!.moveNode(address), false, "the same address again is no move");
      assert.throws(() => fs.pool!.moveNode({ ...address, id: "node-x" }), /not in the pool/);
      await nodes.stop(1);
      await nodes.stop(2);
      for (const [name, data] of files) assertSameBytes(await readFile(fs.vfs, name), data, name);
    } finally {
      await fs.close();
      await moved.close();
      await nodes.resume(1);
      await nodes.resume(2);
    }
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});
