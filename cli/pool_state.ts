/**
 * Which state directory caches a home's filesystem, and the rules that keep
 * one from being opened the wrong way: the pool's filesystem never opened as
 * a local-only one (or the reverse), never two state directories for one
 * pool, never a recovery over an existing filesystem. Each refusal says what
 * to do instead; nothing is ever deleted.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { QsfsKeys } from "../server/services/identity/mod.ts";
import { type PoolSettings, readPoolSettings } from "../server/services/pool/mod.ts";

/** The engine's metadata store: a state directory holding it holds a filesystem. */
const META_FILE = "meta.sqlite";

export function holdsFilesystem(stateDir: string): boolean {
  try {
    Deno.statSync(join(stateDir, META_FILE));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

export interface StateChoice {
  stateDir: string;
  /** The home's pool.json, when it has one. */
  settings: PoolSettings | undefined;
}

/** The state directory of a mount over the pool. @throws {Error} when the rules refuse it */
export async function poolMountState(
  home: string,
  stateFlag: string | undefined,
): Promise<StateChoice> {
  const settings = await readPoolSettings(home);
  const stateDir = resolve(stateFlag ?? settings?.stateDir ?? join(home, "fs"));
  if (settings !== undefined && resolve(settings.stateDir) !== stateDir) {
    throw new Error(
      `Cannot mount ${stateDir}: this home's filesystem on the storage nodes is cached in ` +
        `${settings.stateDir} (pool.json); leave out --state, or bring the filesystem into ` +
        `${stateDir} with qsfs recover --filesystem-only --state ${stateDir}`,
    );
  }
  const exists = holdsFilesystem(stateDir);
  if (settings !== undefined && !exists) {
    throw new Error(
      `Cannot mount: ${stateDir} no longer holds the filesystem (it was removed or wiped); ` +
        "its data and metadata are on the storage nodes: bring it back with " +
        "qsfs recover --filesystem-only",
    );
  }
  if (settings === undefined && exists) {
    throw new Error(
      `Cannot mount over the storage nodes: ${stateDir} holds a filesystem kept on this ` +
        "machine only (made by a mount without storage nodes); mount it with --local-only, " +
        "or give an empty --state DIR for a new filesystem on the nodes",
    );
  }
  return { stateDir, settings };
}

/** The state directory of a --local-only mount. @throws {Error} when it is the pool's */
export async function localMountState(
  home: string | undefined,
  stateFlag: string | undefined,
): Promise<string> {
  if (home === undefined) {
    if (stateFlag === undefined) {
      throw new Error(
        "Cannot mount: no state directory (give --state DIR, --home DIR or set QSFS_HOME)",
      );
    }
    return resolve(stateFlag);
  }
  const stateDir = resolve(stateFlag ?? join(home, "fs"));
  const settings = await readPoolSettings(home);
  if (settings !== undefined && resolve(settings.stateDir) === stateDir) {
    throw new Error(
      `Cannot mount --local-only: ${stateDir} caches the filesystem kept on the storage nodes ` +
        "(pool.json); mount without --local-only, or give another --state DIR",
    );
  }
  return stateDir;
}

/** The state directory a recovery writes into. @throws {Error} when it holds a filesystem */
export async function recoveryState(
  home: string,
  stateFlag: string | undefined,
): Promise<StateChoice> {
  const settings = await readPoolSettings(home);
  const stateDir = resolve(stateFlag ?? settings?.stateDir ?? join(home, "fs"));
  if (holdsFilesystem(stateDir)) {
    throw new Error(
      `Cannot recover the filesystem into ${stateDir}: it already holds one (${META_FILE}); ` +
        "nothing was changed. Mount it (qsfs mount DIR), or recover into an empty directory " +
        "with --state DIR",
    );
  }
  return { stateDir, settings };
}

/**
 * The keys of the home's identity. @throws {Error} "run qsfs init or qsfs recover"
 * without one; the identity's own message when it is sealed and the passphrase is missing
 */
export async function identityKeys(
  home: string,
  passphrase: string | undefined,
  action: string,
  hint = "",
): Promise<QsfsKeys> {
  // Not identity/mod.ts: the account libraries it loads would stay in the mount's memory.
  const { identityExists } = await import("../server/services/identity/secret_store.ts");
  const { unlockQsfsKeys } = await import("../server/services/identity/qsfs_unlock.ts");
  const { IdentityLockedError } = await import("../server/services/identity/errors.ts");
  if (!(await identityExists(home))) {
    throw new Error(
      `Cannot ${action}: this home (${home}) has no identity; run qsfs init (new words) ` +
        `or qsfs recover (your words)${hint}`,
    );
  }
  try {
    return await unlockQsfsKeys(home, { passphrase });
  } catch (error) {
    if (!(error instanceof IdentityLockedError)) throw error;
    throw new Error(`Cannot ${action}: ${error.message.replace(/^Cannot /, "cannot ")}`);
  }
}
