/**
 * For tests: a GridClientPort with an in-memory chain, and scripted failures.
 * Contracts carry their deployment name and project name as real contract
 * metadata does, so a second "machine" with a fresh registry can list them.
 *
 * ZdbInfo follows grid_client's ZdbData (schema only: no real getObj() output
 * exists); its values follow the real tfcmd example: namespace
 * `<twin>-<contract>-<zdb name>`, port 9900, public IPv6 plus Yggdrasil.
 *
 * @module
 */
import zdbExample from "./testdata/tfcmd_get_zdb_examplezdb.json" with { type: "json" };
import {
  type GridClientPort,
  type GridConnectOptions,
  type GridDeployment,
  GridPortError,
  type GridSession,
  type ZdbDeploymentSpec,
  type ZdbInfo,
  type ZdbSpec,
} from "./grid_client_port.ts";

const GIB = 1024 ** 3;

/** The real addresses of the tfcmd example: a public IPv6 and a Yggdrasil one. */
export const EXAMPLE_IPS: readonly string[] = zdbExample.Zdbs[0]!.ips;
/** The real public IPv6 address of the tfcmd example. */
export const PUBLIC_IP = EXAMPLE_IPS[0]!;
/** The real Yggdrasil address of the tfcmd example. */
export const YGGDRASIL_IP = EXAMPLE_IPS[1]!;
/** Made up, in Mycelium's 400::/7: no real one was found. */
export const MYCELIUM_IP = "4a1:2f04:95e1:1c5b:ff0f:c1d3:b3e5:2a1";

export interface FakeContract {
  contractId: number;
  deployment: string;
  projectName: string;
  nodeId: number;
  zdb: ZdbSpec;
  state: "Created" | "Deleted";
  created: number;
}

export class FakeGridClient implements GridClientPort {
  readonly twinId = 81;
  readonly contracts = new Map<number, FakeContract>();
  /** What was called, in order: "connect", "deploy qsfs…", "cancel 1,2", "update …". */
  readonly calls: string[] = [];
  readonly connects: GridConnectOptions[] = [];
  readonly deploys: ZdbDeploymentSpec[] = [];
  nextContractId = 36155;
  /** connect() throws this. */
  connectFailure: GridPortError | undefined;
  /** deployZdbs() creates this many contracts, then throws the error (and leaves them). */
  deployFailure: { afterZdbs: number; error: GridPortError } | undefined;
  /** The addresses a grid node's zdbs report. */
  ipsOf: (nodeId: number) => string[] = () => [...EXAMPLE_IPS];
  /** Called for each zdb the "node" starts, and each resize: tests create the namespace. */
  onZdb: (info: ZdbInfo) => Promise<void> = () => Promise.resolve();
  usdPerGbMonth = 0.0837;
  usdPerTft = 0.0125;

  connect(options: GridConnectOptions): Promise<GridSession> {
    this.calls.push("connect");
    this.connects.push(options);
    if (this.connectFailure !== undefined) return Promise.reject(this.connectFailure);
    return Promise.resolve(new FakeSession(this, options.projectName));
  }

  /** The live contracts. */
  live(): FakeContract[] {
    return [...this.contracts.values()].filter((contract) => contract.state === "Created");
  }

  infoOf(contract: FakeContract): ZdbInfo {
    return {
      name: contract.zdb.name,
      contractId: contract.contractId,
      nodeId: contract.nodeId,
      created: contract.created,
      status: "ok",
      message: "",
      sizeBytes: contract.zdb.disk_size * GIB,
      mode: contract.zdb.mode,
      publicNamespace: contract.zdb.publicNamespace,
      password: contract.zdb.password,
      resData: {
        Namespace: `${this.twinId}-${contract.contractId}-${contract.zdb.name}`,
        IPs: this.ipsOf(contract.nodeId),
        Port: 9900,
      },
    };
  }
}

class FakeSession implements GridSession {
  readonly #grid: FakeGridClient;
  readonly #projectName: string;

  constructor(grid: FakeGridClient, projectName: string) {
    this.#grid = grid;
    this.#projectName = projectName;
  }

  get twinId() {
    return this.#grid.twinId;
  }

  async deployZdbs(spec: ZdbDeploymentSpec): Promise<{ contractIds: number[] }> {
    const grid = this.#grid;
    grid.calls.push(`deploy ${spec.name}`);
    grid.deploys.push(structuredClone(spec));
    const contractIds: number[] = [];
    for (const [index, zdb] of spec.zdbs.entries()) {
      if (grid.deployFailure !== undefined && index === grid.deployFailure.afterZdbs) {
        throw grid.deployFailure.error;
      }
      const contract: FakeContract = {
        contractId: grid.nextContractId++,
        deployment: spec.name,
        projectName: this.#projectName,
        nodeId: zdb.node_id,
        zdb: { ...zdb },
        state: "Created",
        created: Math.floor(Date.now() / 1000),
      };
      grid.contracts.set(contract.contractId, contract);
      contractIds.push(contract.contractId);
      await grid.onZdb(grid.infoOf(contract));
    }
    if (grid.deployFailure !== undefined) throw grid.deployFailure.error;
    return { contractIds };
  }

  getZdbs(deploymentName: string): Promise<ZdbInfo[]> {
    this.#grid.calls.push(`get ${deploymentName}`);
    return Promise.resolve(
      this.#mine().filter((contract) => contract.deployment === deploymentName)
        .map((contract) => this.#grid.infoOf(contract)),
    );
  }

  listDeployments(): Promise<GridDeployment[]> {
    this.#grid.calls.push("list");
    const byName = new Map<string, GridDeployment>();
    for (const contract of this.#mine()) {
      const deployment = byName.get(contract.deployment) ??
        { name: contract.deployment, contracts: [] };
      deployment.contracts.push({
        contractId: contract.contractId,
        nodeId: contract.nodeId,
        state: "Created",
      });
      byName.set(contract.deployment, deployment);
    }
    return Promise.resolve([...byName.values()]);
  }

  async updateZdbSize(deploymentName: string, zdbName: string, diskSizeGb: number) {
    this.#grid.calls.push(`update ${deploymentName} ${zdbName} ${diskSizeGb}`);
    const contract = this.#mine().find((candidate) =>
      candidate.deployment === deploymentName && candidate.zdb.name === zdbName
    );
    if (contract === undefined) {
      throw new GridPortError("rejected", `deployment ${deploymentName} has no zdb ${zdbName}`);
    }
    contract.zdb.disk_size = diskSizeGb;
    await this.#grid.onZdb(this.#grid.infoOf(contract));
  }

  cancelContracts(contractIds: readonly number[]): Promise<void> {
    this.#grid.calls.push(`cancel ${contractIds.join(",")}`);
    for (const id of contractIds) {
      const contract = this.#grid.contracts.get(id);
      if (contract === undefined || contract.state === "Deleted") {
        return Promise.reject(new GridPortError("rejected", `contract ${id} does not exist`));
      }
      contract.state = "Deleted";
    }
    return Promise.resolve();
  }

  quoteZdb(request: { diskSizeGb: number }) {
    this.#grid.calls.push(`quote ${request.diskSizeGb}`);
    return Promise.resolve({
      usdPerMonth: request.diskSizeGb * this.#grid.usdPerGbMonth,
      usdPerTft: this.#grid.usdPerTft,
    });
  }

  disconnect(): Promise<void> {
    this.#grid.calls.push("disconnect");
    return Promise.resolve();
  }

  #mine(): FakeContract[] {
    return this.#grid.live().filter((contract) => contract.projectName === this.#projectName);
  }
}
