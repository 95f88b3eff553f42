/**
 * Deploying local nodes, all or nothing: every node is started and its
 * namespace created, or everything started is stopped and deleted again and
 * the error says which node failed and why.
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "../../../lib/log.ts";
import { DeployFailedError } from "../../services/errors.ts";
import type { DeployRequest } from "../provider.ts";
import type { NodeRecord, SecretRecord } from "../registry.ts";
import { randomSecret } from "../secrets.ts";
import { createNamespace, NAMESPACE_NAME } from "../zdb_ops.ts";
import { type LocationInfo, planPlacement } from "./locations.ts";
import type { NodeSupervisor } from "./supervisor.ts";

export interface DeployDeps {
  logger: Logger;
  newId(): string;
  /** A free port, reserved until the caller records the node. */
  pickPort(): number;
  /** Gives the ports of a failed deployment back. */
  releasePort(port: number): void;
  supervise(record: NodeRecord, adminPassword: string): NodeSupervisor;
  /**
   * The namespace password of a new node: derived from the home's identity when it has one
   * (so the mnemonic alone opens the node again), else random.
   */
  namespacePassword(nodeId: string): string;
}

export interface DeployedNode {
  record: NodeRecord;
  supervisor: NodeSupervisor;
  secrets: SecretRecord[];
}

export interface Deployment {
  nodes: DeployedNode[];
  warnings: string[];
}

interface PlannedNode extends DeployedNode {
  adminPassword: string;
  password: string;
  nodeDir: string;
}

/** Starts `request.count` nodes over `locations`. @throws {DeployFailedError} */
export async function deployNodes(
  request: DeployRequest,
  locations: readonly LocationInfo[],
  deps: DeployDeps,
): Promise<Deployment> {
  const placement = planPlacement(request.count, request.sizeBytes, locations);
  const createdAt = new Date().toISOString();
  const planned = placement.locations.map((location) =>
    planNode(location.path, request.sizeBytes, createdAt, deps)
  );
  try {
    for (const node of planned) Deno.mkdirSync(node.nodeDir, { recursive: true, mode: 0o700 });
    await settleAll(planned, (node) => node.supervisor.start(), "did not start");
    await settleAll(planned, (node) =>
      createNamespace(
        { hostname: node.record.host, port: node.supervisor.port },
        node.adminPassword,
        { name: NAMESPACE_NAME, password: node.password, maxsizeBytes: request.sizeBytes },
      ), "refused its namespace");
  } catch (error) {
    await undo(planned, deps);
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeployFailedError(
      `Cannot deploy ${request.count} local node(s): ${reason}; nothing was kept`,
      { cause: error },
    );
  }
  return {
    nodes: planned.map(({ record, supervisor, secrets }) => ({ record, supervisor, secrets })),
    warnings: placement.warnings,
  };
}

function planNode(
  location: string,
  sizeBytes: number,
  createdAt: string,
  deps: DeployDeps,
): PlannedNode {
  const id = deps.newId();
  const password = deps.namespacePassword(id);
  const adminPassword = randomSecret();
  const record: NodeRecord = {
    id,
    provider: "local",
    host: "127.0.0.1",
    port: deps.pickPort(),
    namespace: NAMESPACE_NAME,
    passwordRef: `ns-password:${id}`,
    adminPasswordRef: `admin-password:${id}`,
    location,
    sizeBytes,
    createdAt,
    status: "starting",
    pid: null,
  };
  return {
    record,
    supervisor: deps.supervise(record, adminPassword),
    secrets: [
      { ref: record.passwordRef, value: password },
      { ref: record.adminPasswordRef!, value: adminPassword },
    ],
    adminPassword,
    password,
    nodeDir: join(location, id),
  };
}

/** Runs `step` on every node at once; throws the first failure, naming its node. */
async function settleAll(
  nodes: PlannedNode[],
  step: (node: PlannedNode) => Promise<void>,
  what: string,
) {
  const results = await Promise.allSettled(nodes.map(step));
  const index = results.findIndex((result) => result.status === "rejected");
  if (index === -1) return;
  const failure = results[index] as PromiseRejectedResult;
  const reason = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
  throw new Error(
    `node ${index + 1} of ${nodes.length} (${nodes[index]!.record.id}) ${what}: ${reason}`,
  );
}

async function undo(nodes: PlannedNode[], deps: DeployDeps) {
  await Promise.allSettled(nodes.map((node) => node.supervisor.stop()));
  for (const node of nodes) {
    deps.releasePort(node.record.port);
    deps.releasePort(node.supervisor.port);
    try {
      Deno.removeSync(node.nodeDir, { recursive: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        deps.logger.warn("could not delete the directory of a failed node", {
          dir: node.nodeDir,
          error: String(error),
        });
      }
    }
  }
}
