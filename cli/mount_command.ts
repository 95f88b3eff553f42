/**
 * `qsfs mount DIR`: serves the filesystem at DIR in this process until Ctrl-C,
 * SIGTERM or `qsfs umount DIR`; and `qsfs umount DIR`.
 *
 * The storage engine is loaded on demand, so other subcommands do not load it.
 *
 * @module
 */
import { join } from "node:path";
import { booleanFlag, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import { type Command, type CommandContext, errorMessage } from "./command.ts";

const MOUNT_USAGE = `Usage: qsfs mount DIR [--state DIR] [--foreground] [--allow-other]

Mounts the qsfs filesystem at DIR (an existing directory) and serves it in
this process, in the foreground, with logs on stderr, until Ctrl-C (SIGINT),
SIGTERM or "qsfs umount DIR" elsewhere; then it unmounts, flushes and exits.
It prints "qsfs mounted DIR" once the mount is usable. A stale mount at DIR
(its server was killed) is cleaned up first.

For now every mount is served in the foreground: --foreground is accepted
and implied. Background mounts served by the daemon come later.

Flags:
  --state DIR      The filesystem's state directory (default: <home>/fs)
  --foreground     Serve in this process (the default, for now the only way)
  --allow-other    Let other users use the mount (needs root, or
                   user_allow_other in /etc/fuse.conf)
  -h, --help       Show this help
`;

const UMOUNT_USAGE = `Usage: qsfs umount DIR

Unmounts the qsfs mount at DIR. Its server then flushes, closes and exits.
A stale mount (its server was killed, "Transport endpoint is not connected")
is cleaned up.

Flags:
  -h, --help       Show this help
`;

export const mountCommand: Command = {
  name: "mount",
  summary: "Mount the filesystem at a directory (served in the foreground)",
  usage: MOUNT_USAGE,
  flags: {
    state: { type: "string" },
    foreground: { type: "boolean" },
    "allow-other": { type: "boolean" },
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
  const { deps, home } = context;
  const stateDir = stateFlag ?? (home === undefined ? undefined : join(home, "fs"));
  if (stateDir === undefined) {
    deps.stderr(
      "qsfs: Cannot mount: no state directory (give --state DIR, --home DIR or set QSFS_HOME)\n",
    );
    return 1;
  }
  const problem = await mountpointProblem(dir);
  if (problem !== undefined) {
    deps.stderr(`qsfs: Cannot mount on ${dir}: ${problem}\n`);
    return 1;
  }
  const engine = await import("../fs/mod.ts");
  const logger = deps.createLogger(context.logLevel, home);
  // Listen before mounting: a signal during the mount must unmount, not kill.
  const stop = deps.waitForStop();
  try {
    let mount;
    try {
      const fs = await engine.openFilesystem({ stateDir, logger: logger.child({ part: "fs" }) });
      mount = await engine.mountFilesystem(fs, dir, {
        allowOther: booleanFlag(parsed, "allow-other"),
        logger: logger.child({ part: "fuse" }),
      });
    } catch (error) {
      deps.stderr(`qsfs: ${cannot(`mount ${dir}`, error)}\n`);
      return 1;
    }
    deps.stdout(`qsfs mounted ${mount.mountpoint} (state ${stateDir})\n`);
    const outcome = await Promise.race([
      stop.signal.then((signal) => ({ signal, error: undefined })),
      mount.finished.then(
        () => ({ signal: undefined, error: undefined }),
        (error: unknown) => ({ signal: undefined, error: error ?? "unknown error" }),
      ),
    ]);
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
    stop.dispose();
    logger.close();
  }
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
