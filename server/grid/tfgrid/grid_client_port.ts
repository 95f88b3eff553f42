/**
 * The narrow boundary between qsfs and @threefold/grid_client: every call the
 * tfgrid provider makes to the grid goes through GridClientPort, so tests put
 * a fake exactly here and the real adapter (grid_client_adapter.ts) stays a
 * thin mapping onto the grid client.
 *
 * Shapes follow the grid client's own models (ZDBModel, ZdbData, ZdbResult in
 * its 2.9.2 .d.ts): `disk_size` is in GB (GiB: the grid client multiplies by
 * 1024^3), while `ZdbInfo.sizeBytes` is in bytes, as the workload holds it.
 *
 * @module
 */

/** The ThreeFold grid v3 networks. */
export type GridNetwork = "main" | "test" | "qa" | "dev";

export const GRID_NETWORKS: readonly GridNetwork[] = ["main", "test", "qa", "dev"];

export function isGridNetwork(value: string): value is GridNetwork {
  return (GRID_NETWORKS as readonly string[]).includes(value);
}

export interface GridConnectOptions {
  mnemonic: string;
  network: GridNetwork;
  /**
   * Written into every contract's metadata (`deploymentData.projectName`) and
   * used to list the contracts again: the grid client binds it when it is
   * created, so it is given here, once.
   */
  projectName: string;
  /** How long the grid client waits for a node to report a workload ready. */
  deployTimeoutMinutes: number;
}

export type ZdbMode = "seq" | "user";

/** One 0-db namespace to deploy (the grid client's ZDBModel). */
export interface ZdbSpec {
  /** Alphanumeric, at most 50 characters, unique in its deployment. */
  name: string;
  /** The grid node. */
  node_id: number;
  mode: ZdbMode;
  /** GB (GiB), at least 0.25. */
  disk_size: number;
  password: string;
  /** qsfs never deploys public namespaces. */
  publicNamespace: false;
}

/** A deployment: one name, one zdb per grid node (the grid client's ZDBSModel). */
export interface ZdbDeploymentSpec {
  name: string;
  zdbs: ZdbSpec[];
  /** Workload metadata (free text); the contract metadata carries the project name. */
  metadata?: string;
  description?: string;
}

/** What 0-db on the node answered (the grid client's ZdbResult; capitalised keys, as on the wire). */
export interface ZdbResultData {
  Namespace: string;
  IPs: string[];
  Port: number;
}

/** One deployed zdb as the grid reports it (the grid client's ZdbData). */
export interface ZdbInfo {
  name: string;
  contractId: number;
  nodeId: number;
  /** Unix seconds. */
  created: number;
  /** The workload state, "ok" when it runs. */
  status: string;
  message: string;
  sizeBytes: number;
  mode: string;
  publicNamespace: boolean;
  password: string;
  resData: ZdbResultData;
}

/** A node contract found on the chain, with its deployment name (from its metadata). */
export interface GridContract {
  contractId: number;
  nodeId: number;
  /** "Created" or "GracePeriod". */
  state: string;
}

/** A deployment found on the chain by its contracts' metadata alone. */
export interface GridDeployment {
  name: string;
  contracts: GridContract[];
}

export interface ZdbQuoteRequest {
  /** GB (GiB) of HDD for one zdb. */
  diskSizeGb: number;
}

export interface ZdbQuote {
  /** Monthly price of one zdb of that size on a shared node, in USD, without discounts. */
  usdPerMonth: number;
  /** What one TFT is worth in USD now (TFChain's price): the grid bills in TFT. */
  usdPerTft: number;
}

/** A connected grid client, for one mnemonic on one network. */
export interface GridSession {
  readonly twinId: number;
  /**
   * Deploys every zdb of the spec. The grid client undoes what it created when
   * it fails; a GridPortError may still list contracts it left behind.
   */
  deployZdbs(spec: ZdbDeploymentSpec): Promise<{ contractIds: number[] }>;
  /** The zdbs of a deployment, with what each node answered. */
  getZdbs(deploymentName: string): Promise<ZdbInfo[]>;
  /** The deployments of this session's project, from the chain alone. */
  listDeployments(): Promise<GridDeployment[]>;
  /** Sets one zdb's disk_size (GB); the node changes the namespace size. */
  updateZdbSize(deploymentName: string, zdbName: string, diskSizeGb: number): Promise<void>;
  cancelContracts(contractIds: readonly number[]): Promise<void>;
  /** The calculator's monthly price. */
  quoteZdb(request: ZdbQuoteRequest): Promise<ZdbQuote>;
  disconnect(): Promise<void>;
}

export interface GridClientPort {
  /** @throws {GridPortError} "no_twin" when the mnemonic has no twin on that network */
  connect(options: GridConnectOptions): Promise<GridSession>;
}

/** Why a grid call failed, in the terms the provider acts on. */
export type GridFailure =
  | "no_twin"
  | "insufficient_balance"
  | "insufficient_capacity"
  | "timeout"
  | "node_unavailable"
  | "grid_unreachable"
  | "rejected";

/** What every GridClientPort method throws. */
export class GridPortError extends Error {
  readonly failure: GridFailure;
  /** Contracts a failed deploy left on the chain, when the grid client said so. */
  readonly leftContractIds: number[];

  constructor(
    failure: GridFailure,
    message: string,
    options: ErrorOptions & { leftContractIds?: number[] } = {},
  ) {
    super(message, options);
    this.name = "GridPortError";
    this.failure = failure;
    this.leftContractIds = options.leftContractIds ?? [];
  }
}

/**
 * Bounds a grid call: after `timeoutMs` it rejects with a "grid_unreachable"
 * GridPortError (the call itself may still settle later; its result is dropped).
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new GridPortError(
            "grid_unreachable",
            `${what} got no answer within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
