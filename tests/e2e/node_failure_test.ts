/**
 * Storage nodes failing under a real mount over a 4+2 pool of 6 local node
 * processes, with a local cache much smaller than the data: everything written
 * reads back identical through evictions; with m + 1 nodes stopped reads fail
 * with EIO; with m stopped every file reads identical from the nodes; with all
 * back (and the local cache dropped) everything reads identical again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { StorageNode } from "../../server/grid/provider.ts";
import { canMount, type MountProcess } from "../fs/_qsfs_process.ts";
import { sh, shOk } from "../fs/_tree.ts";
import { makePoolHome, qsfs, qsfsOk, stopDaemon } from "./_home.ts";
import { cleanUpMount, mountPool } from "./_mount.ts";

const FILES = 5;
const FILE_BYTES = 7 * 1024 * 1024 + 12345;
const CACHE_BYTES = 8 * 1024 * 1024;
const CACHE = ["--cache-size", String(CACHE_BYTES)];

/** cmp of every file on the mount against its source; throws on the first difference. */
async function compareAll(source: string, mountpoint: string): Promise<void> {
  for (let i = 0; i < FILES; i++) await shOk(`cmp '${source}/f${i}' '${mountpoint}/f${i}'`);
}

Deno.test({
  name: "pool: a cache smaller than the data; m nodes down read fine, m + 1 give EIO, then recover",
  ignore: !canMount(),
  async fn() {
    const { root, home, mountpoint, source, nodes } = await makePoolHome("qsfs_node_failure_", {
      nodes: 6,
      files: FILES,
      fileBytes: FILE_BYTES,
    });
    let server: MountProcess | undefined;
    try {
      server = await mountPool(home, mountpoint, CACHE);
      // df shows the nodes' space less parity: 6 x 256 MiB x 4/6.
      const size = Number((await shOk(`df -B1 --output=size '${mountpoint}' | tail -1`)).trim());
      assert.ok(Math.abs(size - 1024 ** 3) < 1024 ** 2, `df says ${size} bytes`);
      // 35 MiB through an 8 MiB cache: writers wait for uploads, nothing is dropped.
      for (let i = 0; i < FILES; i++) {
        await shOk(`dd if='${source}/f${i}' of='${mountpoint}/f${i}' bs=1M conv=fsync status=none`);
      }
      await compareAll(source, mountpoint);
      const cached = Number((await shOk(`du -sb '${join(home, "fs", "cache")}'`)).split("\t")[0]);
      assert.ok(cached <= 2 * CACHE_BYTES, `the local cache holds ${cached} bytes`);
      const health = JSON.parse(await qsfsOk(home, ["nodes", "health", "--json"])) as {
        nodes: { id: string; usedBytes: number }[];
      };
      for (const node of health.nodes) {
        // Each node holds one shard of every chunk: a quarter of the data at least.
        assert.ok(node.usedBytes >= (FILES * FILE_BYTES) / 4, `${node.id} holds its shards`);
      }
      await server.unmount();
      server = undefined;

      // Every chunk is on the nodes after a clean unmount: drop the local cache.
      await Deno.remove(join(home, "fs", "cache"), { recursive: true });
      server = await mountPool(home, mountpoint, CACHE);
      const [a, b, c] = nodes as [StorageNode, StorageNode, StorageNode];
      for (const node of [a, b, c]) await qsfsOk(home, ["nodes", "stop", node.id]);
      for (let i = 0; i < FILES; i++) {
        const read = await sh(`cat '${mountpoint}/f${i}' > /dev/null`);
        assert.notEqual(read.code, 0, `f${i} cannot be read with 3 of 6 nodes down`);
        assert.match(read.stderr, /Input\/output error/);
      }
      assert.match(
        server.stderr(),
        /chunk read failed .*too few shards/,
        "EIO has its reason logged",
      );
      await qsfsOk(home, ["nodes", "start", a.id]);
      await compareAll(source, mountpoint);

      for (const node of [b, c]) await qsfsOk(home, ["nodes", "start", node.id]);
      await server.unmount();
      server = undefined;
      await Deno.remove(join(home, "fs", "cache"), { recursive: true });
      server = await mountPool(home, mountpoint, CACHE);
      await compareAll(source, mountpoint);
      await server.unmount();
      server = undefined;
      const localOnly = await qsfs(home, ["mount", mountpoint, "--local-only"]);
      assert.equal(localOnly.code, 1);
      assert.match(
        localOnly.stderr,
        /caches the filesystem kept on the storage nodes \(pool\.json\)/,
      );
    } finally {
      await cleanUpMount(server, mountpoint);
      await stopDaemon(home);
      await Deno.remove(root, { recursive: true });
    }
  },
});
