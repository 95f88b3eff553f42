import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createGridClientAdapter, failureOf, loadGridClient } from "./grid_client_adapter.ts";
import { GridPortError } from "./grid_client_port.ts";

type GridClientExports = ReturnType<typeof loadGridClient>;

/** The real package, or undefined (with the reason printed) when it could not be installed. */
function loadOrSkip(): GridClientExports | undefined {
  try {
    return loadGridClient();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") throw error;
    console.warn(
      `SKIPPED: npm:@threefold/grid_client@2.9.2 is not installed (deno install needs the npm registry): ${error}`,
    );
    return undefined;
  }
}

Deno.test("createRequire loads @threefold/grid_client's CommonJS entry under Deno, with GridClient", () => {
  const startMs = performance.now();
  const grid = loadOrSkip();
  if (grid === undefined) return;
  const loadMs = Math.round(performance.now() - startMs);
  assert.equal(typeof grid.GridClient, "function");
  assert.equal(typeof grid.GridClient.prototype.connect, "function");
  assert.equal(grid.ZdbModes.user, "user");
  assert.equal(grid.ZdbModes.seq, "seq");
  assert.deepEqual(Object.values(grid.NetworkEnv).sort(), ["dev", "main", "qa", "test"]);
  assert.equal(grid.ContractStates.GracePeriod, "GracePeriod");
  assert.equal(typeof grid.zdbs, "function", "the zdbs module class");
  assert.equal(typeof grid.calculator, "function", "the calculator module class");
  console.log(`grid_client loaded in ${loadMs} ms, ${Object.keys(grid).length} exports`);
});

Deno.test("failureOf() sorts the grid client's own errors (from @threefold/types) by what to tell", () => {
  const grid = loadOrSkip();
  if (grid === undefined) return;
  // @threefold/types is the grid client's dependency: require it from the grid client's place.
  const fromGridClient = createRequire(
    createRequire(import.meta.url).resolve("@threefold/grid_client"),
  );
  const types = fromGridClient("@threefold/types");
  const cases: [Error, string][] = [
    [
      new types.TwinNotExistError(
        "Couldn't find a user for the provided mnemonic on test network.",
      ),
      "no_twin",
    ],
    [new types.InsufficientBalanceError("not enough"), "insufficient_balance"],
    // @checkBalance throws a ValidationError with this text.
    [
      new types.ValidationError("Balance is not enough to apply an extrinsic."),
      "insufficient_balance",
    ],
    [
      new types.TimeoutError("Deployment with contract_id: 7 failed to be ready after 10 minutes."),
      "timeout",
    ],
    [
      new types.GridClientErrors.Nodes.InvalidResourcesError(
        "Node 5 doesn't have enough resources: sru=0, mru=0 .",
      ),
      "insufficient_capacity",
    ],
    [new types.RMBError("request to twin 9 failed"), "node_unavailable"],
    [
      new types.ConnectionError("Failed to connect to wss://tfchain.test.grid.tf/ws"),
      "grid_unreachable",
    ],
    [
      new types.GridClientError(
        "Couldn't handle twin Deployment due to: Error: 1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low .",
      ),
      "insufficient_balance",
    ],
    [
      new types.ValidationError("Another zdb deployment with the same name qsfs1 already exists."),
      "rejected",
    ],
  ];
  for (const [error, failure] of cases) assert.equal(failureOf(error), failure, error.message);
});

/** A stand-in for the package, shaped after its .d.ts, recording what the adapter calls. */
function stubPackage(calls: unknown[], options: { twin?: boolean } = {}) {
  const zdb = {
    version: 0,
    contractId: 36155,
    nodeId: 11,
    name: "tfgrid0a1b2c3d",
    created: 1722850000,
    status: "ok",
    message: "",
    size: 10 * 1024 ** 3,
    mode: "user",
    publicNamespace: false,
    password: "pw",
    metadata: "",
    description: "",
    resData: { Namespace: "81-36155-tfgrid0a1b2c3d", IPs: ["302:9e63::1"], Port: 9900 },
  };
  // GraphQL nodeContracts (schema only: no real answer was found); contractID is a BigInt string.
  const contract = (id: string, data: object) => ({
    contractID: id,
    deploymentData: JSON.stringify(data),
    state: "Created",
    createdAt: "1722850000",
    nodeID: 11,
    numberOfPublicIPs: 0,
  });
  class GridClient {
    twinId = 81;
    zdbs = {
      deploy: (model: unknown) => {
        calls.push(["deploy", model]);
        return { contracts: { created: [{ contractId: 36155 }], updated: [], deleted: [] } };
      },
      getObj: (name: string) => (calls.push(["getObj", name]), [zdb]),
      update: (model: unknown) => (calls.push(["update", model]), {}),
    };
    contracts = {
      listMyContracts: (options: unknown) => {
        calls.push(["listMyContracts", options]);
        return {
          nameContracts: [],
          rentContracts: [],
          nodeContracts: [
            contract("36155", {
              version: 3,
              type: "zdb",
              name: "qsfs0a1b2c3d",
              projectName: "qsfs",
            }),
            contract("36156", {
              version: 3,
              type: "zdb",
              name: "qsfs0a1b2c3d",
              projectName: "qsfs",
            }),
            contract("50977", { type: "network", name: "vm1network", projectName: "vm1" }),
            contract("50978", { version: 3, type: "zdb", name: "other", projectName: "zdb/other" }),
          ],
        };
      },
      batchCancelContracts: (model: unknown) => (calls.push(["cancel", model]), [36155]),
    };
    calculator = {
      calculate: (model: unknown) => (calls.push(["calculate", model]), { sharedPrice: 0.84 }),
      tftPrice: () => (calls.push(["tftPrice"]), 0.0125),
    };
    constructor(readonly options: unknown) {
      calls.push(["new", options]);
    }
    connect() {
      if (options.twin === false) {
        const error = new Error("Couldn't find a user for the provided mnemonic on test network.");
        error.name = "TwinNotExistError";
        return Promise.reject(error);
      }
      return Promise.resolve();
    }
    disconnect() {
      calls.push(["disconnect"]);
      return Promise.resolve();
    }
  }
  return {
    GridClient,
    NetworkEnv: { dev: "dev", test: "test", main: "main", qa: "qa" },
    ZdbModes: { seq: "seq", user: "user" },
    ContractStates: { Created: "Created", GracePeriod: "GracePeriod" },
  } as unknown as GridClientExports;
}

Deno.test("the adapter maps each port call onto the grid client's modules", async () => {
  const calls: unknown[] = [];
  const port = createGridClientAdapter(() => stubPackage(calls));
  const session = await port.connect({
    mnemonic: "words",
    network: "test",
    projectName: "qsfs",
    deployTimeoutMinutes: 5,
  });
  assert.deepEqual(calls.shift(), ["new", {
    mnemonic: "words",
    network: "test",
    projectName: "qsfs",
    deploymentTimeoutMinutes: 5,
  }]);
  assert.equal(session.twinId, 81);

  const zdb = {
    name: "tfgrid0a1b2c3d",
    node_id: 11,
    mode: "user" as const,
    disk_size: 10,
    password: "pw",
    publicNamespace: false as const,
  };
  assert.deepEqual(await session.deployZdbs({ name: "qsfs0a1b2c3d", zdbs: [zdb] }), {
    contractIds: [36155],
  });
  assert.deepEqual(calls.shift(), ["deploy", {
    name: "qsfs0a1b2c3d",
    zdbs: [zdb],
    metadata: undefined,
    description: undefined,
  }]);

  const [info] = await session.getZdbs("qsfs0a1b2c3d");
  assert.equal(info!.sizeBytes, 10 * 1024 ** 3);
  assert.deepEqual(info!.resData, {
    Namespace: "81-36155-tfgrid0a1b2c3d",
    IPs: ["302:9e63::1"],
    Port: 9900,
  });
  calls.shift();

  assert.deepEqual(await session.listDeployments(), [{
    name: "qsfs0a1b2c3d",
    contracts: [
      { contractId: 36155, nodeId: 11, state: "Created" },
      { contractId: 36156, nodeId: 11, state: "Created" },
    ],
  }]);
  assert.deepEqual(calls.shift(), ["listMyContracts", { state: ["Created", "GracePeriod"] }]);

  await session.updateZdbSize("qsfs0a1b2c3d", "tfgrid0a1b2c3d", 20);
  calls.shift();
  assert.deepEqual(calls.shift(), ["update", {
    name: "qsfs0a1b2c3d",
    zdbs: [{ ...zdb, disk_size: 20 }],
  }]);
  await assert.rejects(session.updateZdbSize("qsfs0a1b2c3d", "nosuch", 20), GridPortError);
  calls.shift();

  await session.cancelContracts([]);
  await session.cancelContracts([36155, 36156]);
  assert.deepEqual(calls.shift(), ["cancel", { ids: [36155, 36156] }]);

  assert.deepEqual(await session.quoteZdb({ diskSizeGb: 10 }), {
    usdPerMonth: 0.84,
    usdPerTft: 0.0125,
  });
  assert.deepEqual(calls.shift(), ["calculate", { cru: 0, mru: 0, sru: 0, hru: 10, ipv4u: false }]);
  assert.deepEqual(calls.shift(), ["tftPrice"]);

  await session.disconnect();
  assert.deepEqual(calls, [["disconnect"]]);
});

Deno.test("the adapter reports a mnemonic without a twin as no_twin, and disconnects", async () => {
  const calls: unknown[] = [];
  const port = createGridClientAdapter(() => stubPackage(calls, { twin: false }));
  await assert.rejects(
    port.connect({
      mnemonic: "words",
      network: "test",
      projectName: "qsfs",
      deployTimeoutMinutes: 5,
    }),
    (error: unknown) => error instanceof GridPortError && error.failure === "no_twin",
  );
  assert.deepEqual(calls.at(-1), ["disconnect"]);
});
