/**
 * Scrubbing the home's pool (fs: PoolControl.scrub): every shard of every
 * chunk fetched and checked, missing and corrupt ones rebuilt on healthy
 * nodes, the metadata shipped again after any repair; chunks that cannot be
 * read are reported, never dropped. Run on the filesystem opened here, or by
 * the mount that serves it (pool_access.ts).
 *
 * @module
 */
import type { PoolOptions, ScrubSummary } from "../../../fs/mod.ts";
import { ScrubFailedError, ScrubRefusedError } from "../errors.ts";
import { askMount } from "./mount_control.ts";
import { type PoolAccessDeps, poolKeys, runOnPool } from "./pool_access.ts";
import { poolNodesOf } from "./pool_nodes.ts";
import { readPoolSettings } from "./pool_settings.ts";

const ACTION = "scrub the pool";

/**
 * Scrubs the pool of the home.
 * @throws {ScrubRefusedError} when the home keeps no filesystem on nodes, or a process holds
 * it that is not a mount answering on its control socket; {ScrubFailedError} when it failed
 */
export async function scrubPool(deps: PoolAccessDeps): Promise<ScrubSummary> {
  const settings = await readPoolSettings(deps.identity.home);
  if (settings === undefined) {
    throw new ScrubRefusedError(
      `Cannot ${ACTION}: this home keeps no filesystem on storage nodes yet (qsfs mount DIR ` +
        "makes one)",
    );
  }
  const pool: PoolOptions = {
    nodes: poolNodesOf(deps.registry),
    dataShards: settings.dataShards,
    parityShards: settings.parityShards,
    keys: await poolKeys(deps.identity, ACTION, ScrubRefusedError),
  };
  // What was repaired before a failure stays repaired (its locations are rewritten).
  const again = "chunks repaired so far stay repaired; scrubbing again checks the rest";
  return await runOnPool(deps, { stateDir: settings.stateDir, pool }, {
    action: ACTION,
    run: (fs) => fs.pool!.scrub(),
    askMount: (socketPath) => askMount(socketPath, { op: "scrub" }),
    Refused: ScrubRefusedError,
    Failed: ScrubFailedError,
    refusal: (reason) => `Cannot ${ACTION}: ${reason}`,
    failure: (reason, viaMount) =>
      viaMount
        ? `Cannot ${ACTION}: the mount could not scrub it (${reason}); ${again}`
        : `Cannot ${ACTION}: ${reason}; ${again}`,
    busyAdvice: "scrubbing needs the filesystem: unmount it (qsfs umount DIR) and scrub again",
  });
}
