/**
 * The storage nodes of a home's pool as the engine needs them (fs/pool.ts):
 * every node of the registry with its address and namespace password, and a
 * check that enough of them answer before a mount or a recovery starts.
 *
 * @module
 */
import type { PoolNodeAddress } from "../../../fs/mod.ts";
import type { NodeRegistry } from "../../grid/registry.ts";
import { probeNamespace } from "../../grid/zdb_ops.ts";

/** Every recorded node with its password. Holds secrets: never log it. */
export function poolNodesOf(registry: NodeRegistry): PoolNodeAddress[] {
  return registry.list().map((record) => {
    const password = registry.secret(record.passwordRef);
    if (password === undefined) {
      throw new Error(
        `Cannot use storage node ${record.id}: the registry holds no password for it (${record.passwordRef})`,
      );
    }
    return {
      id: record.id,
      host: record.host,
      port: record.port,
      namespace: record.namespace,
      password,
    };
  });
}

export interface UnansweredNode {
  id: string;
  endpoint: string;
  reason: string;
}

/**
 * The nodes that do not answer a PING and NSINFO in their namespace (so a wrong password
 * counts too), checked all at once.
 */
export async function unansweredNodes(
  nodes: readonly PoolNodeAddress[],
): Promise<UnansweredNode[]> {
  const results = await Promise.allSettled(nodes.map((node) =>
    probeNamespace({
      address: { hostname: node.host, port: node.port },
      namespace: node.namespace,
      password: node.password ?? "",
    })
  ));
  return results.flatMap((result, index) => {
    if (result.status === "fulfilled") return [];
    const node = nodes[index]!;
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    return [{ id: node.id, endpoint: `${node.host}:${node.port}`, reason }];
  });
}

/** "local-1 (127.0.0.1:9900: connection refused), ...", for messages. */
export function describeUnanswered(nodes: readonly UnansweredNode[]): string {
  return nodes.map((node) => `${node.id} (${node.endpoint}: ${node.reason})`).join(", ");
}
