/**
 * The real GridClientPort: a thin mapping onto @threefold/grid_client 2.9.2.
 *
 * The package's ES build does not load under Deno (directory and
 * extension-less imports), so its CommonJS build is loaded with createRequire,
 * on first use only: it takes about two seconds and pulls some 200 packages.
 * The types come from the package's .d.ts through `import type`.
 *
 * Nothing here runs against the real grid in tests (no network); the mapping
 * is type-checked against the .d.ts, and failureOf() is tested on its own.
 *
 * @module
 */
import { createRequire } from "node:module";
import type * as GridClientModule from "@threefold/grid_client";
import {
  type GridClientPort,
  type GridConnectOptions,
  type GridDeployment,
  type GridFailure,
  GridPortError,
  type GridSession,
  type ZdbDeploymentSpec,
  type ZdbInfo,
  type ZdbMode,
  type ZdbQuote,
  type ZdbQuoteRequest,
} from "./grid_client_port.ts";

type GridClientExports = typeof GridClientModule;
type GridClientInstance = InstanceType<GridClientExports["GridClient"]>;

/** Loads the grid client's CommonJS entry (its `exports` "require" condition). */
export function loadGridClient(): GridClientExports {
  const require = createRequire(import.meta.url);
  return require("@threefold/grid_client") as GridClientExports;
}

/** The GridClientPort backed by @threefold/grid_client, loaded when first connected. */
export function createGridClientAdapter(
  load: () => GridClientExports = loadGridClient,
): GridClientPort {
  return {
    async connect(options: GridConnectOptions): Promise<GridSession> {
      const grid = load();
      const client = new grid.GridClient({
        mnemonic: options.mnemonic,
        network: grid.NetworkEnv[options.network],
        projectName: options.projectName,
        deploymentTimeoutMinutes: options.deployTimeoutMinutes,
      });
      try {
        await client.connect();
      } catch (error) {
        await client.disconnect().catch(() => {});
        throw portErrorOf(error);
      }
      return new GridClientSession(grid, client, options.projectName);
    },
  };
}

class GridClientSession implements GridSession {
  readonly #grid: GridClientExports;
  readonly #client: GridClientInstance;
  readonly #projectName: string;

  constructor(grid: GridClientExports, client: GridClientInstance, projectName: string) {
    this.#grid = grid;
    this.#client = client;
    this.#projectName = projectName;
  }

  get twinId(): number {
    return this.#client.twinId;
  }

  deployZdbs(spec: ZdbDeploymentSpec): Promise<{ contractIds: number[] }> {
    return mapped(async () => {
      const result = await this.#client.zdbs.deploy({
        name: spec.name,
        zdbs: spec.zdbs.map((zdb) => ({ ...zdb, mode: this.#mode(zdb.mode) })),
        metadata: spec.metadata,
        description: spec.description,
      });
      return { contractIds: result.contracts.created.map((contract) => contract.contractId) };
    });
  }

  getZdbs(deploymentName: string): Promise<ZdbInfo[]> {
    return mapped(async () =>
      (await this.#client.zdbs.getObj(deploymentName)).map((zdb) => ({
        name: zdb.name,
        contractId: zdb.contractId,
        nodeId: zdb.nodeId,
        created: zdb.created,
        status: zdb.status,
        message: zdb.message,
        // The grid client's comment says GB; the value is the workload's, in bytes.
        sizeBytes: zdb.size,
        mode: zdb.mode,
        publicNamespace: zdb.publicNamespace,
        password: zdb.password,
        resData: {
          Namespace: zdb.resData.Namespace,
          IPs: [...zdb.resData.IPs],
          Port: zdb.resData.Port,
        },
      }))
    );
  }

  listDeployments(): Promise<GridDeployment[]> {
    return mapped(async () => {
      const { ContractStates } = this.#grid;
      const { nodeContracts } = await this.#client.contracts.listMyContracts({
        state: [ContractStates.Created, ContractStates.GracePeriod],
      });
      const byName = new Map<string, GridDeployment>();
      for (const contract of nodeContracts) {
        const data = parseDeploymentData(contract.deploymentData);
        if (data?.type !== "zdb" || data.projectName !== this.#projectName) continue;
        const deployment = byName.get(data.name) ?? { name: data.name, contracts: [] };
        deployment.contracts.push({
          // GraphQL BigInt: a string on the wire.
          contractId: Number(contract.contractID),
          nodeId: contract.nodeID,
          state: contract.state,
        });
        byName.set(data.name, deployment);
      }
      return [...byName.values()];
    });
  }

  updateZdbSize(deploymentName: string, zdbName: string, diskSizeGb: number): Promise<void> {
    return mapped(async () => {
      // zdbs.update takes the whole deployment: send every zdb as it is, one with its new size.
      const current = await this.#client.zdbs.getObj(deploymentName);
      if (!current.some((zdb) => zdb.name === zdbName)) {
        throw new GridPortError(
          "rejected",
          `deployment ${deploymentName} has no zdb named ${zdbName}`,
        );
      }
      await this.#client.zdbs.update({
        name: deploymentName,
        zdbs: current.map((zdb) => ({
          name: zdb.name,
          node_id: zdb.nodeId,
          mode: this.#mode(zdb.mode as ZdbMode),
          disk_size: zdb.name === zdbName ? diskSizeGb : zdb.size / 1024 ** 3,
          publicNamespace: zdb.publicNamespace,
          password: zdb.password,
        })),
      });
    });
  }

  cancelContracts(contractIds: readonly number[]): Promise<void> {
    if (contractIds.length === 0) return Promise.resolve();
    return mapped(async () => {
      await this.#client.contracts.batchCancelContracts({ ids: [...contractIds] });
    });
  }

  quoteZdb(request: ZdbQuoteRequest): Promise<ZdbQuote> {
    return mapped(async () => {
      const price = await this.#client.calculator.calculate({
        cru: 0,
        mru: 0,
        sru: 0,
        hru: request.diskSizeGb,
        ipv4u: false,
      });
      const usdPerTft = await this.#client.calculator.tftPrice();
      return { usdPerMonth: price.sharedPrice, usdPerTft };
    });
  }

  async disconnect(): Promise<void> {
    await this.#client.disconnect();
  }

  #mode(mode: ZdbMode) {
    return this.#grid.ZdbModes[mode];
  }
}

function parseDeploymentData(
  text: string,
): { type?: string; name: string; projectName?: string } | undefined {
  try {
    const data = JSON.parse(text);
    return typeof data?.name === "string" ? data : undefined;
  } catch {
    return undefined;
  }
}

async function mapped<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw portErrorOf(error);
  }
}

/** A GridPortError for anything the grid client threw. */
export function portErrorOf(error: unknown): GridPortError {
  if (error instanceof GridPortError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GridPortError(failureOf(error), message, { cause: error });
}

/**
 * Classifies a grid client error by its class (@threefold/types: its
 * classes leave `name` as "Error", so the constructor's name tells them
 * apart) and, for errors it wraps into GridClientError or that come from the
 * chain, by its message.
 */
export function failureOf(error: unknown): GridFailure {
  const name = error instanceof Error
    ? (error.constructor.name === "Error" ? error.name : error.constructor.name)
    : "";
  const message = error instanceof Error ? error.message : String(error);
  if (
    name === "TwinNotExistError" || /couldn't find a user for the provided mnemonic/i.test(message)
  ) {
    return "no_twin";
  }
  if (
    name === "InsufficientBalanceError" ||
    /balance is not enough|inability to pay some fees|balance too low|insufficient.?balance/i
      .test(message)
  ) {
    return "insufficient_balance";
  }
  if (name === "TimeoutError" || /failed to be ready after|timed? ?out/i.test(message)) {
    return "timeout";
  }
  if (
    name === "InvalidResourcesError" ||
    /doesn't have enough resources|not enough resources/i.test(message)
  ) {
    return "insufficient_capacity";
  }
  if (
    name === "RMBError" || name === "UnavailableNodeError" ||
    /rmb|node .*(?:down|offline|not reachable|unavailable)/i.test(message)
  ) {
    return "node_unavailable";
  }
  if (
    name === "ConnectionError" || name === "RequestError" ||
    /econnrefused|enotfound|fetch failed|failed to connect|websocket|network error/i.test(message)
  ) {
    return "grid_unreachable";
  }
  return "rejected";
}
