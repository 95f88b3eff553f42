/**
 * `qsfs mount DIR`: serves the filesystem at DIR in this process until Ctrl-C,
 * SIGTERM or `qsfs umount DIR`; and `qsfs umount DIR`.
 *
 * The storage engine is loaded on demand, so other subcommands do not load it.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  formatGeometry,
  type Geometry,
  type PoolSettings,
  writePoolSettings,
} from "../server/services/pool/mod.ts";
import { booleanFlag, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import { startPoolServices } from "./mount_control.ts";
import { type Command, type CommandContext, errorMessage } from "./command.ts";
import { passphraseFrom } from "./identity_flags.ts";
import { parseSize } from "./size_flags.ts";
import {
  geometryFlags,
  POOL_FLAGS_USAGE,
  type ReadyPool,
  setUpPool,
  unansweredWarning,
} from "./pool_setup.ts";
import { identityKeys, localMountState, poolMountState } from "./pool_state.ts";

const MOUNT_USAGE = `Usage: qsfs mount DIR [--state DIR] [--local-only] [--cache-size SIZE]
                  [--data-shards K --parity-shards M] [--foreground] [--allow-other]

Mounts the qsfs filesystem at DIR (an existing directory) and serves it in
this process, in the foreground, with logs on stderr, until Ctrl-C (SIGINT),
SIGTERM or "qsfs umount DIR" elsewhere; then it unmounts, flushes and exits.
It prints "qsfs mounted DIR" once the mount is usable. A stale mount at DIR
(its server was killed) is cleaned up first.

File data and metadata are kept on this home's storage nodes: compressed,
encrypted with keys from the identity, and erasure-coded (any K of the K + M
shards of a chunk rebuild it, so M nodes may be lost). The state directory is
a cache. This needs an identity (qsfs init or qsfs recover) and storage nodes
(qsfs nodes create --count 6 --size 1GiB); the daemon, which runs the local
nodes, is started in the background when none runs. --local-only keeps
everything on this machine instead, as a plain local filesystem.

While mounted, "qsfs nodes remove ID" asks this process (on <home>/mount.sock)
to move the node's shards to the other nodes, and the mount stops using it.

For now every mount is served in the foreground: --foreground is accepted
and implied. Background mounts served by the daemon come later.

Flags:
  --state DIR           The filesystem's state directory (default: <home>/fs, or
                        where the home's pool filesystem was recovered to)
  --local-only          Keep data and metadata on this machine only, no storage nodes
  --cache-size SIZE     The most the local chunk cache may hold, e.g. 2GiB (default:
                        4GiB over the nodes, where chunks already on the nodes are
                        evicted as needed; 16GiB with --local-only), at least 8MiB
${POOL_FLAGS_USAGE}
  --foreground          Serve in this process (the default, for now the only way)
  --allow-other         Let other users use the mount, as the permission bits
                        allow (the default when run as root; otherwise needs
                        user_allow_other in /etc/fuse.conf)
  -h, --help            Show this help
`;

/** Two chunks: the cache must hold the chunk being written and the one being uploaded. */
const CACHE_BYTES_MIN = 8 * 1024 * 1024;

const UMOUNT_USAGE = `Usage: qsfs umount DIR

Unmounts the qsfs mount at DIR. Its server then flushes, closes and exits.
A stale mount (its server was killed, "Transport endpoint is not connected")
is cleaned up.

Flags:
  -h, --help       Show this help
`;

export const mountCommand: Command = {
  name: "mount",
  summary: "Mount the filesystem (kept on the storage nodes) at a directory",
  usage: MOUNT_USAGE,
  flags: {
    state: { type: "string" },
    foreground: { type: "boolean" },
    "allow-other": { type: "boolean" },
    "local-only": { type: "boolean" },
    "cache-size": { type: "string" },
    "data-shards": { type: "string" },
    "parity-shards": { type: "string" },
    "passphrase-file": { type: "string" },
  },
  run: runMount,
};

export const umountCommand: Command = {
  name: "umount",
  summary: "Unmount a qsfs mount (also a stale one)",
  usage: UMOUNT_USAGE,
  flags: {},
  run: runUmount,
};

function mountpointArg(parsed: ParsedArgs, command: string): string {
  const [dir, extra] = parsed.positionals;
  if (dir === undefined || dir === "") {
    throw new UsageError(`Cannot run ${command}: give the mountpoint DIR`);
  }
  if (extra !== undefined) {
    throw new UsageError(`Cannot run ${command}: unexpected argument "${extra}"`);
  }
  return dir;
}

async function runMount(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  const dir = mountpointArg(parsed, "mount");
  const stateFlag = stringFlag(parsed, "state");
  if (stateFlag === "") throw new UsageError("Cannot use --state: the path is empty");
  const localOnly = booleanFlag(parsed, "local-only");
  const requested = geometryFlags(parsed);
  if (localOnly && requested !== undefined) {
    throw new UsageError("Cannot use --data-shards and --parity-shards with --local-only");
  }
  const cacheSize = stringFlag(parsed, "cache-size");
  const cacheBytesMax = cacheSize === undefined ? undefined : parseSize(cacheSize, "--cache-size");
  if (cacheBytesMax !== undefined && cacheBytesMax < CACHE_BYTES_MIN) {
    throw new UsageError(
      `Cannot use --cache-size ${cacheSize}: give at least 8MiB (two chunks of 4 MiB)`,
    );
  }
  const { deps } = context;
  const problem = await mountpointProblem(dir);
  if (problem !== undefined) {
    deps.stderr(`qsfs: Cannot mount on ${dir}: ${problem}\n`);
    return 1;
  }
  let plan: MountPlan;
  try {
    plan = localOnly
      ? { stateDir: await localMountState(context.home, stateFlag) }
      : await planPoolMount(parsed, context, requested);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    deps.stderr(`qsfs: ${cannot(`mount ${dir}`, error)}\n`);
    return 1;
  }
  return await serveMount(dir, { ...plan, cacheBytesMax }, parsed, context);
}

/** What a mount opens: a state directory, and the pool when data goes to the nodes. */
interface MountPlan {
  stateDir: string;
  ready?: ReadyPool;
  /** The home's pool.json is written once the pool's filesystem opened, if it has none. */
  remember?: { home: string; settings: PoolSettings };
  cacheBytesMax?: number;
}

async function planPoolMount(
  parsed: ParsedArgs,
  context: CommandContext,
  requested: Geometry | undefined,
): Promise<MountPlan> {
  const { deps, home } = context;
  if (home === undefined) {
    throw new Error("no home directory (give --home DIR or set QSFS_HOME)");
  }
  const localOnlyHint = ", or mount with --local-only to keep the data on this machine only";
  const keys = await identityKeys(home, passphraseFrom(parsed, deps), "mount", localOnlyHint);
  const { stateDir, settings } = await poolMountState(home, stringFlag(parsed, "state"));
  const passphraseFile = stringFlag(parsed, "passphrase-file");
  const ready = await setUpPool({
    home,
    keys,
    action: "mount",
    requested,
    remembered: settings,
    deps,
    logLevel: context.logLevel,
    serveArgs: passphraseFile === undefined ? [] : ["--passphrase-file", resolve(passphraseFile)],
  });
  const warning = unansweredWarning(ready);
  if (warning !== undefined) deps.stderr(`qsfs: ${warning}\n`);
  return {
    stateDir,
    ready,
    remember: settings === undefined
      ? { home, settings: { ...ready.geometry, stateDir } }
      : undefined,
  };
}

async function serveMount(
  dir: string,
  plan: MountPlan,
  parsed: ParsedArgs,
  context: CommandContext,
): Promise<number> {
  const { deps, home } = context;
  const engine = await import("../fs/mod.ts");
  const logger = deps.createLogger(context.logLevel, home);
  // Listen before mounting: a signal during the mount must unmount, not kill.
  const stop = deps.waitForStop();
  // Stopped before the unmount: a node's move must not outlive the filesystem it runs on.
  let stopPoolServices = () => Promise.resolve();
  try {
    let mount;
    try {
      const fs = await engine.openFilesystem({
        stateDir: plan.stateDir,
        logger: logger.child({ part: "fs" }),
        ...(plan.cacheBytesMax === undefined ? {} : { cacheBytesMax: plan.cacheBytesMax }),
        ...(plan.ready === undefined ? {} : { pool: plan.ready.pool }),
      });
      if (plan.remember !== undefined) {
        await writePoolSettings(plan.remember.home, plan.remember.settings);
      }
      mount = await engine.mountFilesystem(fs, dir, {
        // Absent: the engine's default (other users in when we are root).
        ...(booleanFlag(parsed, "allow-other") ? { allowOther: true } : {}),
        logger: logger.child({ part: "fuse" }),
      });
      if (fs.pool !== undefined && home !== undefined) {
        stopPoolServices = await startPoolServices(
          home,
          fs,
          fs.pool,
          logger.child({ part: "pool" }),
        );
      }
    } catch (error) {
      deps.stderr(`qsfs: ${cannot(`mount ${dir}`, error)}\n`);
      return 1;
    }
    deps.stdout(`qsfs mounted ${mount.mountpoint} (${describePlan(plan)})\n`);
    const outcome = await Promise.race([
      stop.signal.then((signal) => ({ signal, error: undefined })),
      mount.finished.then(
        () => ({ signal: undefined, error: undefined }),
        (error: unknown) => ({ signal: undefined, error: error ?? "unknown error" }),
      ),
    ]);
    await stopPoolServices();
    if (outcome.signal !== undefined) {
      logger.info("unmounting", { signal: outcome.signal, mountpoint: mount.mountpoint });
      try {
        await mount.unmount();
      } catch (error) {
        deps.stderr(`qsfs: ${cannot(`unmount ${mount.mountpoint}`, error)}\n`);
        return 1;
      }
    } else if (outcome.error !== undefined) {
      deps.stderr(`qsfs: ${cannot(`serve ${mount.mountpoint}`, outcome.error)}\n`);
      return 1;
    }
    logger.info("unmounted", { mountpoint: mount.mountpoint });
    return 0;
  } finally {
    await stopPoolServices();
    stop.dispose();
    logger.close();
  }
}

function describePlan(plan: MountPlan): string {
  if (plan.ready === undefined) return `state ${plan.stateDir}, data on this machine only`;
  const { pool, geometry } = plan.ready;
  return `state ${plan.stateDir}, data on ${pool.nodes.length} storage nodes, ` +
    formatGeometry(geometry);
}

/**
 * Why `dir` cannot be a mountpoint, checked before any state is created; a
 * stale mount (ENOTCONN) passes, the mount cleans it up.
 */
async function mountpointProblem(dir: string): Promise<string | undefined> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) return "not a directory";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "no such directory";
  }
  return undefined;
}

async function runUmount(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  const dir = mountpointArg(parsed, "umount");
  const { deps } = context;
  const engine = await import("../fs/mod.ts");
  let outcome;
  try {
    outcome = await engine.unmountFilesystem(dir);
  } catch (error) {
    deps.stderr(`qsfs: ${cannot(`unmount ${dir}`, error)}\n`);
    return 1;
  }
  if (outcome === "not_mounted") {
    deps.stderr(`qsfs: Cannot unmount ${dir}: no FUSE filesystem is mounted there\n`);
    return 1;
  }
  deps.stdout(
    outcome === "stale_cleaned"
      ? `qsfs cleaned up the stale mount at ${dir} (its server had stopped)\n`
      : `qsfs unmounted ${dir}\n`,
  );
  return 0;
}

/** "Cannot <action>: <reason>", unless the message already says what could not be done. */
function cannot(action: string, error: unknown): string {
  const message = errorMessage(error);
  return message.startsWith("Cannot") ? message : `Cannot ${action}: ${message}`;
}
