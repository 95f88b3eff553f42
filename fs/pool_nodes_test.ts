// A pool of real ZDB servers over TCP keeps up with its nodes: a node that answers without its
// shards gets them back through read repair, and a node restarted on another port is followed.
import assert from "node:assert/strict";
import { decodeChunkRef } from "./vfs/chunk_store_backend.ts";
import { startZdbServer } from "./zdb/mod.ts";
import { assertSameBytes } from "./zdb/_testing.ts";
import {
  openPoolFs,
  readFile,
  reopenUncached,
  storedLocations,
  TestNodes,
  writeFiles,
} from "./_pool_testing.ts";

Deno.test("pool: reads around a node that came back empty queue its chunks, and repair refills it", async () => {
  // Proves read repair (issue #7: "a node that returns empty gets its shards rebuilt"): reading
  // every file queues exactly the chunks whose data shard the emptied node had lost (a read
  // takes data shards; a lost parity shard is the scrub's to find), the repair rebuilds them
  // on it, and a scrub afterwards has only the parity-shard chunks left to repair.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  try {
    const files = await writeAndClose(nodes, state);
    const locations = [...storedLocations(state).values()].map((text) => decodeChunkRef(text));
    const shardsOn = (node: number) =>
      locations.map(({ location }) =>
        location.shards.find((shard) => shard.nodeId === `node-${node}`)!
      );
    // Placement is random: the node emptied is one holding data and parity shards both
    // (with 9 chunks on 6 nodes, some node always does but once in ~10^9 runs).
    const emptied = [0, 1, 2, 3, 4, 5].find((node) => {
      const data = shardsOn(node).filter((shard) => shard.index < 4).length;
      return data > 0 && data < locations.length;
    });
    assert.ok(emptied !== undefined, "some node holds both data and parity shards");
    const shardsOnEmptied = shardsOn(emptied);
    const dataShardsOnEmptied = shardsOnEmptied.filter((shard) => shard.index < 4);
    const dataShardChunks = dataShardsOnEmptied.length;
    await nodes.wipe(emptied);
    const fs = await reopenUncached(nodes, state);
    try {
      assert.equal(fs.pool!.repairsPending, 0);
      for (const [name, data] of files) assertSameBytes(await readFile(fs.vfs, name), data, name);
      assert.equal(fs.pool!.repairsPending, dataShardChunks);
      assert.equal(await fs.pool!.repairPending(), dataShardChunks);
      assert.equal(fs.pool!.repairsPending, 0, "chunks still wait for repair");
      const emptiedNode = nodes.client(emptied);
      for (const shard of dataShardsOnEmptied) {
        assert.ok((await emptiedNode.get(shard.key)) !== null, `shard ${shard.key} is not back`);
      }
      const scrub = await fs.pool!.scrub();
      assert.equal(scrub.chunksRepaired, shardsOnEmptied.length - dataShardChunks);
    } finally {
      await fs.close();
    }
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("pool: a node restarted on another port is followed there (moveNode)", async () => {
  // Proves a mounted pool is not left pointing at a port nobody listens on: after moveNode the
  // node serves reads again, so every file reads with two other nodes down.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  try {
    const files = await writeAndClose(nodes, state);
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

/** Three files written to a filesystem in `stateDir`, which is closed again. */
async function writeAndClose(nodes: TestNodes, state: string) {
  const fs = await openPoolFs(nodes, state);
  try {
    return await writeFiles(fs, 3, 80);
  } finally {
    await fs.close();
  }
}
