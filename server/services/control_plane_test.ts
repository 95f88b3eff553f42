/**
 * The node service over the local provider with real storage nodes: child
 * processes of this test running `qsfs zdb`, in a temporary home.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ZdbClient } from "../../fs/zdb/mod.ts";
import { nullLogger } from "../../lib/log.ts";
import { FAST_NODE_SETTINGS, pingsOverTcp, SELF_COMMAND, waitFor } from "../_testing.ts";
import { resolveServerConfig } from "../config.ts";
import type { StorageNode } from "../grid/provider.ts";
import { type ControlPlane, openControlPlane } from "./control_plane.ts";
import {
  DeployFailedError,
  NodeHoldsDataError,
  ResizeRefusedError,
  ValidationError,
} from "./errors.ts";

const SIZE_BYTES = 8 * 1024 * 1024;

function open(home: string, selfCommand = SELF_COMMAND): ControlPlane {
  return openControlPlane(resolveServerConfig(FAST_NODE_SETTINGS, home, selfCommand), nullLogger);
}

function clientOf(control: ControlPlane, node: StorageNode): ZdbClient {
  const [hostname, port] = node.endpoint.split(":");
  return new ZdbClient({
    address: { hostname: hostname!, port: Number(port) },
    namespace: node.namespace,
    password: control.registry.secret(node.passwordRef),
  });
}

async function put(control: ControlPlane, node: StorageNode, key: string, bytes: number) {
  const client = clientOf(control, node);
  try {
    await client.set(key, new Uint8Array(bytes).fill(7));
  } finally {
    client.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}

Deno.test("local nodes: create 6, survive kill -9, resize, remove, come back after a restart", async (t) => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_nodes_test_" });
  let control = open(home);
  try {
    await control.start();
    const { nodes, warnings } = await control.nodes.create({ count: 6, sizeBytes: SIZE_BYTES });
    const [a, b, c] = nodes as [StorageNode, StorageNode, StorageNode];

    await t.step("create: 6 recorded nodes, each answering PING over TCP", async () => {
      assert.equal(nodes.length, 6);
      assert.equal(new Set(nodes.map((node) => node.endpoint)).size, 6);
      for (const node of nodes) {
        assert.equal(node.status, "running");
        assert.equal(node.sizeBytes, SIZE_BYTES);
        assert.equal(node.location, join(home, "nodes"));
        assert.ok(await pingsOverTcp(node.endpoint), `${node.id} answers PING`);
      }
      assert.match(warnings.join("\n"), /6 nodes share 1 filesystem/);
      assert.equal((await control.nodes.list()).length, 6);
      assert.equal(Deno.statSync(join(home, "registry.sqlite")).mode! & 0o777, 0o600);
    });

    await t.step(
      "kill -9 of a node's process: the supervisor restarts it and says so",
      async () => {
        const before = await control.nodes.get(b.id);
        Deno.kill(before.pid!, "SIGKILL");
        await waitFor("the node to come back", async () => {
          const now = await control.nodes.get(b.id);
          return now.pid !== undefined && now.pid !== before.pid &&
            (await control.nodes.health(b.id)).reachable;
        });
        const after = await control.nodes.get(b.id);
        assert.equal(after.endpoint, before.endpoint, "it comes back on its port");
        assert.equal(after.restarts, 1);
        const types = control.events.list({ nodeId: b.id }).map((event) => event.type);
        assert.deepEqual(types.slice(-2), ["node_exited", "node_restarted"]);
        assert.match(control.events.list({ nodeId: b.id }).at(-2)!.message, /signal SIGKILL/);
      },
    );

    await t.step("resize: grows; refuses to shrink below what the node holds", async () => {
      await put(control, a, "shard-a", 300_000);
      const grown = await control.nodes.resize(a.id, 2 * SIZE_BYTES);
      assert.equal(grown.sizeBytes, 2 * SIZE_BYTES);
      const health = await control.nodes.health(a.id);
      assert.equal(health.usedBytes, 300_000);
      assert.equal(health.freeBytes, 2 * SIZE_BYTES - 300_000);
      await put(control, a, "more", 800_000);
      await assert.rejects(
        control.nodes.resize(a.id, 1024 * 1024),
        (error: unknown) =>
          error instanceof ResizeRefusedError &&
          /holds 1\.05 MiB \(1100000 bytes\)/.test(error.message),
      );
      await assert.rejects(control.nodes.resize(a.id, 12), ValidationError);
      assert.equal((await control.nodes.get(a.id)).sizeBytes, 2 * SIZE_BYTES);
    });

    await t.step("remove: refused while the node holds data, done with force", async () => {
      await assert.rejects(
        control.nodes.remove(a.id),
        (error: unknown) =>
          error instanceof NodeHoldsDataError && /holds 2 entries .*pass force/.test(error.message),
      );
      assert.ok(await pingsOverTcp(a.endpoint), "a refused removal leaves the node running");
      const pidC = (await control.nodes.get(c.id)).pid!;
      await control.nodes.remove(c.id);
      await control.nodes.remove(a.id, { force: true });
      assert.ok(!isAlive(pidC), "the removed node's process is gone");
      for (const id of [a.id, c.id]) {
        assert.throws(() => Deno.statSync(join(home, "nodes", id)), Deno.errors.NotFound);
        assert.equal(control.registry.get(id), undefined);
      }
      assert.equal((await control.nodes.list()).length, 4);
    });

    await t.step(
      "daemon restart: the nodes come back with their data, on their ports when free",
      async () => {
        await put(control, b, "kept", 1000);
        const before = await control.nodes.list();
        const pids = before.map((node) => node.pid!);
        await control.close();
        assert.ok(pids.every((pid) => !isAlive(pid)), "closing stops every node");
        // Another program takes one node's port while the daemon is down.
        const moved = before.at(-1)!;
        const squatter = Deno.listen({
          hostname: "127.0.0.1",
          port: Number(moved.endpoint.split(":")[1]),
        });
        try {
          control = open(home);
          await control.start();
        } finally {
          squatter.close();
        }
        const after = await control.nodes.list();
        assert.deepEqual(
          after.slice(0, -1).map((node) => [node.id, node.endpoint]),
          before.slice(0, -1).map((node) => [node.id, node.endpoint]),
        );
        assert.notEqual(after.at(-1)!.endpoint, moved.endpoint);
        assert.equal(
          control.registry.get(moved.id)!.port,
          Number(after.at(-1)!.endpoint.split(":")[1]),
        );
        assert.deepEqual(control.events.list({ nodeId: moved.id }).map((event) => event.type), [
          "node_moved",
          "node_started",
        ]);
        for (const node of after) {
          assert.ok(await pingsOverTcp(node.endpoint), `${node.id} answers`);
        }
        const client = clientOf(control, after.find((node) => node.id === b.id)!);
        try {
          assert.equal((await client.get("kept"))?.length, 1000);
        } finally {
          client.close();
        }
      },
    );
  } finally {
    await control.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("local deploy is all or nothing: nodes that cannot start leave nothing behind", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_nodes_test_" });
  const broken = [Deno.execPath(), "run", "-A", join(home, "no_such_main.ts")];
  const control = open(home, broken);
  try {
    await assert.rejects(
      control.nodes.create({ count: 2, sizeBytes: SIZE_BYTES }),
      (error: unknown) =>
        error instanceof DeployFailedError &&
        /^Cannot deploy 2 local node\(s\): node 1 of 2 \(local-[0-9a-f]{8}\) did not start: .+; nothing was kept$/
          .test(error.message),
    );
    assert.deepEqual(await control.nodes.list(), []);
    assert.deepEqual([...Deno.readDirSync(join(home, "nodes"))], []);
    await assert.rejects(
      control.nodes.create({ count: 1, sizeBytes: SIZE_BYTES, locations: [join(home, "nowhere")] }),
      (error: unknown) =>
        error instanceof ValidationError && /no such directory/.test(error.message),
    );
  } finally {
    await control.close();
    await Deno.remove(home, { recursive: true });
  }
});
