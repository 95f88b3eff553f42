/**
 * The one interface every storage-node provider implements (issue 5), so the
 * rest of qsfs never knows whether a node is an embedded ZDB server on this
 * machine (`local`) or a 0-db namespace on the ThreeFold grid (`tfgrid`).
 *
 * Providers throw the domain errors of server/services/errors.ts (a leaf
 * module) with the reason in the message.
 *
 * @module
 */

export type ProviderName = "local" | "tfgrid";

/**
 * What a node is doing: "running" answers; "starting" and "restarting" are on
 * the way back; "failed" means the supervisor gave up; "stopped" means it is
 * down on purpose (the daemon is not running, or it is being removed).
 */
export type NodeStatus = "starting" | "running" | "restarting" | "failed" | "stopped";

/** A storage node as the registry records it and the API shows it. No secrets. */
export interface StorageNode {
  id: string;
  provider: ProviderName;
  /** Where clients connect: "host:port". */
  endpoint: string;
  /** The 0-db namespace that holds the data. */
  namespace: string;
  /** Names the namespace password in the registry's secret store, never the password. */
  passwordRef: string;
  /** local: the directory the node's own directory is in; tfgrid: the grid node and farm. */
  location: string;
  /** The namespace size limit (0-db maxsize). */
  sizeBytes: number;
  /** ISO 8601. */
  createdAt: string;
  status: NodeStatus;
  /** local only: the node's server process while it runs. */
  pid?: number;
  /** local only: how many times the supervisor restarted it since the daemon started. */
  restarts?: number;
  /** tfgrid only: the node contract on TFChain (cancelling it deletes the namespace). */
  contractId?: number;
  /** tfgrid only: the grid node that holds the namespace. */
  gridNodeId?: number;
}

export interface FindQuery {
  /** How many nodes the caller wants (lets a provider say when there are too few). */
  count?: number;
  /** The size of each wanted node. */
  sizeBytes?: number;
  /** local: directories; tfgrid: random, country:NAME, city:NAME, farm:IDS or node:IDS. */
  locations?: string[];
}

/** A place a node could be deployed. */
export interface Candidate {
  provider: ProviderName;
  location: string;
  freeBytes: number;
  /** Provider-specific facts (local: the filesystem's device id). */
  details: Record<string, string | number | boolean>;
}

export interface FindResult {
  candidates: Candidate[];
  /** Things the caller should know, e.g. that all candidates share one disk. */
  warnings: string[];
}

export interface DeployRequest {
  count: number;
  sizeBytes: number;
  /** Where to put the nodes, spread round-robin; the provider's default when absent. */
  locations?: string[];
  /** tfgrid: the 0-db namespace mode; the provider's default ("user") when absent. */
  mode?: "user" | "seq";
}

export interface DeployResult {
  nodes: StorageNode[];
  warnings: string[];
}

export interface RemoveOptions {
  /** Remove even when the node holds data, or its contents cannot be checked. */
  force?: boolean;
}

export interface NodeHealth {
  id: string;
  reachable: boolean;
  /** Round trip of PING, when reachable. */
  latencyMs?: number;
  /** Live bytes in the namespace. */
  usedBytes?: number;
  /** What the namespace may still take (size minus used). */
  freeBytes?: number;
  /** Free space on the disk under the node, when the node reports it. */
  diskFreeBytes?: number;
  entries?: number;
  /** Why it is not reachable. */
  error?: string;
  checkedAt: string;
}

export interface Quote {
  provider: ProviderName;
  count: number;
  sizeBytes: number;
  /** Cost of the whole request per month, in `currency`. */
  costPerMonth: number;
  currency: string;
  /** tfgrid: the same cost in TFT at today's TFT price (the grid bills in TFT, by the hour). */
  tftPerMonth?: number;
  /** tfgrid: the grid network the nodes would be on (main, test, qa, dev). */
  network?: string;
}

export interface GridProvider {
  readonly name: ProviderName;
  find(query: FindQuery): Promise<FindResult>;
  /** All or nothing: on failure nothing is left behind and the error says why. */
  deploy(request: DeployRequest): Promise<DeployResult>;
  list(): Promise<StorageNode[]>;
  /** @throws {NodeNotFoundError} */
  get(id: string): Promise<StorageNode>;
  resize(id: string, sizeBytes: number): Promise<StorageNode>;
  remove(id: string, options?: RemoveOptions): Promise<void>;
  health(id: string): Promise<NodeHealth>;
  quote(request: DeployRequest): Promise<Quote>;
  /** Takes a node down on purpose (maintenance, tests): it stays down until startNode(). */
  stopNode?(id: string): Promise<StorageNode>;
  /** Brings a stopped (or failed) node up again. */
  startNode?(id: string): Promise<StorageNode>;
}

/** Something that happened to a node, reported by a provider (the daemon keeps them). */
export interface NodeEventInput {
  type:
    | "node_started"
    | "node_exited"
    | "node_restarted"
    | "node_moved"
    | "node_failed"
    | "node_stopped"
    | "node_removed"
    | "node_deployed";
  nodeId: string;
  message: string;
}

export type NodeEventSink = (event: NodeEventInput) => void;
