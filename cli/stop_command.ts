/**
 * `qsfs stop`: asks the home's daemon to stop through its API and waits until
 * its process has exited.
 *
 * @module
 */
import { isProcessAlive } from "../lib/daemon_file.ts";
import { type ParsedArgs, UsageError } from "./args.ts";
import { type Command, type CommandContext, errorMessage } from "./command.ts";
import { DaemonClient } from "./daemon_client.ts";
import { runningDaemon } from "./daemon_launch.ts";

/** Stopping many nodes (each flushes) on a busy machine can take a while. */
const STOP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 50;

const USAGE = `Usage: qsfs stop

Stops the daemon of the home cleanly: it stops its storage nodes, removes
daemon.json and exits. Waits until it has exited. Does nothing when no daemon
runs.

Flags:
  -h, --help   Show this help
`;

export const stopCommand: Command = {
  name: "stop",
  summary: "Stop the daemon of the home",
  usage: USAGE,
  flags: {},
  run: runStop,
};

async function runStop(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Cannot run stop: unexpected argument "${parsed.positionals[0]}"`);
  }
  const { deps, home } = context;
  const info = home === undefined ? undefined : runningDaemon(home);
  if (home === undefined || info === undefined) {
    deps.stdout(`qsfs: no daemon runs for ${home ?? "this home"}\n`);
    return 0;
  }
  try {
    await new DaemonClient(info).stop();
  } catch (error) {
    // The API is gone but the process is not: SIGTERM asks for the same clean stop.
    deps.stderr(
      `qsfs: the daemon did not take the request (${errorMessage(error)}); sending SIGTERM\n`,
    );
    try {
      Deno.kill(info.pid, "SIGTERM");
    } catch {
      // It exited in between.
    }
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isProcessAlive(info.pid)) {
    if (Date.now() > deadline) {
      deps.stderr(
        `qsfs: Cannot stop daemon ${info.pid}: it did not exit within ${
          STOP_TIMEOUT_MS / 1000
        } s\n`,
      );
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  deps.stdout(`qsfs: daemon ${info.pid} stopped\n`);
  return 0;
}
