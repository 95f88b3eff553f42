/**
 * Growing and shrinking the pool as a person does it. A node created while the filesystem is
 * mounted (6 nodes, 4+2) is taken into the pool at once: data written afterwards lands on it
 * too. `qsfs nodes remove ID` is refused while the filesystem is mounted; unmounted, it moves
 * the node's shards to the others before deleting it, and afterwards every file still reads
 * identical with two more nodes down, so no chunk lost a shard with the node. With six left,
 * removing one more is refused: a chunk needs six nodes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { StorageNode } from "../../server/grid/provider.ts";
import { canMount, type MountProcess } from "../fs/_qsfs_process.ts";
import { shOk } from "../fs/_tree.ts";
import { createNodes, firstLine, makePoolHome, qsfs, qsfsOk, stopDaemon } from "./_home.ts";
import { cleanUpMount, mountPool } from "./_mount.ts";
import { waitFor } from "../../fs/zdb/_testing.ts";

const FILES = 4;
const FILE_BYTES = 9 * 1024 * 1024 + 333;

Deno.test({
  name: "pool: nodes remove moves the node's shards first, refused while mounted or too few left",
  ignore: !canMount(),
  async fn() {
    const { root, home, mountpoint, source, nodes } = await makePoolHome("qsfs_node_remove_", {
      nodes: 6,
      files: FILES,
      fileBytes: FILE_BYTES,
    });
    let server: MountProcess | undefined;
    try {
      server = await mountPool(home, mountpoint, ["--data-shards", "4", "--parity-shards", "2"]);
      const copy = (i: number) =>
        shOk(`dd if='${source}/f${i}' of='${mountpoint}/f${i}' bs=1M conv=fsync status=none`);
      for (let i = 0; i < FILES / 2; i++) await copy(i);
      const [added] = await createNodes(home, 1, "256MiB");
      nodes.push(added!);
      const mount = server;
      await waitFor(
        "the mount to take the new node",
        () => /storage node added/.test(mount.stderr()),
      );
      for (let i = FILES / 2; i < FILES; i++) await copy(i);
      const health = JSON.parse(await qsfsOk(home, ["nodes", "health", added!.id, "--json"])) as {
        usedBytes: number;
      };
      assert.ok(health.usedBytes > 0, "chunks written after the node came hold shards on it");
      const leaving = nodes[2]!;
      const busy = await qsfs(home, ["nodes", "remove", leaving.id]);
      assert.equal(busy.code, 1);
      assert.match(firstLine(busy.stderr), /is in use .*unmount it/);
      await server.unmount();
      server = undefined;

      // Without the filesystem's state the shards cannot be found: refused, the node kept.
      await Deno.rename(join(home, "fs"), join(home, "fs.away"));
      const stateless = await qsfs(home, ["nodes", "remove", leaving.id]);
      assert.equal(stateless.code, 1);
      assert.match(firstLine(stateless.stderr), /recover it first.*; the node was kept$/);
      await Deno.remove(join(home, "fs"), { recursive: true }).catch(() => {});
      await Deno.rename(join(home, "fs.away"), join(home, "fs"));

      const removed = await qsfsOk(home, ["nodes", "remove", leaving.id, "--json"]);
      const result = JSON.parse(removed) as { removed: string; chunksMoved: number };
      assert.equal(result.removed, leaving.id);
      assert.ok(result.chunksMoved > 0, "the node held shards, and they moved");
      const listed = JSON.parse(await qsfsOk(home, ["nodes", "list", "--json"])) as {
        nodes: StorageNode[];
      };
      assert.deepEqual(
        listed.nodes.map((node) => node.id).sort(),
        nodes.filter((node) => node.id !== leaving.id).map((node) => node.id).sort(),
      );

      // Drop the local cache: every byte now comes from the six nodes left, two of them down.
      await Deno.remove(join(home, "fs", "cache"), { recursive: true });
      server = await mountPool(home, mountpoint);
      for (const node of [nodes[0]!, nodes[5]!]) await qsfsOk(home, ["nodes", "stop", node.id]);
      for (let i = 0; i < FILES; i++) await shOk(`cmp '${source}/f${i}' '${mountpoint}/f${i}'`);
      await server.unmount();
      server = undefined;
      for (const node of [nodes[0]!, nodes[5]!]) await qsfsOk(home, ["nodes", "start", node.id]);

      const tooFew = await qsfs(home, ["nodes", "remove", nodes[1]!.id]);
      assert.equal(tooFew.code, 1);
      assert.match(firstLine(tooFew.stderr), /5 nodes would be left, and each chunk needs 6/);
    } finally {
      await cleanUpMount(server, mountpoint);
      await stopDaemon(home);
      await Deno.remove(root, { recursive: true });
    }
  },
});
