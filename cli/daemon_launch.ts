/**
 * Finding the daemon of a home, and starting it in the background when none
 * runs: a detached `qsfs --home H serve` whose output goes to
 * `<home>/logs/daemon.out`, waited for until daemon.json names a live
 * process whose GET /api/health says "ready".
 *
 * @module
 */
import { join } from "node:path";
import { type DaemonInfo, isProcessAlive, readDaemonInfo } from "../lib/daemon_file.ts";
import type { LogLevel } from "../lib/log.ts";
import { ApiError, DaemonClient } from "./daemon_client.ts";
import type { CommandContext } from "./command.ts";

/** A cold start of the daemon and its nodes on a busy machine can take a while. */
export const DAEMON_START_TIMEOUT_MS = 90_000;
const POLL_INTERVAL_MS = 50;
const LOG_TAIL_LINES = 5;

export interface LaunchOptions {
  home: string;
  selfCommand: readonly string[];
  logLevel: LogLevel;
  /** Start a daemon when none runs. */
  autostart: boolean;
  /** Flags for the daemon's `serve` when it is started (e.g. --mnemonic-file FILE). */
  serveArgs?: readonly string[];
  timeoutMs?: number;
}

/** The daemon's output when started in the background. */
export function daemonOutputPath(home: string): string {
  return join(home, "logs", "daemon.out");
}

/** The recorded daemon when its process is alive. */
export function runningDaemon(home: string): DaemonInfo | undefined {
  const info = readDaemonInfo(home);
  return info !== undefined && isProcessAlive(info.pid) ? info : undefined;
}

/**
 * The daemon of a command's home, started when needed, for the commands that work through it
 * (`nodes`, `scrub`). `serveArgs`: what a daemon started here is given (grid flags).
 * @throws {Error} when no home is named, or the daemon cannot be reached
 */
export function connectHomeDaemon(
  context: CommandContext,
  serveArgs: string[],
): Promise<DaemonClient> {
  if (context.home === undefined) {
    throw new Error(
      "Cannot reach the daemon: no home directory (give --home DIR or set QSFS_HOME)",
    );
  }
  return connectDaemon({
    home: context.home,
    selfCommand: context.deps.selfCommand,
    logLevel: context.logLevel,
    autostart: true,
    serveArgs,
  });
}

/**
 * A client of the home's daemon, started first when allowed and needed.
 * @throws {Error} with the reason (and the end of the daemon's output) when it cannot
 */
export async function connectDaemon(options: LaunchOptions): Promise<DaemonClient> {
  const deadline = Date.now() + (options.timeoutMs ?? DAEMON_START_TIMEOUT_MS);
  let child: { pid: number } | undefined;
  for (;;) {
    // Checked every round: a daemon that was stopping when we came may be gone now.
    const info = runningDaemon(options.home);
    if (info !== undefined) {
      const client = new DaemonClient(info);
      if (await isReady(client)) return client;
    } else if (child === undefined) {
      if (!options.autostart) {
        throw new Error(
          `Cannot reach the daemon: none runs for ${options.home} (qsfs serve starts one)`,
        );
      }
      child = spawnDaemon(options);
    } else if (!isProcessAlive(child.pid)) {
      throw new Error(`Cannot start the daemon: it exited${outputTail(options.home)}`);
    }
    if (Date.now() > deadline) {
      const which = info === undefined ? "" : ` (pid ${info.pid}, port ${info.port})`;
      throw new Error(
        `Cannot reach the daemon${which}: it is not ready in time${outputTail(options.home)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

async function isReady(client: DaemonClient): Promise<boolean> {
  try {
    return (await client.health()).state === "ready";
  } catch (error) {
    if (error instanceof ApiError) return false;
    throw error;
  }
}

function spawnDaemon(options: LaunchOptions): { pid: number } {
  Deno.mkdirSync(join(options.home, "logs"), { recursive: true, mode: 0o700 });
  // Created here so it is 0600 from the start: the shell would create it 0644.
  Deno.openSync(daemonOutputPath(options.home), { create: true, append: true, mode: 0o600 })
    .close();
  // sh execs the daemon with its output appended to the log file: Deno.Command
  // cannot hand a file to a child as its stdout.
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'exec "$@" >>"$0" 2>&1 </dev/null',
      daemonOutputPath(options.home),
      ...options.selfCommand,
      "--home",
      options.home,
      "--log-level",
      options.logLevel,
      "serve",
      ...(options.serveArgs ?? []),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return { pid: child.pid };
}

function outputTail(home: string): string {
  try {
    const lines = Deno.readTextFileSync(daemonOutputPath(home)).trimEnd().split("\n");
    return `; the end of ${daemonOutputPath(home)}:\n${lines.slice(-LOG_TAIL_LINES).join("\n")}`;
  } catch {
    return "";
  }
}
