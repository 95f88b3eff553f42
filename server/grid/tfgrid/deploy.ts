/**
 * Deploying tfgrid nodes, all or nothing: pick distinct grid nodes through
 * gridproxy, deploy one zdb on each as one grid deployment, check that every
 * zdb runs and answers on an address this machine can reach; if any step
 * fails, cancel every contract the deployment left on the chain and say why.
 *
 * Names: a node "tfgrid-3f9a0c1e" is the zdb "tfgrid3f9a0c1e" (zdb names are
 * alphanumeric) in a deployment "qsfs<8 hex digits>"; the contracts carry the
 * deployment name and the project name, which is how list() finds them again.
 *
 * @module
 */
import type { Logger } from "../../../lib/log.ts";
import type { DeployRequest, StorageNode } from "../provider.ts";
import type { NodeRecord, SecretRecord } from "../registry.ts";
import { randomSecret } from "../secrets.ts";
import { chooseEndpoint, type EndpointChoice, endpointOf, type Route } from "./endpoints.ts";
import {
  type GridNetwork,
  GridPortError,
  type GridSession,
  type ZdbInfo,
  type ZdbMode,
  type ZdbSpec,
} from "./grid_client_port.ts";
import { domainErrorOf } from "./grid_errors.ts";
import type { GridNodeInfo, GridproxyClient } from "./gridproxy.ts";
import { type GridLocation, nodeLabel, pickGridNodes } from "./locations.ts";

export const GIB = 1024 ** 3;

export interface GridDeployDeps {
  session: GridSession;
  gridproxy: GridproxyClient;
  network: GridNetwork;
  mode: ZdbMode;
  endpointTimeoutMs: number;
  route: Route;
  logger: Logger;
  /** Grid nodes that already hold a qsfs node: a pool keeps one node per grid node. */
  usedGridNodes: ReadonlySet<number>;
  newId(): string;
  newDeploymentName(): string;
}

export interface DeployedGridNode {
  record: NodeRecord;
  secret: SecretRecord;
}

interface PlannedZdb {
  id: string;
  gridNode: GridNodeInfo;
  spec: ZdbSpec;
}

/** Grid zdb sizes are whole GiB here: the request's size, rounded up. */
export function diskSizeGbOf(sizeBytes: number): number {
  return Math.max(1, Math.ceil(sizeBytes / GIB));
}

/** "tfgrid-3f9a0c1e" -> "tfgrid3f9a0c1e". */
export function zdbNameOf(id: string): string {
  return id.replace("-", "");
}

/** "tfgrid3f9a0c1e" -> "tfgrid-3f9a0c1e"; undefined for a zdb qsfs did not name. */
export function nodeIdOfZdb(zdbName: string): string | undefined {
  const match = /^tfgrid([0-9a-f]{8})$/.exec(zdbName);
  return match === null ? undefined : `tfgrid-${match[1]}`;
}

/** @throws {DomainError} saying why, after cancelling whatever was created */
export async function deployGridNodes(
  request: DeployRequest,
  locations: GridLocation[],
  deps: GridDeployDeps,
): Promise<DeployedGridNode[]> {
  const action = `Cannot deploy ${request.count} tfgrid node(s)`;
  const diskSizeGb = diskSizeGbOf(request.sizeBytes);
  let picked: GridNodeInfo[];
  try {
    picked = await pickGridNodes(
      deps.gridproxy,
      { count: request.count, freeHruBytes: diskSizeGb * GIB, locations },
      deps.usedGridNodes,
    );
  } catch (error) {
    throw domainErrorOf(error, { action, network: deps.network });
  }
  const mode = request.mode ?? deps.mode;
  const planned: PlannedZdb[] = picked.map((gridNode) => {
    const id = deps.newId();
    const spec: ZdbSpec = {
      name: zdbNameOf(id),
      node_id: gridNode.nodeId,
      mode,
      disk_size: diskSizeGb,
      password: randomSecret(),
      publicNamespace: false,
    };
    return { id, gridNode, spec };
  });
  const name = deps.newDeploymentName();
  let created: number[] = [];
  try {
    created = (await deps.session.deployZdbs({
      name,
      zdbs: planned.map((zdb) => zdb.spec),
      description: "qsfs storage nodes",
    })).contractIds;
    const zdbs = await deps.session.getZdbs(name);
    const endpoints = await reachAll(planned, zdbs, deps);
    const createdAt = new Date().toISOString();
    return planned.map((zdb, index) => {
      const info = zdbs.find((candidate) => candidate.name === zdb.spec.name)!;
      return recordOf(zdb, info, endpoints[index]!, name, createdAt);
    });
  } catch (error) {
    const suffix = await undo(name, created, error, deps);
    throw domainErrorOf(error, { action, network: deps.network, suffix });
  }
}

/** An endpoint for each planned zdb. @throws {GridPortError} naming every node that failed */
async function reachAll(
  planned: PlannedZdb[],
  zdbs: ZdbInfo[],
  deps: GridDeployDeps,
): Promise<EndpointChoice[]> {
  const results = await Promise.allSettled(planned.map(async (zdb) => {
    const info = zdbs.find((candidate) => candidate.name === zdb.spec.name);
    if (info === undefined) throw new Error("the grid reports no such zdb");
    if (info.status !== "ok") {
      throw new Error(`its zdb is "${info.status}"${info.message ? `: ${info.message}` : ""}`);
    }
    return await chooseEndpoint(info.resData.IPs, info.resData.Port, {
      route: deps.route,
      timeoutMs: deps.endpointTimeoutMs,
    });
  }));
  const failures = results.flatMap((result, index) =>
    result.status === "fulfilled" ? [] : [
      `grid node ${planned[index]!.gridNode.nodeId} (${planned[index]!.id}): ${
        result.reason instanceof Error ? result.reason.message : String(result.reason)
      }`,
    ]
  );
  if (failures.length > 0) throw new GridPortError("node_unavailable", failures.join("; "));
  return results.map((result) => (result as PromiseFulfilledResult<EndpointChoice>).value);
}

function recordOf(
  zdb: PlannedZdb,
  info: ZdbInfo,
  endpoint: EndpointChoice,
  deployment: string,
  createdAt: string,
): DeployedGridNode {
  const record: NodeRecord = {
    id: zdb.id,
    provider: "tfgrid",
    host: endpoint.host,
    port: endpoint.port,
    namespace: info.resData.Namespace,
    passwordRef: `ns-password:${zdb.id}`,
    adminPasswordRef: null,
    location: nodeLabel(zdb.gridNode),
    sizeBytes: zdb.spec.disk_size * GIB,
    createdAt,
    status: "running",
    pid: null,
    contractId: info.contractId,
    gridNodeId: info.nodeId,
    deployment,
  };
  return { record, secret: { ref: record.passwordRef, value: zdb.spec.password } };
}

/**
 * Cancels every contract of the failed deployment: those the grid client
 * reported and those the chain lists under its name. Returns the sentence
 * that ends the error message.
 */
async function undo(
  name: string,
  created: number[],
  error: unknown,
  deps: GridDeployDeps,
): Promise<string> {
  const ids = new Set<number>(created);
  if (error instanceof GridPortError) { for (const id of error.leftContractIds) ids.add(id); }
  let listNote = "";
  try {
    const found = (await deps.session.listDeployments()).find((item) => item.name === name);
    for (const contract of found?.contracts ?? []) ids.add(contract.contractId);
  } catch (listError) {
    listNote = ` (the chain could not be searched for more: ${messageOf(listError)})`;
  }
  if (ids.size === 0) return `; nothing was left on the grid${listNote}`;
  const shown = [...ids].sort((a, b) => a - b).join(", ");
  try {
    await deps.session.cancelContracts([...ids]);
  } catch (cancelError) {
    deps.logger.error("could not cancel the contracts of a failed deployment", {
      deployment: name,
      contracts: shown,
      error: messageOf(cancelError),
    });
    return `; cancelling its contract(s) ${shown} failed too (${
      messageOf(cancelError)
    }): cancel them in the ThreeFold dashboard${listNote}`;
  }
  return `; its contract(s) ${shown} were cancelled, nothing was kept${listNote}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How a recorded tfgrid node is shown (no secrets). */
export function storageNodeOf(record: NodeRecord): StorageNode {
  const node: StorageNode = {
    id: record.id,
    provider: "tfgrid",
    endpoint: endpointOf(record.host, record.port),
    namespace: record.namespace,
    passwordRef: record.passwordRef,
    location: record.location,
    sizeBytes: record.sizeBytes,
    createdAt: record.createdAt,
    status: record.status,
  };
  if (record.contractId != null) node.contractId = record.contractId;
  if (record.gridNodeId != null) node.gridNodeId = record.gridNodeId;
  return node;
}
