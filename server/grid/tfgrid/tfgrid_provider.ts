/**
 * The `tfgrid` provider: storage nodes are 0-db namespaces (zdbs) on
 * ThreeFold grid v3 nodes, deployed and paid for by the twin of a mnemonic.
 * Node search goes through gridproxy; everything that touches the chain or
 * the nodes goes through a GridClientPort (@threefold/grid_client in the
 * daemon, a fake in tests). The grid client connects on first use.
 *
 * @module
 */
import { formatBytes } from "../../../lib/bytes.ts";
import type { Logger } from "../../../lib/log.ts";
import { NodeNotFoundError, ResizeRefusedError } from "../../services/errors.ts";
import { checkRemovable, healthOf, messageOf, unanswered } from "../local/node_rules.ts";
import type {
  DeployRequest,
  DeployResult,
  FindQuery,
  FindResult,
  GridProvider,
  NodeEventSink,
  NodeHealth,
  Quote,
  RemoveOptions,
  StorageNode,
} from "../provider.ts";
import type { NodeRecord, NodeRegistry } from "../registry.ts";
import { randomNodeId } from "../secrets.ts";
import { type NodeProbe, probeNamespace } from "../zdb_ops.ts";
import { deployGridNodes, diskSizeGbOf, GIB, storageNodeOf, zdbNameOf } from "./deploy.ts";
import { directRoute, type Route } from "./endpoints.ts";
import {
  type GridClientPort,
  type GridNetwork,
  type GridSession,
  withDeadline,
  type ZdbMode,
} from "./grid_client_port.ts";
import { domainErrorOf } from "./grid_errors.ts";
import { GridproxyClient } from "./gridproxy.ts";
import { findCandidates, type GridLocation, parseGridLocation } from "./locations.ts";
import { recoverGridNodes } from "./recover.ts";

export interface TfgridProviderConfig {
  mnemonic: string;
  network: GridNetwork;
  /** gridproxy's base URL (GRIDPROXY_URLS[network] unless overridden). */
  gridproxyUrl: string;
  /** Written into every contract's metadata; list() finds the nodes by it. */
  projectName: string;
  deployTimeoutMinutes: number;
  /** The namespace mode when a request names none. */
  zdbMode: ZdbMode;
  /** How long a TCP connect to one of a zdb's addresses may take. */
  endpointTimeoutMs: number;
  /** How long connecting to the grid (chain, relay) may take. */
  connectTimeoutMs: number;
}

export interface TfgridProviderDeps {
  registry: NodeRegistry;
  onEvent: NodeEventSink;
  logger: Logger;
  gridClient: GridClientPort;
  /** How grid addresses are reached; tests map them to loopback stand-ins. */
  route?: Route;
  fetch?: typeof fetch;
}

/** How long list() waits for the chain before it answers from the registry alone. */
const LIST_SYNC_WAIT_MS = 20_000;

export class TfgridProvider implements GridProvider {
  readonly name = "tfgrid" as const;
  readonly #config: TfgridProviderConfig;
  readonly #deps: TfgridProviderDeps;
  readonly #gridproxy: GridproxyClient;
  readonly #route: Route;
  #session: Promise<GridSession> | undefined;
  /** Whether list() has looked for the project's nodes on the chain since the daemon started. */
  #synced = false;
  /** Deploy, resize, remove and sync run one at a time. */
  #changes: Promise<unknown> = Promise.resolve();

  constructor(config: TfgridProviderConfig, deps: TfgridProviderDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#gridproxy = new GridproxyClient(config.gridproxyUrl, { fetch: deps.fetch });
    this.#route = deps.route ?? directRoute;
  }

  async find(query: FindQuery): Promise<FindResult> {
    const locations = this.#locations(query.locations);
    try {
      return await findCandidates(this.#gridproxy, locations, query, this.#usedGridNodes());
    } catch (error) {
      throw domainErrorOf(error, { action: "Cannot find tfgrid nodes", ...this.#context() });
    }
  }

  async deploy(request: DeployRequest): Promise<DeployResult> {
    const locations = this.#locations(request.locations);
    return await this.#serially(async () => {
      const action = `Cannot deploy ${request.count} tfgrid node(s)`;
      const session = await this.#sessionFor(action);
      // Nodes on the chain that this registry does not know yet hold grid nodes too.
      if (!this.#synced) await this.#syncNow(action);
      const deployed = await deployGridNodes(request, locations, {
        session,
        gridproxy: this.#gridproxy,
        network: this.#config.network,
        mode: this.#config.zdbMode,
        endpointTimeoutMs: this.#config.endpointTimeoutMs,
        route: this.#route,
        logger: this.#deps.logger,
        usedGridNodes: this.#usedGridNodes(),
        newId: () => this.#newId(),
        newDeploymentName: () => randomNodeId("qsfs").replace("-", ""),
      });
      this.#deps.registry.insert(
        deployed.map(({ record }) => record),
        deployed.map(({ secret }) => secret),
      );
      for (const { record } of deployed) {
        this.#deps.onEvent({
          type: "node_deployed",
          nodeId: record.id,
          message: `Node ${record.id} deployed on grid ${record.location} (${
            formatBytes(record.sizeBytes)
          }, contract ${record.contractId})`,
        });
      }
      const warnings = diskSizeGbOf(request.sizeBytes) * GIB === request.sizeBytes ? [] : [
        `tfgrid node sizes are whole GiB: ${formatBytes(request.sizeBytes)} was rounded up to ${
          diskSizeGbOf(request.sizeBytes)
        } GiB`,
      ];
      return { nodes: deployed.map(({ record }) => storageNodeOf(record)), warnings };
    });
  }

  /**
   * The recorded tfgrid nodes. The first call after the daemon starts also
   * looks for the project's nodes on the chain and records those missing (a
   * new machine, a lost registry); if the grid cannot be reached, it says so
   * in the log and answers from the registry.
   */
  async list(): Promise<StorageNode[]> {
    if (!this.#synced) {
      try {
        // A sync that takes longer goes on; its nodes show in the next list.
        await withDeadline(this.sync(), LIST_SYNC_WAIT_MS, "the chain search for tfgrid nodes");
      } catch (error) {
        this.#deps.logger.warn("could not look for tfgrid nodes on the chain", {
          error: messageOf(error),
        });
      }
    }
    return this.#deps.registry.list("tfgrid").map(storageNodeOf);
  }

  /** Records the project's nodes found on the chain that the registry lacks; returns how many. */
  sync(): Promise<number> {
    return this.#serially(() => this.#syncNow("Cannot list tfgrid nodes"));
  }

  async #syncNow(action: string): Promise<number> {
    const session = await this.#sessionFor(action);
    const known = new Set(this.#deps.registry.list("tfgrid").map((record) => record.id));
    const found = await recoverGridNodes(known, {
      session,
      gridproxy: this.#gridproxy,
      route: this.#route,
      endpointTimeoutMs: this.#config.endpointTimeoutMs,
      logger: this.#deps.logger,
    }).catch((error) => {
      throw domainErrorOf(error, { action, ...this.#context() });
    });
    this.#deps.registry.insert(
      found.map(({ record }) => record),
      found.map(({ secret }) => secret),
    );
    this.#synced = true;
    return found.length;
  }

  get(id: string): Promise<StorageNode> {
    return Promise.resolve(storageNodeOf(this.#record(id)));
  }

  resize(id: string, sizeBytes: number): Promise<StorageNode> {
    return this.#serially(async () => {
      const record = this.#record(id);
      const diskSizeGb = diskSizeGbOf(sizeBytes);
      const action = `Cannot resize node ${id} to ${diskSizeGb} GiB`;
      if (diskSizeGb * GIB < record.sizeBytes) {
        const { info } = await this.#probe(record, "resize");
        if (diskSizeGb * GIB < info.dataSizeBytes) {
          throw new ResizeRefusedError(
            `${action}: it holds ${
              formatBytes(info.dataSizeBytes)
            } (${info.dataSizeBytes} bytes); a node never shrinks below what it holds`,
          );
        }
      }
      const session = await this.#sessionFor(action);
      try {
        await session.updateZdbSize(record.deployment!, zdbNameOf(id), diskSizeGb);
      } catch (error) {
        throw domainErrorOf(error, {
          action,
          ...this.#context(),
          rejected: (message, options) => new ResizeRefusedError(message, options),
        });
      }
      this.#deps.registry.update(id, { sizeBytes: diskSizeGb * GIB });
      return storageNodeOf(this.#record(id));
    });
  }

  remove(id: string, options: RemoveOptions = {}): Promise<void> {
    return this.#serially(async () => {
      const record = this.#record(id);
      if (!options.force) checkRemovable(record, (await this.#probe(record, "remove")).info);
      const session = await this.#sessionFor(`Cannot remove node ${id}`);
      try {
        await session.cancelContracts([record.contractId!]);
      } catch (error) {
        throw domainErrorOf(error, { action: `Cannot remove node ${id}`, ...this.#context() });
      }
      this.#deps.registry.delete(id);
      this.#deps.onEvent({
        type: "node_removed",
        nodeId: id,
        message:
          `Node ${id} removed: contract ${record.contractId} on grid ${record.location} cancelled`,
      });
    });
  }

  async health(id: string): Promise<NodeHealth> {
    const record = this.#record(id);
    const checkedAt = new Date().toISOString();
    try {
      return healthOf(record, await probeNamespace(this.#access(record)), checkedAt);
    } catch (error) {
      return { id, reachable: false, error: messageOf(error), checkedAt };
    }
  }

  async quote(request: DeployRequest): Promise<Quote> {
    // Bad locations are bad input before they are a price: the quote comes first now.
    this.#locations(request.locations);
    const diskSizeGb = diskSizeGbOf(request.sizeBytes);
    const action = `Cannot quote ${request.count} tfgrid node(s)`;
    const session = await this.#sessionFor(action);
    try {
      const { usdPerMonth, usdPerTft } = await session.quoteZdb({ diskSizeGb });
      const costPerMonth = usdPerMonth * request.count;
      return {
        provider: this.name,
        count: request.count,
        sizeBytes: diskSizeGb * GIB,
        costPerMonth,
        currency: "USD",
        ...(usdPerTft > 0 ? { tftPerMonth: costPerMonth / usdPerTft } : {}),
        network: this.#config.network,
      };
    } catch (error) {
      throw domainErrorOf(error, { action, ...this.#context() });
    }
  }

  /** Disconnects from the grid (the daemon is stopping). */
  async close(): Promise<void> {
    await this.#changes.catch(() => {});
    const session = this.#session;
    this.#session = undefined;
    await session?.then((connected) => connected.disconnect()).catch(() => {});
  }

  #context() {
    return { network: this.#config.network };
  }

  async #sessionFor(action: string): Promise<GridSession> {
    const { mnemonic, network, projectName, deployTimeoutMinutes } = this.#config;
    this.#session ??= withDeadline(
      this.#deps.gridClient.connect({ mnemonic, network, projectName, deployTimeoutMinutes }),
      this.#config.connectTimeoutMs,
      `connecting to the ${network} grid`,
    );
    try {
      return await this.#session;
    } catch (error) {
      this.#session = undefined; // the next call tries again
      throw domainErrorOf(error, { action, network });
    }
  }

  #serially<T>(body: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(body, body);
    this.#changes = run.catch(() => {});
    return run;
  }

  #locations(texts: readonly string[] | undefined): GridLocation[] {
    if (texts === undefined || texts.length === 0) return [{ kind: "random" }];
    return texts.map(parseGridLocation);
  }

  #usedGridNodes(): Set<number> {
    return new Set(
      this.#deps.registry.list("tfgrid").flatMap((record) =>
        record.gridNodeId == null ? [] : [record.gridNodeId]
      ),
    );
  }

  #record(id: string): NodeRecord {
    const record = this.#deps.registry.get(id);
    if (record === undefined || record.provider !== "tfgrid") throw new NodeNotFoundError(id);
    return record;
  }

  #access(record: NodeRecord) {
    const password = this.#deps.registry.secret(record.passwordRef);
    if (password === undefined) throw new Error(`Cannot find secret ${record.passwordRef}`);
    return {
      address: this.#route({ hostname: record.host, port: record.port }),
      namespace: record.namespace,
      password,
    };
  }

  async #probe(record: NodeRecord, action: "resize" | "remove"): Promise<NodeProbe> {
    try {
      return await probeNamespace(this.#access(record));
    } catch (error) {
      throw unanswered(action, record, record.status, error);
    }
  }

  #newId(): string {
    for (;;) {
      const id = randomNodeId("tfgrid");
      if (this.#deps.registry.get(id) === undefined) return id;
    }
  }
}
