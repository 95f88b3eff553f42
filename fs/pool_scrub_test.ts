// Scrubbing a pool of real ZDB servers over TCP: a node that comes back empty and a rotted
// shard are rebuilt for real (files read back with m other nodes down afterwards), and with
// more than m nodes down the chunks are reported unreadable and nothing is rewritten.
import assert from "node:assert/strict";
import { openFilesystem, recoverFilesystem } from "./filesystem.ts";
import { decodeChunkRef } from "./vfs/chunk_store_backend.ts";
import { ROOT_INO } from "./vfs/constants.ts";
import { ROOT } from "./vfs/_testing.ts";
import { describeTree } from "./vfs/_tree_testing.ts";
import { assertSameBytes } from "./zdb/_testing.ts";
import {
  openPoolFs,
  quiet,
  readFile,
  reopenUncached,
  storedLocations,
  TestNodes,
  writeFiles,
} from "./_pool_testing.ts";

/** Reopens without the local cache, takes `down` nodes down, and reads every file. */
async function readAllFromNodes(
  nodes: TestNodes,
  state: string,
  files: Map<string, Uint8Array>,
  down: number[],
) {
  const fs = await reopenUncached(nodes, state);
  try {
    for (const index of down) await nodes.stop(index);
    for (const [name, data] of files) assertSameBytes(await readFile(fs.vfs, name), data, name);
  } finally {
    await fs.close();
    for (const index of down) await nodes.resume(index);
  }
}

Deno.test("pool scrub: a node that comes back empty gets every shard and its superblock back", async () => {
  // Proves issue #7: after a node loses everything, scrub rebuilds one shard of every chunk
  // (4+2 on six nodes: it is the only node free), writes the metadata and superblock there
  // again, a second scrub finds all healthy, and every file reads back with two other nodes
  // down, so the rebuilt shards are real.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const fs = await openPoolFs(nodes, state);
  const files = await writeFiles(fs, 4, 60);
  const clean = await fs.pool!.scrub();
  assert.deepEqual(
    [clean.chunksChecked, clean.chunksHealthy, clean.chunksRepaired, clean.metadataShipped],
    [12, 12, 0, false],
  );
  assert.equal(clean.bytesChecked, [...files.values()].reduce((sum, f) => sum + f.length, 0));
  assert.ok(clean.metadataChunksChecked > 0);

  await nodes.wipe(3);
  const client = nodes.client(3);
  assert.equal(await client.dbsize(), 0);
  const repaired = await fs.pool!.scrub();
  assert.deepEqual(
    {
      checked: repaired.chunksChecked,
      healthy: repaired.chunksHealthy,
      repaired: repaired.chunksRepaired,
      shards: repaired.shardsRebuilt,
      degraded: repaired.chunksDegraded,
      unreadable: repaired.chunksUnreadable,
      superblocksMissing: repaired.superblocksMissing,
      shipped: repaired.metadataShipped,
    },
    {
      checked: 12,
      healthy: 0,
      repaired: 12,
      shards: 12,
      degraded: 0,
      unreadable: [],
      superblocksMissing: ["node-3"],
      shipped: true,
    },
  );
  assert.ok(repaired.metadataChunksBad > 0, "the metadata's shards on it were gone too");
  assert.notEqual(await client.get("qsfs-superblock-test"), null, "its superblock is back");
  client.close();
  const again = await fs.pool!.scrub();
  assert.deepEqual(
    [again.chunksHealthy, again.chunksRepaired, again.metadataChunksBad, again.metadataShipped],
    [12, 0, 0, false],
  );
  await fs.close();
  await readAllFromNodes(nodes, state, files, [0, 5]);
  await Deno.remove(state, { recursive: true });
});

Deno.test("pool scrub: a flipped bit in one stored shard is found and rebuilt", async () => {
  // Proves corruption (not loss) is caught by the shard hash and repaired in place: the
  // chunk's location is unchanged (the only free node is the one with the bad copy), and
  // the chunk reads back with the two nodes down that leave it needing that shard.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const fs = await openPoolFs(nodes, state);
  const files = await writeFiles(fs, 4, 60);
  const before = storedLocations(state);
  const [ref, text] = [...before][5]!;
  const shard = decodeChunkRef(text).location.shards[1]!;
  const nodeIndex = Number(shard.nodeId.split("-")[1]);
  const client = nodes.client(nodeIndex);
  const stored = (await client.get(shard.key))!;
  stored[stored.length - 9]! ^= 0x10;
  await client.set(shard.key, stored);
  const report = await fs.pool!.scrub();
  assert.deepEqual(
    [report.chunksHealthy, report.chunksRepaired, report.shardsRebuilt, report.metadataShipped],
    [11, 1, 1, true],
  );
  assert.deepEqual(storedLocations(state), before, `chunk ${ref} rebuilt where it was`);
  assert.notDeepEqual(await client.get(shard.key), stored, "the bad copy was replaced");
  client.close();
  assert.equal((await fs.pool!.scrub()).chunksHealthy, 12);
  await fs.close();
  const others = [0, 1, 2, 3, 4, 5].filter((index) => index !== nodeIndex);
  await readAllFromNodes(nodes, state, files, others.slice(0, 2));
  await Deno.remove(state, { recursive: true });
});

Deno.test("pool scrub: with m + 1 nodes down chunks are reported unreadable and kept as they were", async () => {
  // Proves scrub never drops or rewrites what it cannot read: three of six nodes down, every
  // chunk is reported with its reason and every location is unchanged; the metadata snapshot
  // it could not ship is shipped by the next flush once the nodes are back (a recovery from
  // the nodes sees a change made before the scrub), and a scrub then finds every chunk whole.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const fs = await openPoolFs(nodes, state);
  const files = await writeFiles(fs, 4, 60);
  await fs.sync();
  // Committed locally, not shipped yet: the failed snapshot below takes it from the log.
  await fs.vfs.mkdir(ROOT, { parent: ROOT_INO, name: "made-before-scrub", mode: 0o755 });
  const before = storedLocations(state);
  for (const index of [1, 2, 4]) await nodes.stop(index);
  const report = await fs.pool!.scrub();
  assert.equal(report.chunksChecked, 12);
  assert.equal(report.chunksUnreadable.length, 12);
  assert.deepEqual(
    report.chunksUnreadable.map((chunk) => chunk.ref).sort(),
    [...before.keys()].sort(),
  );
  for (const chunk of report.chunksUnreadable) assert.match(chunk.reason, /too few shards/);
  assert.deepEqual([report.chunksHealthy, report.chunksRepaired], [0, 0]);
  assert.equal(report.metadataShipped, false);
  assert.match(report.metadataShipError ?? "", /Cannot store/);
  assert.deepEqual(storedLocations(state), before, "no location was rewritten");

  for (const index of [1, 2, 4]) await nodes.resume(index);
  await fs.sync();
  const expected = await describeTree(fs.vfs, ROOT_INO);
  const whole = await fs.pool!.scrub();
  assert.deepEqual([whole.chunksHealthy, whole.chunksUnreadable.length], [12, 0]);
  await fs.close();
  const recovered = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  await recoverFilesystem({ stateDir: recovered, pool: nodes.pool(), logger: quiet });
  const second = await openFilesystem({ stateDir: recovered, pool: nodes.pool(), logger: quiet });
  assert.deepEqual(await describeTree(second.vfs, ROOT_INO), expected);
  await second.close();
  await readAllFromNodes(nodes, recovered, files, [1, 2]);
  for (const dir of [state, recovered]) await Deno.remove(dir, { recursive: true });
});
