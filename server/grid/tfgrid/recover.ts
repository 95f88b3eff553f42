/**
 * Finding qsfs's tfgrid nodes again from the mnemonic alone: the contracts
 * of the project on the chain name their deployments; each deployment's
 * zdbs give the node id (the zdb name), namespace, password, size and
 * addresses. Nothing of the local registry is needed.
 *
 * @module
 */
import type { Logger } from "../../../lib/log.ts";
import type { NodeRecord } from "../registry.ts";
import type { DeployedGridNode } from "./deploy.ts";
import { nodeIdOfZdb } from "./deploy.ts";
import { addressKind, chooseEndpoint, type Route } from "./endpoints.ts";
import type { GridSession, ZdbInfo } from "./grid_client_port.ts";
import type { GridproxyClient } from "./gridproxy.ts";
import { nodeLabel } from "./locations.ts";

export interface RecoverDeps {
  session: GridSession;
  gridproxy: GridproxyClient;
  route: Route;
  endpointTimeoutMs: number;
  logger: Logger;
}

/** The project's nodes on the chain that `known` does not hold yet. */
export async function recoverGridNodes(
  known: ReadonlySet<string>,
  deps: RecoverDeps,
): Promise<DeployedGridNode[]> {
  const found: DeployedGridNode[] = [];
  for (const deployment of await deps.session.listDeployments()) {
    let zdbs: ZdbInfo[];
    try {
      zdbs = await deps.session.getZdbs(deployment.name);
    } catch (error) {
      deps.logger.warn("could not read a grid deployment's zdbs", {
        deployment: deployment.name,
        error: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    for (const zdb of zdbs) {
      const id = nodeIdOfZdb(zdb.name);
      if (id === undefined || known.has(id)) continue;
      found.push(await recordOf(id, zdb, deployment.name, deps));
    }
  }
  return found;
}

async function recordOf(
  id: string,
  zdb: ZdbInfo,
  deployment: string,
  deps: RecoverDeps,
): Promise<DeployedGridNode> {
  const { IPs, Port } = zdb.resData;
  let host = IPs.find((ip) => addressKind(ip) !== undefined) ?? IPs[0] ?? "";
  let reachable = false;
  try {
    host = (await chooseEndpoint(IPs, Port, {
      route: deps.route,
      timeoutMs: deps.endpointTimeoutMs,
    })).host;
    reachable = true;
  } catch {
    // Recorded all the same, as failed: health says more, and the node may come back.
  }
  const record: NodeRecord = {
    id,
    provider: "tfgrid",
    host,
    port: Port,
    namespace: zdb.resData.Namespace,
    passwordRef: `ns-password:${id}`,
    adminPasswordRef: null,
    location: await locationOf(zdb.nodeId, deps.gridproxy),
    sizeBytes: zdb.sizeBytes,
    createdAt: new Date(zdb.created * 1000).toISOString(),
    status: reachable && zdb.status === "ok" ? "running" : "failed",
    pid: null,
    contractId: zdb.contractId,
    gridNodeId: zdb.nodeId,
    deployment,
  };
  return { record, secret: { ref: record.passwordRef, value: zdb.password } };
}

async function locationOf(nodeId: number, gridproxy: GridproxyClient): Promise<string> {
  try {
    const [node] = await gridproxy.nodes({ nodeId, page: 1, size: 1 });
    if (node !== undefined) return nodeLabel(node);
  } catch {
    // The label is a convenience; the grid node id is recorded on its own.
  }
  return `node ${nodeId}`;
}
