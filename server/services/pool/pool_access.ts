/**
 * Doing something that needs the home's filesystem itself (its chunk
 * locations) from the daemon: moving a node's shards, scrubbing the pool.
 * Unmounted, the daemon opens the filesystem for the time of the task
 * (without waiting for the state's lock); while a mount serves it, the mount
 * is asked to do it over its control socket (mount_control.ts), never done
 * behind its back. A process that holds the filesystem and does not answer
 * there makes the task wait for its end.
 *
 * @module
 */
import { type Filesystem, FsError, openFilesystem, type PoolOptions } from "../../../fs/mod.ts";
import type { Logger } from "../../../lib/log.ts";
import type { NodeRegistry } from "../../grid/registry.ts";
import { type DomainError, IdentityUnavailableError } from "../errors.ts";
import { identityExists, IdentityLockedError, unlockIdentity } from "../identity/mod.ts";
import type { IdentityAccess } from "../node_passwords.ts";
import { MOUNT_SOCKET_NAME, mountSocketPath } from "./mount_control.ts";

export interface PoolAccessDeps {
  identity: IdentityAccess;
  registry: NodeRegistry;
  logger?: Logger;
}

type ErrorClass = new (message: string, options?: ErrorOptions) => DomainError;

/** A task on the filesystem, and what to say when it cannot run or fails. */
export interface PoolTask<T> {
  /** For messages: "Cannot <action>: ...", e.g. "remove node ID". */
  action: string;
  /** Runs on the filesystem opened here; it is closed afterwards. */
  run(fs: Filesystem): Promise<T>;
  /** Asks the mount on `socketPath` to run it; undefined when no mount answers there. */
  askMount(socketPath: string): Promise<T | undefined>;
  /** Thrown when it cannot run now (the HTTP layer: 409). */
  Refused: ErrorClass;
  /** Thrown when it ran and failed (nodes did not answer; 502). */
  Failed: ErrorClass;
  /** The message when the filesystem cannot be opened (a wiped state, nodes that do not answer). */
  refusal(reason: string): string;
  /** The message when it ran and failed, here or in the mount (`viaMount`). */
  failure(reason: string, viaMount: boolean): string;
  /** What doing it needs while another process holds the filesystem, e.g. "unmount it ...". */
  busyAdvice: string;
}

/**
 * Runs `task` on the filesystem in `stateDir` over `pool`: here, or in the mount that holds it.
 * @throws the task's Refused or Failed error, with the reason
 */
export async function runOnPool<T>(
  deps: PoolAccessDeps,
  target: { stateDir: string; pool: PoolOptions },
  task: PoolTask<T>,
): Promise<T> {
  let fs: Filesystem;
  try {
    fs = await openFilesystem({
      stateDir: target.stateDir,
      pool: target.pool,
      lockWaitMs: 0,
      logger: deps.logger ?? quiet,
    });
  } catch (error) {
    if (error instanceof FsError && error.code === "EBUSY") {
      return await runThroughMount(deps.identity.home, task, error);
    }
    // A wiped state, nodes that do not answer: nothing was done, and the reason is the answer.
    throw new task.Refused(task.refusal(reasonOf(error)), { cause: error });
  }
  try {
    return await task.run(fs);
  } catch (error) {
    throw new task.Failed(task.failure(reasonOf(error), false), { cause: error });
  } finally {
    await fs.close();
  }
}

/** The filesystem is mounted: its mount does the task. */
async function runThroughMount<T>(home: string, task: PoolTask<T>, busy: FsError): Promise<T> {
  let done;
  try {
    done = await task.askMount(mountSocketPath(home));
  } catch (error) {
    throw new task.Failed(task.failure(reasonOf(error), true), { cause: error });
  }
  if (done === undefined) {
    throw new task.Refused(
      `Cannot ${task.action}: the filesystem on the nodes is in use (${busy.message}) by a ` +
        `process that does not answer on ${MOUNT_SOCKET_NAME}; ${task.busyAdvice}`,
    );
  }
  return done;
}

/** An error's message, lowercased to follow "Cannot <action>: ". */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Cannot /, "cannot ");
}

/** The keys of the home's identity, for opening its filesystem. */
export async function poolKeys(
  access: IdentityAccess,
  action: string,
  Refused: ErrorClass,
): Promise<PoolOptions["keys"]> {
  if (!(await identityExists(access.home))) {
    throw new Refused(`Cannot ${action}: the home has no identity to open its filesystem with`);
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
