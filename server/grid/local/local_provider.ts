/**
 * The `local` provider: storage nodes are embedded ZDB servers on this
 * machine, each a child process of the daemon with its own directory under a
 * location directory, kept running by a NodeSupervisor. Free of cost.
 *
 * @module
 */
import { join } from "node:path";
import { formatBytes } from "../../../lib/bytes.ts";
import type { Logger } from "../../../lib/log.ts";
import { NodeNotFoundError, NodeUnavailableError } from "../../services/errors.ts";
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
import type { NodeRecord, NodeRecordPatch, NodeRegistry } from "../registry.ts";
import { randomNodeId, randomSecret } from "../secrets.ts";
import { type NodeProbe, probeNamespace, setNamespaceMaxsize } from "../zdb_ops.ts";
import { deployNodes } from "./deploy.ts";
import { findCandidates, freeBytesOf, inspectLocation, type LocationInfo } from "./locations.ts";
import {
  checkRemovable,
  checkResize,
  healthOf,
  messageOf,
  storageNodeOf,
  unanswered,
} from "./node_rules.ts";
import { stopOrphan } from "./orphans.ts";
import { pickNodePort } from "./ports.ts";
import { NodeSupervisor, type SupervisorConfig } from "./supervisor.ts";

export interface LocalProviderConfig extends SupervisorConfig {
  /** Where nodes go when a request names no location (`<home>/nodes`). */
  defaultLocation: string;
}

export interface LocalProviderDeps {
  registry: NodeRegistry;
  onEvent: NodeEventSink;
  logger: Logger;
  /**
   * How new nodes' namespace passwords are made, asked once per deployment: from the
   * identity's keys when the home has one. Undefined (or an answer of undefined): random.
   * It throws when the identity cannot be opened, and then nothing is deployed.
   */
  namespacePasswords?: () => Promise<((nodeId: string) => string) | undefined>;
}

export class LocalProvider implements GridProvider {
  readonly name = "local" as const;
  readonly #config: LocalProviderConfig;
  readonly #deps: LocalProviderDeps;
  readonly #supervisors = new Map<string, NodeSupervisor>();
  /** Ports handed to nodes of a deployment that is not recorded yet. */
  readonly #reservedPorts = new Set<number>();
  /** Deploy, resize and remove run one at a time. */
  #changes: Promise<unknown> = Promise.resolve();

  constructor(config: LocalProviderConfig, deps: LocalProviderDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  /**
   * Starts every recorded local node: leftovers of a daemon that died are
   * stopped first; a node whose port is taken moves to a new one. A node that
   * does not come up is retried with backoff, not fatal.
   */
  async start(): Promise<void> {
    await Promise.all(
      this.#deps.registry.list("local").map(async (record) => {
        if (record.pid !== null) {
          const dataDir = join(nodeDirOf(record), "data");
          if (await stopOrphan(record.pid, dataDir, this.#config.stopTimeoutMs)) {
            this.#deps.logger.warn("stopped a node process left by an earlier daemon", {
              node: record.id,
              pid: record.pid,
            });
          }
        }
        await this.#supervise(record).resume();
      }),
    );
  }

  /** Stops every node (the daemon is stopping). */
  async close(): Promise<void> {
    await this.#changes.catch(() => {});
    await Promise.all([...this.#supervisors.values()].map((supervisor) => supervisor.stop()));
  }

  find(query: FindQuery): Promise<FindResult> {
    return Promise.resolve(findCandidates(this.#locations(query.locations), query));
  }

  deploy(request: DeployRequest): Promise<DeployResult> {
    return this.#serially(async () => {
      const locations = this.#locations(request.locations);
      const derived = await this.#deps.namespacePasswords?.();
      const { nodes: deployed, warnings } = await deployNodes(request, locations, {
        namespacePassword: derived ?? (() => randomSecret()),
        logger: this.#deps.logger,
        newId: () => this.#newId(),
        pickPort: () => this.#pickPort(),
        releasePort: (port) => this.#reservedPorts.delete(port),
        supervise: (record, adminPassword) => this.#supervisor(record, adminPassword),
      });
      this.#deps.registry.insert(
        deployed.map(({ record, supervisor }) => ({
          ...record,
          port: supervisor.port,
          status: supervisor.status,
          pid: supervisor.pid ?? null,
        })),
        deployed.flatMap(({ secrets }) => secrets),
      );
      for (const { record, supervisor } of deployed) {
        this.#supervisors.set(record.id, supervisor);
        this.#reservedPorts.delete(record.port);
        this.#reservedPorts.delete(supervisor.port);
        this.#deps.onEvent({
          type: "node_deployed",
          nodeId: record.id,
          message: `Node ${record.id} deployed in ${record.location} (${
            formatBytes(record.sizeBytes)
          })`,
        });
      }
      return { nodes: deployed.map(({ record }) => this.#view(record.id)), warnings };
    });
  }

  list(): Promise<StorageNode[]> {
    return Promise.resolve(
      this.#deps.registry.list("local").map((record) => this.#view(record.id)),
    );
  }

  get(id: string): Promise<StorageNode> {
    return Promise.resolve(this.#view(id));
  }

  resize(id: string, sizeBytes: number): Promise<StorageNode> {
    return this.#serially(async () => {
      const record = this.#record(id);
      const { info } = await this.#probe(record, "resize");
      checkResize(record, sizeBytes, info.dataSizeBytes, freeBytesOf(nodeDirOf(record)));
      await setNamespaceMaxsize(
        { hostname: record.host, port: record.port },
        this.#secret(record.adminPasswordRef!),
        record.namespace,
        sizeBytes,
      );
      this.#deps.registry.update(id, { sizeBytes });
      return this.#view(id);
    });
  }

  remove(id: string, options: RemoveOptions = {}): Promise<void> {
    return this.#serially(async () => {
      const record = this.#record(id);
      if (!options.force) {
        checkRemovable(record, (await this.#probe(record, "remove")).info);
      }
      await this.#supervisors.get(id)?.stop();
      this.#supervisors.delete(id);
      await Deno.remove(nodeDirOf(record), { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
      this.#deps.registry.delete(id);
      this.#deps.onEvent({
        type: "node_removed",
        nodeId: id,
        message: `Node ${id} removed with its data in ${nodeDirOf(record)}`,
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

  /** Stops the node's process; the supervisor does not restart it until startNode(). */
  stopNode(id: string): Promise<StorageNode> {
    return this.#serially(async () => {
      this.#record(id);
      await this.#supervisors.get(id)?.stop();
      return this.#view(id);
    });
  }

  /** Starts a stopped or failed node again; a running one is left as it is. */
  startNode(id: string): Promise<StorageNode> {
    return this.#serially(async () => {
      const record = this.#record(id);
      const supervisor = this.#supervisors.get(id) ?? this.#supervise(record);
      if (supervisor.status === "stopped" || supervisor.status === "failed") {
        try {
          await supervisor.start();
        } catch (error) {
          throw new NodeUnavailableError(
            `Cannot start node ${id}: ${messageOf(error)}`,
            { cause: error },
          );
        }
      }
      return this.#view(id);
    });
  }

  quote(request: DeployRequest): Promise<Quote> {
    return Promise.resolve({
      provider: this.name,
      count: request.count,
      sizeBytes: request.sizeBytes,
      costPerMonth: 0,
      currency: "TFT",
    });
  }

  #serially<T>(body: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(body, body);
    this.#changes = run.catch(() => {});
    return run;
  }

  #locations(paths: readonly string[] | undefined): LocationInfo[] {
    if (paths !== undefined && paths.length > 0) return [...new Set(paths)].map(inspectLocation);
    Deno.mkdirSync(this.#config.defaultLocation, { recursive: true, mode: 0o700 });
    return [inspectLocation(this.#config.defaultLocation)];
  }

  #record(id: string): NodeRecord {
    const record = this.#deps.registry.get(id);
    if (record === undefined || record.provider !== "local") throw new NodeNotFoundError(id);
    return record;
  }

  #secret(ref: string): string {
    const value = this.#deps.registry.secret(ref);
    if (value === undefined) throw new Error(`Cannot find secret ${ref} in the registry`);
    return value;
  }

  #access(record: NodeRecord) {
    return {
      address: { hostname: record.host, port: record.port },
      namespace: record.namespace,
      password: this.#secret(record.passwordRef),
    };
  }

  async #probe(record: NodeRecord, action: "resize" | "remove"): Promise<NodeProbe> {
    try {
      return await probeNamespace(this.#access(record));
    } catch (error) {
      const status = this.#supervisors.get(record.id)?.status ?? record.status;
      throw unanswered(action, record, status, error);
    }
  }

  #view(id: string): StorageNode {
    return storageNodeOf(this.#record(id), this.#supervisors.get(id));
  }

  #supervise(record: NodeRecord): NodeSupervisor {
    const supervisor = this.#supervisor(record, this.#secret(record.adminPasswordRef!));
    this.#supervisors.set(record.id, supervisor);
    return supervisor;
  }

  #supervisor(record: NodeRecord, adminPassword: string): NodeSupervisor {
    const { onEvent } = this.#deps;
    const nodeDir = nodeDirOf(record);
    return new NodeSupervisor(
      { id: record.id, nodeDir, dataDir: join(nodeDir, "data"), port: record.port, adminPassword },
      this.#config,
      {
        onEvent,
        onStatus: (status, pid) => this.#recordUpdate(record.id, { status, pid }),
        onPort: (port) => this.#recordUpdate(record.id, { port }),
        pickPort: () => this.#pickPort(),
      },
    );
  }

  /** Registry updates from supervisor callbacks: a failure is logged, never thrown into them. */
  #recordUpdate(id: string, patch: NodeRecordPatch) {
    try {
      this.#deps.registry.update(id, patch);
    } catch (error) {
      this.#deps.logger.error("could not record a node's state", {
        node: id,
        error: messageOf(error),
      });
    }
  }

  #newId(): string {
    for (;;) {
      const id = randomNodeId("local");
      if (this.#deps.registry.get(id) === undefined) return id;
    }
  }

  #pickPort(): number {
    const taken = new Set(this.#reservedPorts);
    for (const record of this.#deps.registry.list()) taken.add(record.port);
    const port = pickNodePort(taken);
    this.#reservedPorts.add(port);
    return port;
  }
}

/** A local node's own directory: `<location>/<id>`. */
export function nodeDirOf(record: Pick<NodeRecord, "location" | "id">): string {
  return join(record.location, record.id);
}
