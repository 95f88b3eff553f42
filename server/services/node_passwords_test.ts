/**
 * New local nodes of a home with an identity get namespace passwords derived
 * from it (the words alone open them again); a sealed identity the daemon
 * cannot open refuses the deployment and creates nothing; a node can be taken
 * down on purpose and brought back (real node processes).
 */
import assert from "node:assert/strict";
import { ZdbClient } from "../../fs/zdb/mod.ts";
import { nullLogger } from "../../lib/log.ts";
import { FAST_NODE_SETTINGS, pingsOverTcp, SELF_COMMAND } from "../_testing.ts";
import { resolveServerConfig, type ServerConfig } from "../config.ts";
import { openControlPlane } from "./control_plane.ts";
import { IdentityUnavailableError } from "./errors.ts";
import { createIdentity, namespacePassword, unlockIdentity } from "./identity/mod.ts";

const SIZE_BYTES = 8 * 1024 * 1024;
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

function open(home: string, config: ServerConfig = {}) {
  return openControlPlane(
    resolveServerConfig({ ...FAST_NODE_SETTINGS, ...config }, home, SELF_COMMAND),
    nullLogger,
  );
}

async function withHome(body: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "qsfs_node_passwords_" });
  try {
    await body(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("a home with an identity: new nodes' passwords derive from it; stop and start a node", async () => {
  await withHome(async (home) => {
    await createIdentity(home);
    const { keys } = await unlockIdentity(home);
    const control = open(home);
    try {
      await control.start();
      const { nodes } = await control.nodes.create({ count: 2, sizeBytes: SIZE_BYTES });
      for (const node of nodes) {
        assert.equal(control.registry.secret(node.passwordRef), namespacePassword(keys, node.id));
      }
      const [node] = nodes;
      const [hostname, port] = node!.endpoint.split(":");
      const client = new ZdbClient({
        address: { hostname: hostname!, port: Number(port) },
        namespace: node!.namespace,
        password: namespacePassword(keys, node!.id),
      });
      try {
        await client.set("k", new Uint8Array([1, 2, 3]));
        assert.deepEqual(await client.get("k"), new Uint8Array([1, 2, 3]));
      } finally {
        client.close();
      }

      const stopped = await control.nodes.stop(node!.id);
      assert.equal(stopped.status, "stopped");
      assert.equal(await pingsOverTcp(node!.endpoint), false, "a stopped node does not answer");
      assert.equal((await control.nodes.get(node!.id)).status, "stopped", "and stays down");
      const started = await control.nodes.start(node!.id);
      assert.equal(started.status, "running");
      assert.equal(started.endpoint, node!.endpoint);
      assert.ok(await pingsOverTcp(node!.endpoint), "it answers again");
      const types = control.events.list({ nodeId: node!.id }).map((event) => event.type);
      assert.deepEqual(types.slice(-2), ["node_stopped", "node_started"]);
    } finally {
      await control.close();
    }
  });
});

Deno.test("a sealed identity without its passphrase: node creation is refused, nothing is made", async () => {
  await withHome(async (home) => {
    await createIdentity(home, { passphrase: "correct horse", scrypt: FAST_SCRYPT });
    const control = open(home);
    try {
      await control.start();
      await assert.rejects(
        control.nodes.create({ count: 1, sizeBytes: SIZE_BYTES }),
        (error: unknown) => {
          assert.ok(error instanceof IdentityUnavailableError);
          assert.match(error.message, /protected by a passphrase/);
          assert.match(error.message, /QSFS_PASSPHRASE/);
          return true;
        },
      );
      assert.deepEqual(control.registry.list(), []);
    } finally {
      await control.close();
    }
    const unlocked = open(home, { passphrase: "correct horse" });
    try {
      await unlocked.start();
      const { nodes } = await unlocked.nodes.create({ count: 1, sizeBytes: SIZE_BYTES });
      const { keys } = await unlockIdentity(home, { passphrase: "correct horse" });
      assert.equal(
        unlocked.registry.secret(nodes[0]!.passwordRef),
        namespacePassword(keys, nodes[0]!.id),
      );
    } finally {
      await unlocked.close();
    }
  });
});

Deno.test("a home without an identity keeps random passwords; stop refuses unknown nodes", async () => {
  await withHome(async (home) => {
    const control = open(home);
    try {
      await control.start();
      const { nodes } = await control.nodes.create({ count: 2, sizeBytes: SIZE_BYTES });
      const [a, b] = nodes.map((node) => control.registry.secret(node.passwordRef));
      assert.match(a!, /^[A-Za-z0-9_-]{32}$/);
      assert.notEqual(a, b);
      await assert.rejects(control.nodes.stop("local-00000000"), /no such node/);
    } finally {
      await control.close();
    }
  });
});
