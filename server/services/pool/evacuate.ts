/**
 * Removing a node of the home's pool without lowering its redundancy: before
 * the node is deleted, every shard it holds moves to the other nodes (copied,
 * or rebuilt where it does not answer), the chunk locations are rewritten and
 * the metadata is shipped again without it (fs: PoolControl.evacuateNode).
 *
 * The move needs the filesystem itself (its chunk locations): opened here, or
 * done by the mount that serves it (pool_access.ts).
 *
 * @module
 */
import type { PoolOptions } from "../../../fs/mod.ts";
import { PoolChangeFailedError, PoolChangeRefusedError } from "../errors.ts";
import { askMount } from "./mount_control.ts";
import { type PoolAccessDeps, poolKeys, runOnPool } from "./pool_access.ts";
import { poolNodesOf } from "./pool_nodes.ts";
import { readPoolSettings } from "./pool_settings.ts";

/** What a move did. */
export interface Evacuated {
  chunksMoved: number;
}

export type PoolEvacuatorDeps = PoolAccessDeps;

/**
 * Moves `nodeId`'s shards off it; undefined when the home keeps no filesystem on the nodes or
 * the node is not one of them (nothing to move).
 * @throws {PoolChangeRefusedError} when too few nodes stay, or a process holds the filesystem
 * that is not a mount answering on its control socket
 */
export async function evacuatePoolNode(
  deps: PoolEvacuatorDeps,
  nodeId: string,
): Promise<Evacuated | undefined> {
  const settings = await readPoolSettings(deps.identity.home);
  if (settings === undefined) return undefined;
  const nodes = poolNodesOf(deps.registry);
  if (!nodes.some((node) => node.id === nodeId)) return undefined;
  const action = `remove node ${nodeId}`;
  const shardsPerChunk = settings.dataShards + settings.parityShards;
  if (nodes.length - 1 < shardsPerChunk) {
    throw new PoolChangeRefusedError(
      `Cannot ${action}: ${nodes.length - 1} nodes would be left, and each chunk needs ` +
        `${shardsPerChunk} (one per shard); add a node first`,
    );
  }
  const pool: PoolOptions = {
    nodes,
    dataShards: settings.dataShards,
    parityShards: settings.parityShards,
    keys: await poolKeys(deps.identity, action, PoolChangeRefusedError),
  };
  // Chunks moved before a failure keep their new locations; removing again finishes the rest.
  const again = "the node was kept, and removing it again moves what is left";
  return await runOnPool(deps, { stateDir: settings.stateDir, pool }, {
    action,
    async run(fs) {
      const report = await fs.pool!.evacuateNode(nodeId);
      await fs.sync();
      return { chunksMoved: report.chunksMoved };
    },
    async askMount(socketPath) {
      const moved = await askMount(socketPath, { op: "evacuate", nodeId });
      return moved === undefined ? undefined : { chunksMoved: moved.chunksMoved };
    },
    Refused: PoolChangeRefusedError,
    Failed: PoolChangeFailedError,
    refusal: (reason) => `Cannot ${action}: ${reason}; the node was kept`,
    failure: (reason, viaMount) =>
      viaMount
        ? `Cannot ${action}: the mount could not move its shards (${reason}); ${again}`
        : `Cannot ${action}: moving its shards failed (${reason}); ${again}`,
    busyAdvice: "its shards must move to the other nodes first, which needs the filesystem: " +
      "unmount it (qsfs umount DIR) and remove the node again",
  });
}
