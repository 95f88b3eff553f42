/**
 * What every subcommand is given, and what it provides to the dispatcher.
 *
 * @module
 */
import type { ZdbServer, ZdbServerOptions } from "../fs/zdb/mod.ts";
import type { LogLevel, RootLogger } from "../lib/log.ts";
import type { Daemon, DaemonOptions } from "../server/daemon.ts";
import type { FlagSpec, ParsedArgs } from "./args.ts";
import type { HomeEnv } from "./home.ts";
import type { StopWaiter } from "./signals.ts";

/** The environment values the CLI cares about, read by main.ts. */
export interface CliEnv extends HomeEnv {
  /** QSFS_ZDB_ADMIN_PASSWORD: `qsfs zdb`'s admin password when --admin-password is not given. */
  zdbAdminPassword?: string;
  /** QSFS_MNEMONIC: the grid account's mnemonic when --mnemonic-file is not given. */
  mnemonic?: string;
  /** QSFS_PASSPHRASE: the identity's passphrase when --passphrase-file is not given. */
  passphrase?: string;
}

/**
 * Everything the CLI takes from the outside world. main.ts builds the real
 * one; tests pass fakes. The CLI never reads Deno.env or Deno.args itself.
 */
export interface CliDeps {
  /** The program version (deno.json "version"). */
  version: string;
  env: CliEnv;
  /**
   * The command that runs this program again, e.g. [deno, "run", "-A", "/path/main.ts"]:
   * for the background daemon and for local storage nodes.
   */
  selfCommand: readonly string[];
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a file that holds a secret (--mnemonic-file). */
  readSecretFile(path: string): string;
  /**
   * Reads secret text typed on stdin (`qsfs recover`): on a terminal one line,
   * after `prompt` on stderr; from a pipe everything up to end of file.
   */
  readStdin?(prompt: string): Promise<string>;
  /** Whether stdin is a terminal a person answers on (a question may be asked there). */
  isTerminal?(): boolean;
  /** A logger to stderr and, when there is a home, to a rotating file in it. */
  createLogger(level: LogLevel, home: string | undefined): RootLogger;
  /** Starts an embedded ZDB server (fs/zdb/mod.ts). */
  startZdbServer(options: ZdbServerOptions): Promise<ZdbServer>;
  /** Starts the daemon in this process (server/daemon.ts). */
  startDaemon(options: DaemonOptions): Promise<Daemon>;
  /** Starts listening for SIGINT / SIGTERM (see signals.ts). */
  waitForStop(): StopWaiter;
}

export interface CommandContext {
  deps: CliDeps;
  /** The state directory, or undefined when nothing names one. */
  home: string | undefined;
  logLevel: LogLevel;
}

export interface Command {
  name: string;
  /** One line for the subcommand list. */
  summary: string;
  /** The full help text, ending with a newline. */
  usage: string;
  /** The subcommand's own flags (the global ones are added by the dispatcher). */
  flags: FlagSpec;
  /** Returns the exit code: 0 done, 1 a failure it explained. Throws UsageError for 2. */
  run(parsed: ParsedArgs, context: CommandContext): Promise<number>;
}

/** The message of any thrown value, for one-line error reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
