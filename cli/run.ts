/**
 * The CLI dispatcher: global flags, subcommand lookup, help, and the exit
 * codes every subcommand shares (0 done, 1 a failure it explained, 2 bad usage).
 *
 * @module
 */
import { isLogLevel, type LogLevel } from "../lib/log.ts";
import { booleanFlag, type FlagSpec, parseArgs, stringFlag, UsageError } from "./args.ts";
import { type CliDeps, type Command, errorMessage } from "./command.ts";
import { resolveHome } from "./home.ts";
import { identityCommand } from "./identity_command.ts";
import { initCommand } from "./init_command.ts";
import { mountCommand, umountCommand } from "./mount_command.ts";
import { nodesCommand } from "./nodes_command.ts";
import { recoverCommand } from "./recover_command.ts";
import { scrubCommand } from "./scrub_command.ts";
import { serveCommand } from "./serve_command.ts";
import { stopCommand } from "./stop_command.ts";
import { zdbCommand } from "./zdb_command.ts";

export const COMMANDS: readonly Command[] = [
  identityCommand,
  initCommand,
  mountCommand,
  nodesCommand,
  recoverCommand,
  scrubCommand,
  serveCommand,
  stopCommand,
  umountCommand,
  zdbCommand,
];

/** Global flags a subcommand also accepts after its name. */
const FLAGS_AFTER_COMMAND: FlagSpec = {
  help: { type: "boolean", short: "h" },
  home: { type: "string" },
  "log-level": { type: "string" },
};
const GLOBAL_FLAGS: FlagSpec = {
  ...FLAGS_AFTER_COMMAND,
  version: { type: "boolean", short: "V" },
};

/** The top-level help text. */
export function mainUsage(version: string): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length), "help".length);
  const list = [...COMMANDS, { name: "help", summary: "Show the help of a subcommand" }]
    .map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
    .join("\n");
  return `qsfs ${version}: quantum-safe storage on the ThreeFold grid and your own disks

Usage: qsfs [global flags] <subcommand> [flags]

Subcommands:
${list}

Global flags:
  --home DIR         State directory (default: $QSFS_HOME, else $XDG_DATA_HOME/qsfs,
                     else ~/.local/share/qsfs)
  --log-level LEVEL  debug, info, warn or error (default: info)
  -h, --help         Show this help
  -V, --version      Print the version

"qsfs help <subcommand>" or "qsfs <subcommand> --help" shows a subcommand's flags.
"qsfs serve" runs the daemon; "nodes", "mount", "recover" and "scrub" start it
in the background when none runs. Start with "qsfs init", "qsfs nodes create
--count 6 --size 1GiB" and "qsfs mount DIR"; "qsfs scrub" checks and repairs
the shards on the nodes.
The web UI (qsfs without a subcommand) is not built yet.
`;
}

/**
 * Runs the command line `args` (without the program name) and returns the
 * exit code. Output goes through deps.stdout / deps.stderr.
 */
export async function runCli(args: readonly string[], deps: CliDeps): Promise<number> {
  let command: Command | undefined;
  try {
    const global = parseArgs(args, GLOBAL_FLAGS, { stopAtPositional: true });
    if (booleanFlag(global, "version")) {
      deps.stdout(`qsfs ${deps.version}\n`);
      return 0;
    }
    const [name, ...commandArgs] = global.rest;
    if (name === undefined) {
      deps.stdout(mainUsage(deps.version));
      return 0;
    }
    if (name === "help") return help(commandArgs, deps);
    command = COMMANDS.find((candidate) => candidate.name === name);
    if (command === undefined) {
      throw new UsageError(`Cannot run subcommand "${name}": no such subcommand`);
    }
    const parsed = parseArgs(commandArgs, { ...FLAGS_AFTER_COMMAND, ...command.flags });
    if (booleanFlag(global, "help") || booleanFlag(parsed, "help")) {
      deps.stdout(command.usage);
      return 0;
    }
    const logLevel = parseLogLevel(
      stringFlag(parsed, "log-level") ?? stringFlag(global, "log-level"),
    );
    const home = resolveHome(stringFlag(parsed, "home") ?? stringFlag(global, "home"), deps.env);
    return await command.run(parsed, { deps, home, logLevel });
  } catch (error) {
    if (error instanceof UsageError) {
      deps.stderr(`qsfs: ${error.message}\n\n${command?.usage ?? mainUsage(deps.version)}`);
      return 2;
    }
    deps.stderr(`qsfs: ${errorMessage(error)}\n`);
    return 1;
  }
}

function help(args: string[], deps: CliDeps): number {
  if (args.length > 1) throw new UsageError("Cannot show help: give at most one subcommand");
  const name = args[0];
  if (name === undefined) {
    deps.stdout(mainUsage(deps.version));
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    throw new UsageError(`Cannot show help for "${name}": no such subcommand`);
  }
  deps.stdout(command.usage);
  return 0;
}

function parseLogLevel(text: string | undefined): LogLevel {
  if (text === undefined) return "info";
  if (isLogLevel(text)) return text;
  throw new UsageError(`Cannot parse --log-level "${text}": use debug, info, warn or error`);
}
