/**
 * What a resize or a removal of a local node must not do (each refusal says
 * why), and how a recorded node is shown.
 *
 * @module
 */
import { formatBytes } from "../../../lib/bytes.ts";
import type { NamespaceInfo } from "../../../fs/zdb/mod.ts";
import {
  InsufficientCapacityError,
  NodeHoldsDataError,
  NodeUnavailableError,
  ResizeRefusedError,
} from "../../services/errors.ts";
import type { NodeHealth, NodeStatus, StorageNode } from "../provider.ts";
import type { NodeRecord } from "../registry.ts";
import type { NodeProbe } from "../zdb_ops.ts";
import type { NodeSupervisor } from "./supervisor.ts";

/** @throws {ResizeRefusedError} below what the node holds; {InsufficientCapacityError} past its disk */
export function checkResize(
  record: NodeRecord,
  sizeBytes: number,
  usedBytes: number,
  diskFreeBytes: number | undefined,
): void {
  const target = `Cannot resize node ${record.id} to ${formatBytes(sizeBytes)}`;
  if (sizeBytes < usedBytes) {
    throw new ResizeRefusedError(
      `${target}: it holds ${
        formatBytes(usedBytes)
      } (${usedBytes} bytes); a node never shrinks below what it holds`,
    );
  }
  const growthBytes = sizeBytes - record.sizeBytes;
  if (growthBytes > 0 && diskFreeBytes !== undefined && growthBytes > diskFreeBytes) {
    throw new InsufficientCapacityError(
      `${target}: it needs ${formatBytes(growthBytes)} more and its filesystem has ${
        formatBytes(diskFreeBytes)
      } free`,
    );
  }
}

/** @throws {NodeHoldsDataError} while the namespace holds entries */
export function checkRemovable(record: NodeRecord, info: NamespaceInfo): void {
  if (info.entries === 0 && info.dataSizeBytes === 0) return;
  throw new NodeHoldsDataError(
    `Cannot remove node ${record.id}: it holds ${info.entries} entries (${
      formatBytes(info.dataSizeBytes)
    }), and moving its shards to other nodes is not built yet; pass force to delete them`,
  );
}

/** The error for an action on a node that did not answer. */
export function unanswered(
  action: "resize" | "remove",
  record: NodeRecord,
  status: NodeStatus,
  error: unknown,
): NodeUnavailableError {
  const hint = action === "remove" ? "; pass force to remove it without checking" : "";
  return new NodeUnavailableError(
    `Cannot ${action} node ${record.id}: it did not answer (status ${status}: ${
      messageOf(error)
    })${hint}`,
    { cause: error },
  );
}

export function healthOf(record: NodeRecord, probe: NodeProbe, checkedAt: string): NodeHealth {
  const { info } = probe;
  return {
    id: record.id,
    reachable: true,
    latencyMs: probe.latencyMs,
    usedBytes: info.dataSizeBytes,
    freeBytes: Math.max(0, record.sizeBytes - info.dataSizeBytes),
    diskFreeBytes: info.dataDiskFreespaceBytes,
    entries: info.entries,
    checkedAt,
  };
}

export function storageNodeOf(record: NodeRecord, supervisor?: NodeSupervisor): StorageNode {
  const node: StorageNode = {
    id: record.id,
    provider: "local",
    endpoint: `${record.host}:${record.port}`,
    namespace: record.namespace,
    passwordRef: record.passwordRef,
    location: record.location,
    sizeBytes: record.sizeBytes,
    createdAt: record.createdAt,
    status: supervisor?.status ?? record.status,
    restarts: supervisor?.restarts ?? 0,
  };
  if (supervisor?.pid !== undefined) node.pid = supervisor.pid;
  return node;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
