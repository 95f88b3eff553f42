/**
 * Removing a node of the home's pool without lowering its redundancy: before
 * the node is deleted, every shard it holds moves to the other nodes (copied,
 * or rebuilt where it does not answer), the chunk locations are rewritten and
 * the metadata is shipped again without it (fs: PoolControl.evacuateNode).
 *
 * The move needs the filesystem itself (its chunk locations), opened here for
 * the time of the move; while a mount serves it, the mount is asked to do the
 * move (mount_control.ts), never done behind its back. A process holding the
 * filesystem that does not answer there makes the removal wait for its end.
 *
 * @module
 */
import { type Filesystem, FsError, openFilesystem, type PoolOptions } from "../../../fs/mod.ts";
import type { Logger } from "../../../lib/log.ts";
import type { NodeRegistry } from "../../grid/registry.ts";
import {
  IdentityUnavailableError,
  PoolChangeFailedError,
  PoolChangeRefusedError,
} from "../errors.ts";
import { identityExists, IdentityLockedError, unlockIdentity } from "../identity/mod.ts";
import type { IdentityAccess } from "../node_passwords.ts";
import { askMount, MOUNT_SOCKET_NAME, mountSocketPath } from "./mount_control.ts";
import { poolNodesOf } from "./pool_nodes.ts";
import { readPoolSettings } from "./pool_settings.ts";

/** What a move did. */
export interface Evacuated {
  chunksMoved: number;
}

export interface PoolEvacuatorDeps {
  identity: IdentityAccess;
  registry: NodeRegistry;
  logger?: Logger;
}

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
  const { home } = deps.identity;
  const settings = await readPoolSettings(home);
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
    keys: await poolKeys(deps.identity, action),
  };
  let fs: Filesystem;
  try {
    fs = await openFilesystem({
      stateDir: settings.stateDir,
      pool,
      lockWaitMs: 0,
      logger: deps.logger ?? quiet,
    });
  } catch (error) {
    if (error instanceof FsError && error.code === "EBUSY") {
      return await evacuateThroughMount(home, nodeId, action, error);
    }
    // A wiped state, nodes that do not answer: the node stays, and the reason is the answer.
    throw new PoolChangeRefusedError(`Cannot ${action}: ${reasonOf(error)}; the node was kept`, {
      cause: error,
    });
  }
  try {
    const report = await fs.pool!.evacuateNode(nodeId);
    await fs.sync();
    return { chunksMoved: report.chunksMoved };
  } catch (error) {
    // Chunks moved so far keep their new locations; removing again finishes the rest.
    throw new PoolChangeFailedError(
      `Cannot ${action}: moving its shards failed (${reasonOf(error)}); the node was kept, ` +
        "and removing it again moves what is left",
      { cause: error },
    );
  } finally {
    await fs.close();
  }
}

/** The filesystem is mounted: its mount moves the shards, and stops using the node. */
async function evacuateThroughMount(
  home: string,
  nodeId: string,
  action: string,
  busy: FsError,
): Promise<Evacuated> {
  let moved;
  try {
    moved = await askMount(mountSocketPath(home), { op: "evacuate", nodeId });
  } catch (error) {
    throw new PoolChangeFailedError(
      `Cannot ${action}: the mount could not move its shards (${reasonOf(error)}); the node ` +
        "was kept, and removing it again moves what is left",
      { cause: error },
    );
  }
  if (moved === undefined) {
    throw new PoolChangeRefusedError(
      `Cannot ${action}: the filesystem on the nodes is in use (${busy.message}) by a process ` +
        `that does not answer on ${MOUNT_SOCKET_NAME}; its shards must move to the other ` +
        "nodes first, which needs the filesystem: unmount it (qsfs umount DIR) and remove the " +
        "node again",
    );
  }
  return { chunksMoved: moved.chunksMoved };
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Cannot /, "cannot ");
}

async function poolKeys(access: IdentityAccess, action: string): Promise<PoolOptions["keys"]> {
  if (!(await identityExists(access.home))) {
    throw new PoolChangeRefusedError(
      `Cannot ${action}: the home has no identity to open its filesystem with`,
    );
  }
  try {
    const { keys } = await unlockIdentity(access.home, { passphrase: access.passphrase });
    const { dataKey, metadataKey, superblockKey, superblockName } = keys;
    return { dataKey, metadataKey, superblockKey, superblockName };
  } catch (error) {
    if (!(error instanceof IdentityLockedError)) throw error;
    throw new IdentityUnavailableError(
      `Cannot ${action}: ${error.message}; start the daemon with QSFS_PASSPHRASE set or ` +
        "--passphrase-file FILE",
      { cause: error },
    );
  }
}

const quiet = { info() {}, warn() {}, error() {} };
