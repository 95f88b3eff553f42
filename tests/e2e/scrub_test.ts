/**
 * `qsfs scrub` as a person runs it. After a node is removed while mounted, a scrub (done by the
 * mount, asked through the daemon) finds every chunk healthy. A node that comes back empty
 * while mounted (its server stopped, its stored data deleted, started again) gets a shard of
 * every chunk and its superblock back from the next scrub, and a scrub after it finds all
 * healthy, unmounted too (the daemon opens the filesystem itself). With two other nodes down
 * and no local cache, every file then reads identical through the mount: the rebuilt shards
 * are real. With three nodes down, scrub exits 1 and names every chunk it could not read.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ScrubSummary } from "../../fs/mod.ts";
import { canMount, type MountProcess } from "../fs/_qsfs_process.ts";
import { shOk } from "../fs/_tree.ts";
import { makePoolHome, qsfs, qsfsOk, stopDaemon } from "./_home.ts";
import { cleanUpMount, mountPool } from "./_mount.ts";

const FILES = 3;
/** Three 4 MiB chunks per file. */
const FILE_BYTES = 9 * 1024 * 1024 + 333;
const CHUNKS = FILES * 3;

async function scrubJson(home: string): Promise<ScrubSummary> {
  return JSON.parse(await qsfsOk(home, ["scrub", "--json"])) as ScrubSummary;
}

/** The node loses its data but keeps its (empty) namespace, as a replaced disk would. */
async function emptyNode(home: string, nodeId: string): Promise<void> {
  await qsfsOk(home, ["nodes", "stop", nodeId]);
  const ns = join(home, "nodes", nodeId, "data", "ns");
  await shOk(`find '${ns}' -type f ! -name namespace.json -delete`);
  await qsfsOk(home, ["nodes", "start", nodeId]);
}

Deno.test({
  name:
    "pool: qsfs scrub finds all healthy after a removal and rebuilds a node that came back empty",
  ignore: !canMount(),
  async fn() {
    const { root, home, mountpoint, source, nodes } = await makePoolHome("qsfs_scrub_", {
      nodes: 7,
      files: FILES,
      fileBytes: FILE_BYTES,
    });
    let server: MountProcess | undefined;
    const cmpAll = async () => {
      for (let i = 0; i < FILES; i++) await shOk(`cmp '${source}/f${i}' '${mountpoint}/f${i}'`);
    };
    try {
      server = await mountPool(home, mountpoint, ["--data-shards", "4", "--parity-shards", "2"]);
      for (let i = 0; i < FILES; i++) {
        await shOk(`dd if='${source}/f${i}' of='${mountpoint}/f${i}' bs=1M conv=fsync status=none`);
      }
      await qsfsOk(home, ["nodes", "remove", nodes[6]!.id]);
      const afterRemoval = await scrubJson(home);
      assert.deepEqual(
        [afterRemoval.chunksChecked, afterRemoval.chunksHealthy, afterRemoval.chunksUnreadable],
        [CHUNKS, CHUNKS, []],
      );
      assert.equal(afterRemoval.bytesChecked, FILES * FILE_BYTES);
      assert.match(server.stderr(), /scrubbing the pool, as asked/, "the mount did it");

      // Six nodes for 4+2: the emptied node held a shard of every chunk, and takes it back.
      const emptied = nodes[1]!.id;
      await emptyNode(home, emptied);
      const repaired = await qsfs(home, ["scrub"]);
      assert.equal(repaired.code, 0, repaired.stderr);
      assert.match(repaired.stdout, new RegExp(`repaired +${CHUNKS} \\(${CHUNKS} shard`));
      assert.match(repaired.stdout, new RegExp(`no superblock on ${emptied}; shipped again`));
      const again = await scrubJson(home);
      assert.deepEqual([again.chunksHealthy, again.metadataShipped], [CHUNKS, false]);
      await cmpAll();
      await server.unmount();
      server = undefined;

      // Unmounted: the daemon scrubs; then every byte comes from the nodes, two of them down.
      const unmounted = await scrubJson(home);
      assert.deepEqual([unmounted.chunksHealthy, unmounted.chunksRepaired], [CHUNKS, 0]);
      await Deno.remove(join(home, "fs", "cache"), { recursive: true });
      server = await mountPool(home, mountpoint);
      const down = [nodes[0]!.id, nodes[4]!.id];
      for (const id of down) await qsfsOk(home, ["nodes", "stop", id]);
      await cmpAll();
      await server.unmount();
      server = undefined;

      // One more down than parity: reported, exit 1, nothing rewritten; back up, all healthy.
      await qsfsOk(home, ["nodes", "stop", nodes[2]!.id]);
      const unreadable = await qsfs(home, ["scrub"]);
      assert.equal(unreadable.code, 1, unreadable.stderr);
      assert.match(unreadable.stdout, new RegExp(`unreadable +${CHUNKS}\\n`));
      assert.equal(unreadable.stdout.match(/: Cannot read chunk [0-9a-f]+: too few/g)?.length, 9);
      for (const id of [...down, nodes[2]!.id]) await qsfsOk(home, ["nodes", "start", id]);
      assert.equal((await scrubJson(home)).chunksHealthy, CHUNKS);
    } finally {
      await cleanUpMount(server, mountpoint);
      await stopDaemon(home);
      await Deno.remove(root, { recursive: true });
    }
  },
});
