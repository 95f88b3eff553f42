/**
 * Growing a mounted pool: the mount process looks at the home's registry
 * every few seconds and hands each node it has not seen to the engine, so
 * `qsfs nodes create` while a filesystem is mounted adds room at once: new
 * chunks (and metadata) may go to the new nodes. A node the daemon restarted
 * on another port (its own was taken) is followed there. Nodes are never taken away
 * here: a removal moves shards first (`qsfs nodes remove`, through the mount's
 * control socket), and a node moved off (`retired`) is never taken again.
 *
 * @module
 */
import type { PoolControl } from "../fs/mod.ts";
import { readNodes } from "./pool_setup.ts";

export const POOL_WATCH_INTERVAL_MS = 3000;

interface WatchLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Starts watching; the returned function stops it. */
export function watchPoolGrowth(
  home: string,
  pool: PoolControl,
  logger: WatchLogger,
  retired: ReadonlySet<string> = new Set(),
): () => void {
  const timer = setInterval(() => {
    try {
      const known = new Set(pool.nodeIds);
      for (const { sizeBytes: _, ...address } of readNodes(home)) {
        if (retired.has(address.id)) continue;
        if (!known.has(address.id)) {
          pool.addNode(address);
          logger.info("storage node added to the pool", { node: address.id });
        } else if (pool.moveNode(address)) {
          logger.info("storage node followed to its new address", {
            node: address.id,
            port: address.port,
          });
        }
      }
    } catch (error) {
      logger.warn("could not read the registry for new nodes", { error: String(error) });
    }
  }, POOL_WATCH_INTERVAL_MS);
  return () => clearInterval(timer);
}
