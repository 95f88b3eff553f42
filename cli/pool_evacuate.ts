/**
 * `qsfs nodes remove ID` on a node of the home's pool: before the daemon
 * deletes it, every shard it holds moves to the other nodes (copied, or
 * rebuilt where it does not answer), the chunk locations are rewritten and
 * the metadata is shipped again without it. So a removal never lowers the
 * redundancy; one that would (fewer than k + m nodes left) is refused.
 *
 * The move needs the filesystem itself (its chunk locations), opened in this
 * process: a filesystem that is mounted is refused with the way out
 * (unmount first), never bypassed.
 *
 * @module
 */
import type { ParsedArgs } from "./args.ts";
import type { CommandContext } from "./command.ts";
import { passphraseFrom } from "./identity_flags.ts";
import { setUpPool } from "./pool_setup.ts";
import { identityKeys } from "./pool_state.ts";
import { readPoolSettings } from "../server/services/pool/mod.ts";

/** What the move did, for the message; undefined when the node holds no shard of the pool. */
export interface Evacuated {
  chunksMoved: number;
}

/** Moves node `nodeId`'s shards off it. @throws {Error} saying why not and what to do */
export async function evacuateBeforeRemove(
  nodeId: string,
  parsed: ParsedArgs,
  context: CommandContext,
): Promise<Evacuated | undefined> {
  const { deps, home } = context;
  if (home === undefined) return undefined;
  const settings = await readPoolSettings(home);
  if (settings === undefined) return undefined; // No filesystem was ever mounted on the nodes.
  const action = `remove node ${nodeId}`;
  const keys = await identityKeys(home, passphraseFrom(parsed, deps), action);
  const ready = await setUpPool({
    home,
    keys,
    action,
    requested: undefined,
    remembered: settings,
    deps,
    logLevel: context.logLevel,
    serveArgs: [],
  });
  if (!ready.pool.nodes.some((node) => node.id === nodeId)) return undefined;
  const { dataShards, parityShards } = ready.pool;
  const left = ready.pool.nodes.length - 1;
  if (left < dataShards + parityShards) {
    throw new Error(
      `Cannot ${action}: ${left} nodes would be left, and each chunk needs ` +
        `${dataShards + parityShards} (one per shard); add a node first`,
    );
  }
  const engine = await import("../fs/mod.ts");
  // The engine's progress lines are for the mount's log, not this command's output.
  const logger = deps.createLogger(context.logLevel === "debug" ? "debug" : "warn", home);
  let fs;
  try {
    fs = await engine.openFilesystem({
      stateDir: settings.stateDir,
      pool: ready.pool,
      lockWaitMs: 0,
      logger: logger.child({ part: "fs" }),
    });
  } catch (error) {
    logger.close();
    if (error instanceof engine.FsError && error.code === "EBUSY") {
      throw new Error(
        `Cannot ${action}: the filesystem on the nodes is mounted (${error.message}); its shards ` +
          "must move to the other nodes first, which needs the filesystem: unmount it " +
          "(qsfs umount DIR) and run this again",
      );
    }
    throw error;
  }
  try {
    const report = await fs.pool!.evacuateNode(nodeId);
    await fs.sync();
    return { chunksMoved: report.chunksMoved };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(reason.startsWith("Cannot") ? reason : `Cannot ${action}: ${reason}`);
  } finally {
    await fs.close();
    logger.close();
  }
}
