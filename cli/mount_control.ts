/**
 * What a mount over the pool runs beside serving files: it takes nodes the
 * registry gains (pool_watch.ts), and answers the daemon on the control socket
 * (server/services/pool/mount_control.ts), so `qsfs nodes remove ID` works
 * while mounted: the mount moves the node's shards to the others and stops
 * using it, then the daemon deletes it; and `qsfs scrub` works while mounted:
 * the mount scrubs the pool. A node moved off is never taken back
 * by the watcher, though the registry lists it until the daemon deletes it.
 *
 * @module
 */
import type { Filesystem, PoolControl } from "../fs/mod.ts";
import {
  listenMountControl,
  type MountControlTarget,
  mountSocketPath,
} from "../server/services/pool/mount_control.ts";
import { watchPoolGrowth } from "./pool_watch.ts";

interface ServicesLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Starts both; the returned function stops them. */
export async function startPoolServices(
  home: string,
  fs: Filesystem,
  pool: PoolControl,
  logger: ServicesLogger,
): Promise<() => Promise<void>> {
  const retired = new Set<string>();
  const stopWatching = watchPoolGrowth(home, pool, logger, retired);
  let control: { close(): Promise<void> } | undefined;
  try {
    control = await listenMountControl(
      mountSocketPath(home),
      controlTarget(fs, pool, retired),
      logger,
    );
  } catch (error) {
    // The mount works without it; removing a node then waits for the unmount.
    logger.warn("cannot open the mount's control socket", { error: String(error) });
  }
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      stopWatching();
      await control?.close();
    })();
    return stopped;
  };
}

function controlTarget(fs: Filesystem, pool: PoolControl, retired: Set<string>) {
  // One move or scrub at a time: each one rewrites chunk locations and ships the metadata.
  let moving: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(task: () => Promise<T>): Promise<T> => {
    const run = moving.catch(() => {}).then(task);
    moving = run;
    return run;
  };
  const target: MountControlTarget = {
    status: () => ({ nodeIds: pool.nodeIds, uploadsPending: pool.uploadsPending }),
    evacuate(nodeId) {
      return oneAtATime(async () => {
        // A node the mount never took (created since) or already moved off holds none of its
        // shards: nothing to move, and it must not be taken from the registry later.
        if (!pool.nodeIds.includes(nodeId)) {
          retired.add(nodeId);
          return { nodeId, chunksMoved: 0 };
        }
        const report = await pool.evacuateNode(nodeId);
        retired.add(nodeId);
        await fs.sync();
        return { nodeId, chunksMoved: report.chunksMoved };
      });
    },
    scrub: () => oneAtATime(() => pool.scrub()),
  };
  return target;
}
