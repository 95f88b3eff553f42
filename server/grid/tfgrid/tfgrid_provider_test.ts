/**
 * The tfgrid provider through the node service, against stand-ins only (see
 * _test_world.ts): gridproxy on loopback, a fake at the grid client boundary,
 * an embedded 0-db playing the grid nodes' 0-db.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ZdbClient } from "../../../fs/zdb/mod.ts";
import type { Candidate, StorageNode } from "../provider.ts";
import {
  DeployFailedError,
  DeployTimeoutError,
  InsufficientBalanceError,
  InsufficientCapacityError,
  NodeHoldsDataError,
  NodeUnavailableError,
  NoTwinError,
} from "../../services/errors.ts";
import { type ControlPlane, openControlPlane } from "../../services/control_plane.ts";
import { nullLogger } from "../../../lib/log.ts";
import { resolveServerConfig } from "../../config.ts";
import { SELF_COMMAND } from "../../_testing.ts";
import { GridPortError } from "./grid_client_port.ts";
import {
  controlPlaneApp,
  openTestWorld,
  TEST_MNEMONIC,
  type TestWorld,
  YGGDRASIL_IP,
} from "./_test_world.ts";

const GIB = 1024 ** 3;
/** The person accepted any price: these tests are about what comes after. */
const ACCEPTED = { acceptQuote: { costPerMonth: 1e6, currency: "USD" } };

async function withWorld(body: (world: TestWorld, control: ControlPlane) => Promise<void>) {
  const world = await openTestWorld();
  try {
    await body(world, world.open());
  } finally {
    await world.close();
  }
}

async function put(world: TestWorld, control: ControlPlane, node: StorageNode, bytes: number) {
  const client = new ZdbClient({
    address: world.route({ hostname: YGGDRASIL_IP, port: 9900 }),
    namespace: node.namespace,
    password: control.registry.secret(node.passwordRef),
  });
  try {
    await client.set("shard", new Uint8Array(bytes).fill(1));
  } finally {
    client.close();
  }
}

Deno.test("tfgrid create: distinct grid nodes from gridproxy, one deployment, reachable endpoints, recorded", async () => {
  await withWorld(async (world, control) => {
    const { nodes, warnings } = await control.nodes.create({
      ...ACCEPTED,
      provider: "tfgrid",
      count: 3,
      sizeBytes: GIB,
      locations: ["farm:2"],
    });
    assert.deepEqual(warnings, []);

    // What was asked of gridproxy.
    const search = world.gridproxy.requests.find((url) => url.pathname === "/nodes")!;
    assert.deepEqual(Object.fromEntries(search.searchParams), {
      status: "up",
      free_hru: String(GIB),
      farm_ids: "2",
      randomize: "true",
      page: "1",
      size: "6",
    });

    // What was asked of the grid client.
    assert.deepEqual(world.grid.connects, [{
      mnemonic: TEST_MNEMONIC,
      network: "test",
      projectName: "qsfs",
      deployTimeoutMinutes: 10,
    }]);
    assert.equal(world.grid.deploys.length, 1);
    const [spec] = world.grid.deploys;
    assert.match(spec!.name, /^qsfs[0-9a-f]{8}$/);
    assert.deepEqual(spec!.zdbs.map((zdb) => zdb.node_id).sort(), [4, 5, 6], "farm 2, distinct");
    for (const zdb of spec!.zdbs) {
      assert.equal(zdb.mode, "user");
      assert.equal(zdb.disk_size, 1);
      assert.equal(zdb.publicNamespace, false);
      assert.match(zdb.name, /^tfgrid[0-9a-f]{8}$/);
      assert.ok(zdb.password.length >= 32);
    }
    assert.equal(new Set(spec!.zdbs.map((zdb) => zdb.password)).size, 3);

    // What was recorded: the reachable address, wherever the node listed it.
    assert.equal(nodes.length, 3);
    for (const node of nodes) {
      const contract = world.grid.contracts.get(node.contractId!)!;
      assert.equal(node.provider, "tfgrid");
      assert.equal(node.id, `tfgrid-${contract.zdb.name.slice(6)}`);
      assert.equal(node.endpoint, `[${YGGDRASIL_IP}]:9900`);
      assert.equal(node.namespace, `81-${node.contractId}-${contract.zdb.name}`);
      assert.equal(node.gridNodeId, contract.nodeId);
      assert.match(
        node.location,
        new RegExp(`^node ${contract.nodeId}, farm 2, Belgium, Unknown$`),
      );
      assert.equal(node.sizeBytes, GIB);
      assert.equal(node.status, "running");
      assert.equal(control.registry.secret(node.passwordRef), contract.zdb.password);
      const health = await control.nodes.health(node.id);
      assert.equal(health.reachable, true, health.error ?? "");
      assert.equal(health.freeBytes, GIB);
    }
    assert.deepEqual(
      (await control.nodes.list()).map((node) => node.id).sort(),
      nodes.map((node) => node.id).sort(),
    );
    assert.deepEqual(control.events.list().map((event) => event.type), [
      "node_deployed",
      "node_deployed",
      "node_deployed",
    ]);
  });
});

Deno.test("tfgrid create: a failure halfway cancels the contracts already created and says why", async () => {
  await withWorld(async (world, control) => {
    world.grid.deployFailure = {
      afterZdbs: 2,
      error: new GridPortError("rejected", "Failed to deploy zdb with name tfgrid1 on node 3"),
    };
    await assert.rejects(
      control.nodes.create({ ...ACCEPTED, provider: "tfgrid", count: 3, sizeBytes: GIB }),
      (error: unknown) =>
        error instanceof DeployFailedError &&
        error.message ===
          "Cannot deploy 3 tfgrid node(s): Failed to deploy zdb with name tfgrid1 on node 3; its contract(s) 36155, 36156 were cancelled, nothing was kept",
    );
    assert.deepEqual(world.grid.live(), []);
    assert.ok(world.grid.calls.includes("cancel 36155,36156"), world.grid.calls.join(" | "));
    assert.deepEqual(control.registry.list(), []);
  });
});

Deno.test("tfgrid create: no twin, not enough balance, not enough matching nodes, timeout", async () => {
  await withWorld(async (world, control) => {
    const create = (count = 2, locations?: string[]) =>
      control.nodes.create({ ...ACCEPTED, provider: "tfgrid", count, sizeBytes: GIB, locations });

    world.grid.connectFailure = new GridPortError(
      "no_twin",
      "Couldn't find a user for the provided mnemonic on test network.",
    );
    await assert.rejects(
      create(),
      (error: unknown) =>
        error instanceof NoTwinError && error.code === "no_twin" &&
        // The price comes first: its connection finds no twin.
        /^Cannot quote 2 tfgrid node\(s\): no twin for this mnemonic on the test network; create one/
          .test(error.message),
    );
    world.grid.connectFailure = undefined;

    world.grid.deployFailure = {
      afterZdbs: 0,
      error: new GridPortError(
        "insufficient_balance",
        "Balance is not enough to apply an extrinsic.",
      ),
    };
    await assert.rejects(create(), (error: unknown) =>
      error instanceof InsufficientBalanceError &&
      /: not enough balance: .*\(Balance is not enough to apply an extrinsic\.\); top it up and try again; nothing was left on the grid$/
        .test(error.message));
    world.grid.deployFailure = undefined;

    const deploysBefore = world.grid.deploys.length;
    await assert.rejects(
      create(7),
      (error: unknown) =>
        error instanceof InsufficientCapacityError &&
        /^Cannot deploy 7 tfgrid node\(s\): not enough matching grid nodes for any location: 7 needed, 6 found up with 1\.00 GiB of free HDD$/
          .test(error.message),
    );
    await assert.rejects(create(1, ["node:99"]), InsufficientCapacityError);
    await assert.rejects(
      control.nodes.create({
        ...ACCEPTED,
        provider: "tfgrid",
        count: 1,
        sizeBytes: 10 * 1024 * GIB,
      }),
      /not enough matching grid nodes for any location: 1 needed, 0 found up with 10\.0 TiB/,
    );
    assert.equal(world.grid.deploys.length, deploysBefore, "nothing deployed without nodes");

    // All zdbs created, then the grid client gives up waiting and leaves a contract behind.
    world.grid.deployFailure = {
      afterZdbs: 2,
      error: new GridPortError(
        "timeout",
        "Deployment with contract_id: 36158 failed to be ready after 10 minutes.",
        { leftContractIds: [36158] },
      ),
    };
    world.grid.nextContractId = 36157;
    await assert.rejects(
      create(2),
      (error: unknown) =>
        error instanceof DeployTimeoutError && error.code === "deploy_timed_out" &&
        /: the deployment timed out: .*; its contract\(s\) 36157, 36158 were cancelled, nothing was kept$/
          .test(error.message),
    );
    assert.deepEqual(world.grid.live(), []);
    assert.deepEqual(control.registry.list(), []);
  });
});

Deno.test("tfgrid create: a node that answers on none of its addresses undoes the whole batch", async () => {
  await withWorld(async (world, control) => {
    world.reachable.clear();
    await assert.rejects(
      control.nodes.create({
        ...ACCEPTED,
        provider: "tfgrid",
        count: 2,
        sizeBytes: GIB,
        locations: ["node:1,2"],
      }),
      (error: unknown) =>
        error instanceof NodeUnavailableError &&
        /^Cannot deploy 2 tfgrid node\(s\): a grid node did not answer: grid node 1 \(tfgrid-[0-9a-f]{8}\): \[.+\]:9900 \(yggdrasil\): .+; grid node 2 .+; its contract\(s\) 36155, 36156 were cancelled, nothing was kept$/
          .test(error.message),
    );
    assert.deepEqual(world.grid.live(), []);
    const asked = world.gridproxy.requests.map((url) => url.searchParams.get("node_id"));
    assert.deepEqual(asked.sort(), ["1", "2"], "one query per named node");
  });
});

Deno.test("tfgrid resize and remove: through the grid client, refused while the node holds data", async () => {
  await withWorld(async (world, control) => {
    const { nodes: [node] } = await control.nodes.create({
      ...ACCEPTED,
      provider: "tfgrid",
      count: 1,
      sizeBytes: GIB,
    });
    const grown = await control.nodes.resize(node!.id, 3 * GIB - 1, ACCEPTED);
    assert.equal(grown.sizeBytes, 3 * GIB, "whole GiB");
    const contract = world.grid.contracts.get(node!.contractId!)!;
    assert.ok(world.grid.calls.includes(`update ${contract.deployment} ${contract.zdb.name} 3`));
    assert.equal((await control.nodes.health(node!.id)).freeBytes, 3 * GIB, "the 0-db grew");

    await put(world, control, node!, 2 * 1024 * 1024);
    await assert.rejects(
      control.nodes.resize(node!.id, 1, ACCEPTED),
      /give a whole number of bytes/,
    );
    await assert.rejects(control.nodes.remove(node!.id), NodeHoldsDataError);
    await control.nodes.resize(node!.id, 2 * GIB, ACCEPTED);
    assert.equal((await control.nodes.get(node!.id)).sizeBytes, 2 * GIB);

    world.reachable.clear();
    await assert.rejects(control.nodes.resize(node!.id, GIB, ACCEPTED), NodeUnavailableError);
    await assert.rejects(control.nodes.remove(node!.id), /did not answer .*pass force/);
    await control.nodes.remove(node!.id, { force: true });
    assert.ok(world.grid.calls.includes(`cancel ${node!.contractId}`));
    assert.equal(contract.state, "Deleted");
    assert.equal(control.registry.get(node!.id), undefined);
    assert.equal(control.registry.secret(node!.passwordRef), undefined);
  });
});

Deno.test("tfgrid list finds every node again from the chain alone (a fresh registry)", async () => {
  await withWorld(async (world, control) => {
    const { nodes } = await control.nodes.create({
      ...ACCEPTED,
      provider: "tfgrid",
      count: 3,
      sizeBytes: GIB,
    });
    const otherHome = join(world.home, "other-machine");
    await Deno.mkdir(otherHome);
    const fresh = world.open(otherHome);
    assert.deepEqual(fresh.registry.list(), []);
    // A deploy first learns what the chain holds: it keeps off grid nodes already in use.
    await assert.rejects(
      fresh.nodes.create({
        ...ACCEPTED,
        provider: "tfgrid",
        count: 1,
        sizeBytes: GIB,
        locations: [`node:${nodes[0]!.gridNodeId}`],
      }),
      (error: unknown) =>
        error instanceof InsufficientCapacityError &&
        /grid nodes that already hold a qsfs node \(.+\) are skipped$/.test(error.message),
    );
    assert.equal(fresh.registry.list().length, 3);
    const found = await fresh.nodes.list();
    const shown = (list: StorageNode[]) =>
      list.map(({ id, endpoint, namespace, sizeBytes, contractId, gridNodeId, location }) => ({
        id,
        endpoint,
        namespace,
        sizeBytes,
        contractId,
        gridNodeId,
        location,
      })).sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(shown(found), shown(nodes));
    for (const node of nodes) {
      assert.equal(
        fresh.registry.secret(node.passwordRef),
        control.registry.secret(node.passwordRef),
        "the namespace password comes back from the chain too",
      );
      assert.equal((await fresh.nodes.health(node.id)).reachable, true);
    }
    await fresh.nodes.list();
    assert.equal(fresh.registry.list().length, 3, "a second list adds nothing");
  });
});

Deno.test("tfgrid quote: the calculator's monthly price for each node, in USD", async () => {
  await withWorld(async (_world, control) => {
    const quote = await control.nodes.quote({ provider: "tfgrid", count: 4, sizeBytes: 10 * GIB });
    assert.deepEqual(quote, {
      provider: "tfgrid",
      count: 4,
      sizeBytes: 10 * GIB,
      costPerMonth: 4 * 10 * 0.0837,
      currency: "USD",
      tftPerMonth: 4 * 10 * 0.0837 / 0.0125,
      network: "test",
    });
  });
});

Deno.test("the API serves tfgrid nodes when the daemon has a mnemonic, and maps grid refusals to statuses", async () => {
  await withWorld(async (world, control) => {
    const port = 41235;
    const app = controlPlaneApp(control, port);
    const call = (path: string, method = "GET", body?: unknown) =>
      app.request(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { host: `127.0.0.1:${port}`, authorization: "Bearer t" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const created = await call("/api/nodes", "POST", {
      ...ACCEPTED,
      provider: "tfgrid",
      count: 2,
      sizeBytes: GIB,
      locations: ["country:Belgium"],
    });
    assert.equal(created.status, 201);
    const { nodes } = await created.json();
    assert.deepEqual(nodes.map((node: StorageNode) => node.provider), ["tfgrid", "tfgrid"]);
    assert.equal(
      JSON.stringify(nodes).includes(control.registry.secret(nodes[0].passwordRef)!),
      false,
    );
    const search = world.gridproxy.requests.find((url) => url.searchParams.has("country"))!;
    assert.equal(search.searchParams.get("country"), "Belgium");

    const found = await (await call("/api/nodes/find", "POST", {
      provider: "tfgrid",
      locations: ["farm:1"],
    })).json();
    const used = nodes.map((node: StorageNode) => node.gridNodeId);
    const offered = found.candidates.map((candidate: Candidate) => candidate.details);
    assert.ok(offered.length > 0);
    for (const details of offered) {
      assert.equal(details.farmId, 1);
      assert.ok(!used.includes(details.nodeId), "grid nodes already in use are not offered");
    }

    world.grid.deployFailure = {
      afterZdbs: 0,
      error: new GridPortError(
        "insufficient_balance",
        "Balance is not enough to apply an extrinsic.",
      ),
    };
    const refused = await call("/api/nodes", "POST", {
      ...ACCEPTED,
      provider: "tfgrid",
      count: 1,
      sizeBytes: GIB,
    });
    assert.equal(refused.status, 409);
    assert.equal((await refused.json()).error.code, "insufficient_balance");
    const bad = await call("/api/nodes", "POST", {
      ...ACCEPTED,
      provider: "tfgrid",
      count: 1,
      sizeBytes: GIB,
      locations: ["/data"],
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error.message, /Cannot use tfgrid location "\/data"/);
  });
});

Deno.test("without a mnemonic the daemon refuses --provider tfgrid and says how to give one", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_tfgrid_test_" });
  const control = openControlPlane(resolveServerConfig({}, home, SELF_COMMAND), nullLogger);
  try {
    assert.equal(control.tfgrid, undefined);
    await assert.rejects(
      control.nodes.create({ ...ACCEPTED, provider: "tfgrid", count: 1, sizeBytes: GIB }),
      /Cannot use provider "tfgrid": the daemon has no mnemonic: .*QSFS_MNEMONIC .*--mnemonic-file FILE/,
    );
  } finally {
    await control.close();
    await Deno.remove(home, { recursive: true });
  }
});
