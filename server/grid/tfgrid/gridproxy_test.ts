import assert from "node:assert/strict";
import gridproxyNodes from "./testdata/gridproxy_nodes.json" with { type: "json" };
import { fixtureNodes, startGridproxyStandIn } from "./_gridproxy_stand_in.ts";
import { GridproxyClient, GridproxyError, nodesSearchParams, parseNode } from "./gridproxy.ts";
import { parseGridLocation, pickGridNodes } from "./locations.ts";

const GIB = 1024 ** 3;

Deno.test("GridproxyClient.nodes() sends qsfs's filters and reads the real (old-shape) /nodes answer", async () => {
  const standIn = startGridproxyStandIn(gridproxyNodes);
  try {
    const client = new GridproxyClient(`${standIn.url}/`);
    const nodes = await client.nodes({
      status: "up",
      freeHruBytes: 5 * GIB,
      country: "belgium",
      city: "Unknown",
      farmIds: [1, 7],
      nodeId: 1,
      randomize: true,
      page: 1,
      size: 3,
    });
    assert.equal(standIn.requests[0]!.pathname, "/nodes");
    assert.equal(
      standIn.requests[0]!.search,
      "?status=up&free_hru=5368709120&country=belgium&city=Unknown&farm_ids=1%2C7&node_id=1&randomize=true&page=1&size=3",
    );
    assert.deepEqual(nodes, [{
      nodeId: 1,
      farmId: 1,
      twinId: 9,
      country: "Belgium",
      city: "Unknown",
      status: "up",
      totalHruBytes: 9001778946048,
      freeHruBytes: 9001778946048,
      certificationType: "Diy",
    }]);
    assert.deepEqual(await client.nodes({ country: "Egypt" }), []);
    assert.deepEqual(await client.nodes({ freeHruBytes: 9001778946049 }), [], "more than it has");
  } finally {
    await standIn.close();
  }
});

Deno.test("parseNode() reads the current node shape and /nodes/{id}'s nested capacity", () => {
  // The current types.Node adds these fields (gridproxy swagger, schema only: no real
  // current-shape answer was found, so the added values are ours; the rest is the real node).
  const current = {
    ...gridproxyNodes[0],
    farmName: "Freefarm",
    location: { country: "Belgium", city: "Unknown", longitude: null, latitude: null },
    dedicated: false,
    inDedicatedFarm: false,
    rentContractId: 0,
    rented: false,
    rentable: false,
    rentedByTwinId: 0,
    serialNumber: "",
    power: { state: "", target: "" },
    num_gpu: 0,
    extraFee: 0,
    healthy: true,
    price_usd: 0,
    farm_free_ips: 0,
    features: [],
  };
  assert.deepEqual(parseNode(current), {
    nodeId: 1,
    farmId: 1,
    farmName: "Freefarm",
    twinId: 9,
    country: "Belgium",
    city: "Unknown",
    status: "up",
    totalHruBytes: 9001778946048,
    freeHruBytes: 9001778946048,
    certificationType: "Diy",
    healthy: true,
  });
  // GET /nodes/{id} nests the resources under "capacity" (types.NodeWithNestedCapacity).
  const { total_resources, used_resources, ...rest } = gridproxyNodes[0]!;
  const nested = {
    ...rest,
    capacity: { total_resources, used_resources: { ...used_resources, hru: 1_000 } },
  };
  assert.equal(parseNode(nested)?.freeHruBytes, 9001778946048 - 1_000);
  assert.equal(parseNode({ farmId: 1 }), undefined, "no node id");
  assert.equal(parseNode("node"), undefined);
});

Deno.test("GridproxyClient.nodes() turns error answers and unreachable servers into GridproxyError", async () => {
  const standIn = startGridproxyStandIn([]);
  const url = standIn.url;
  try {
    standIn.failWith = { status: 400, error: "invalid status filter" };
    await assert.rejects(
      new GridproxyClient(url).nodes({ status: "up" }),
      (error: unknown) =>
        error instanceof GridproxyError && error.status === 400 &&
        error.message === "gridproxy answered 400 to GET /nodes: invalid status filter",
    );
  } finally {
    await standIn.close();
  }
  await assert.rejects(
    new GridproxyClient(url).nodes({}),
    (error: unknown) =>
      error instanceof GridproxyError &&
      error.message.startsWith(`Cannot reach gridproxy at ${url}`),
  );
});

Deno.test("nodesSearchParams() leaves out what the query does not name", () => {
  assert.equal(String(nodesSearchParams({})), "");
  assert.equal(
    String(nodesSearchParams({ farmIds: [3], randomize: false })),
    "farm_ids=3&randomize=false",
  );
});

Deno.test("parseGridLocation() reads random, country, city, farm and node locations", () => {
  assert.deepEqual(parseGridLocation("random"), { kind: "random" });
  assert.deepEqual(parseGridLocation("country:Belgium"), { kind: "country", country: "Belgium" });
  assert.deepEqual(parseGridLocation(" city: Ghent "), { kind: "city", city: "Ghent" });
  assert.deepEqual(parseGridLocation("farm:1,2,1"), { kind: "farm", farmIds: [1, 2] });
  assert.deepEqual(parseGridLocation("node:11"), { kind: "node", nodeIds: [11] });
  for (const bad of ["", "/data", "farm:", "farm:a", "node:1,,2", "planet:earth", "country:"]) {
    assert.throws(() => parseGridLocation(bad), /Cannot use tfgrid location/, bad);
  }
});

Deno.test("pickGridNodes() spreads over the locations round-robin, on distinct nodes, skipping used ones", async () => {
  // The real node copied six times with only its ids changed: farms 1 (nodes 1-3) and 2 (4-6).
  const standIn = startGridproxyStandIn(fixtureNodes(6, (nodeId) => nodeId <= 3 ? 1 : 2));
  try {
    const client = new GridproxyClient(standIn.url);
    const locations = [parseGridLocation("farm:1"), parseGridLocation("farm:2")];
    const picked = await pickGridNodes(
      client,
      { count: 4, freeHruBytes: GIB, locations },
      new Set([1]),
    );
    assert.deepEqual(picked.map((node) => node.nodeId), [2, 4, 3, 5]);
    await assert.rejects(
      pickGridNodes(client, { count: 5, freeHruBytes: GIB, locations }, new Set([1])),
      /not enough matching grid nodes for farm 1: 3 needed, 2 found up with 1\.00 GiB of free HDD; grid nodes that already hold a qsfs node \(1\) are skipped$/,
    );
  } finally {
    await standIn.close();
  }
});
