/**
 * Growing and shrinking the pool as a person does it. A node created while the filesystem is
 * mounted (7 nodes, 4+2) is taken into the pool at once: data written afterwards lands on it
 * too. `qsfs nodes remove ID` while mounted asks the mount to move the node's shards to the
 * others; files read back identical through the mount during the move and after it, the mount
 * stops using the node, and the node's server and data are gone. Unmounted, the daemon moves
 * the shards itself (refused, the node kept, when the filesystem's state is missing).
 * Afterwards every file, also one written after the removal, reads identical from the nodes
 * with two more of them down: no chunk lost a shard with a removed node. With six left,
 * removing one more is refused: a chunk needs six nodes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { StorageNode } from "../../server/grid/provider.ts";
import { askMount, mountSocketPath } from "../../server/services/pool/mount_control.ts";
import { canMount, type MountProcess } from "../fs/_qsfs_process.ts";
import { shOk } from "../fs/_tree.ts";
import { createNodes, firstLine, makePoolHome, qsfs, qsfsOk, stopDaemon } from "./_home.ts";
import { cleanUpMount, mountPool } from "./_mount.ts";
import { waitFor } from "../../fs/zdb/_testing.ts";

const FILES = 4;
const FILE_BYTES = 9 * 1024 * 1024 + 333;

async function listedIds(home: string): Promise<string[]> {
  const listed = JSON.parse(await qsfsOk(home, ["nodes", "list", "--json"])) as {
    nodes: StorageNode[];
  };
  return listed.nodes.map((node) => node.id).sort();
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test({
  name: "pool: nodes remove moves the node's shards first, by the mount while mounted",
  ignore: !canMount(),
  async fn() {
    const { root, home, mountpoint, source, nodes } = await makePoolHome("qsfs_node_remove_", {
      nodes: 7,
      files: FILES + 1,
      fileBytes: FILE_BYTES,
    });
    let server: MountProcess | undefined;
    const cmp = (i: number) => shOk(`cmp '${source}/f${i}' '${mountpoint}/f${i}'`);
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

      // Removed while mounted: the mount moves the shards, and serves files all the while.
      const leaving = nodes[2]!;
      const socket = mountSocketPath(home);
      assert.equal((await Deno.stat(socket)).mode! & 0o777, 0o600);
      assert.ok((await askMount(socket, { op: "status" }))!.nodeIds.includes(leaving.id));
      let removing = true;
      const removal = qsfs(home, ["nodes", "remove", leaving.id, "--json"])
        .finally(() => removing = false);
      let readsDuring = 0;
      while (removing) {
        for (let i = 0; i < FILES; i++) await cmp(i);
        readsDuring++;
      }
      const removed = await removal;
      assert.equal(removed.code, 0, removed.stderr);
      const result = JSON.parse(removed.stdout) as { removed: string; chunksMoved: number };
      assert.equal(result.removed, leaving.id);
      assert.ok(result.chunksMoved > 0, "the node held shards, and they moved");
      assert.ok(readsDuring > 0);
      for (let i = 0; i < FILES; i++) await cmp(i);
      const status = (await askMount(socket, { op: "status" }))!;
      assert.deepEqual(
        status.nodeIds.sort(),
        nodes.filter((node) => node.id !== leaving.id).map((node) => node.id).sort(),
        "the mount no longer uses the node",
      );
      assert.equal(await exists(join(home, "nodes", leaving.id)), false, "its data is gone");
      assert.equal(await listedIds(home).then((ids) => ids.includes(leaving.id)), false);
      // Written after the removal: it must land on the nodes that stay.
      await copy(FILES);
      await server.unmount();
      server = undefined;
      assert.equal(await exists(socket), false, "the control socket goes with the mount");

      // Unmounted, without the filesystem's state the shards cannot be found: refused, kept.
      const second = nodes[3]!;
      await Deno.rename(join(home, "fs"), join(home, "fs.away"));
      const stateless = await qsfs(home, ["nodes", "remove", second.id]);
      assert.equal(stateless.code, 1);
      assert.match(firstLine(stateless.stderr), /recover it first.*; the node was kept$/);
      await Deno.remove(join(home, "fs"), { recursive: true }).catch(() => {});
      await Deno.rename(join(home, "fs.away"), join(home, "fs"));
      const unmounted = JSON.parse(
        await qsfsOk(home, ["nodes", "remove", second.id, "--json"]),
      ) as { chunksMoved: number };
      assert.ok(unmounted.chunksMoved > 0);
      const staying = nodes.filter((node) => node.id !== leaving.id && node.id !== second.id);
      assert.deepEqual(await listedIds(home), staying.map((node) => node.id).sort());

      // Drop the local cache: every byte now comes from the six nodes left, two of them down.
      await Deno.remove(join(home, "fs", "cache"), { recursive: true });
      server = await mountPool(home, mountpoint);
      const down = [staying[0]!, staying[5]!];
      for (const node of down) await qsfsOk(home, ["nodes", "stop", node.id]);
      for (let i = 0; i <= FILES; i++) await cmp(i);
      await server.unmount();
      server = undefined;
      for (const node of down) await qsfsOk(home, ["nodes", "start", node.id]);

      const tooFew = await qsfs(home, ["nodes", "remove", staying[1]!.id]);
      assert.equal(tooFew.code, 1);
      assert.match(firstLine(tooFew.stderr), /5 nodes would be left, and each chunk needs 6/);
    } finally {
      await cleanUpMount(server, mountpoint);
      await stopDaemon(home);
      await Deno.remove(root, { recursive: true });
    }
  },
});
