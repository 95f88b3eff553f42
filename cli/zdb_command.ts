/**
 * `qsfs zdb`: runs one embedded, 0-db compatible storage node in the
 * foreground until SIGINT or SIGTERM.
 *
 * @module
 */
import type { ZdbServer, ZdbServerOptions } from "../fs/zdb/mod.ts";
import { type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import { type Command, type CommandContext, errorMessage } from "./command.ts";

/** The --listen address used when neither --listen nor --unix-socket is given. */
export const ZDB_LISTEN_DEFAULT = "127.0.0.1:9900";

const MODES = ["user", "seq", "mix"] as const;
const SYNCS = ["always", "interval"] as const;

const USAGE = `Usage: qsfs zdb [--listen HOST:PORT | --unix-socket PATH] --data DIR [flags]

Runs a 0-db compatible storage node (a ZDB server) in the foreground. It prints
"zdb listening on HOST:PORT" once it accepts connections, and stops cleanly on
Ctrl-C (SIGINT) or SIGTERM.

Flags:
  --listen HOST:PORT       TCP address to listen on; port 0 picks a free one
                           (default: ${ZDB_LISTEN_DEFAULT}; IPv6 as [::1]:9900)
  --unix-socket PATH       Listen on a unix socket instead of TCP
  --data DIR               Directory of the node's data (required)
  --mode user|seq|mix      Namespace mode: user keys, sequential ids, or
                           per-namespace (NSSET mode) (default: mix)
  --admin-password P       Password for admin commands (NSNEW, NSSET, ...);
                           without it every client is admin, as in 0-db
                           (default: $QSFS_ZDB_ADMIN_PASSWORD, which other
                           users cannot read, unlike the command line)
  --sync always|interval   fsync after every write, or on a timer (default: always)
  --sync-interval-ms N     Timer for --sync interval, in ms (default: 1000)
  --log-level LEVEL        debug, info, warn or error (default: info); logs go to stderr
  -h, --help               Show this help
`;

export const zdbCommand: Command = {
  name: "zdb",
  summary: "Run a 0-db compatible storage node (ZDB server) in the foreground",
  usage: USAGE,
  flags: {
    listen: { type: "string" },
    "unix-socket": { type: "string" },
    data: { type: "string" },
    mode: { type: "string" },
    "admin-password": { type: "string" },
    sync: { type: "string" },
    "sync-interval-ms": { type: "string" },
  },
  run: runZdb,
};

/** The server options the flags describe, without the logger. @throws {UsageError} */
export function zdbOptionsFromArgs(parsed: ParsedArgs): Omit<ZdbServerOptions, "logger"> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Cannot run zdb: unexpected argument "${parsed.positionals[0]}"`);
  }
  const dataDir = stringFlag(parsed, "data");
  if (dataDir === undefined) throw new UsageError("Cannot run zdb: --data DIR is required");
  if (dataDir === "") throw new UsageError("Cannot run zdb: --data must not be empty");
  const options: Omit<ZdbServerOptions, "logger"> = { listen: listenFromArgs(parsed), dataDir };
  const mode = stringFlag(parsed, "mode");
  if (mode !== undefined) options.mode = oneOf("--mode", mode, MODES);
  const adminPassword = stringFlag(parsed, "admin-password");
  if (adminPassword === "") throw new UsageError("Cannot use --admin-password: it is empty");
  if (adminPassword !== undefined) options.adminPassword = adminPassword;
  const sync = stringFlag(parsed, "sync");
  if (sync !== undefined) options.sync = oneOf("--sync", sync, SYNCS);
  const intervalText = stringFlag(parsed, "sync-interval-ms");
  if (intervalText !== undefined) {
    if (options.sync !== "interval") {
      throw new UsageError("Cannot use --sync-interval-ms: it needs --sync interval");
    }
    options.syncIntervalMs = parsePositiveInteger("--sync-interval-ms", intervalText);
  }
  return options;
}

/**
 * Parses "HOST:PORT" ("[v6]:PORT" for IPv6). @throws {UsageError}
 *
 * @example
 * ```ts
 * parseListenAddress("127.0.0.1:0"); // { hostname: "127.0.0.1", port: 0 }
 * ```
 */
export function parseListenAddress(text: string): { hostname: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]\s]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new UsageError(
      `Cannot parse --listen "${text}": give HOST:PORT with a port 0-65535, e.g. ${ZDB_LISTEN_DEFAULT}`,
    );
  }
  return { hostname: match[1] ?? match[2]!, port };
}

/** How a server's address is shown: "127.0.0.1:9900", "[::1]:9900" or "unix:/path". */
export function formatServerAddress(server: ZdbServer): string {
  if (server.path !== undefined) return `unix:${server.path}`;
  const hostname = server.hostname ?? "";
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.port}`;
}

async function runZdb(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  const options = zdbOptionsFromArgs(parsed);
  const { deps } = context;
  if (options.adminPassword === undefined && deps.env.zdbAdminPassword) {
    options.adminPassword = deps.env.zdbAdminPassword;
  }
  const logger = deps.createLogger(context.logLevel, context.home);
  // Listen for signals before announcing the address: whoever reads the line may
  // send SIGTERM at once, and it must close the server, not kill the process.
  const stop = deps.waitForStop();
  try {
    let server: ZdbServer;
    try {
      server = await deps.startZdbServer({ ...options, logger: logger.child({ part: "zdb" }) });
    } catch (error) {
      deps.stderr(`qsfs: Cannot start zdb: ${errorMessage(error)}\n`);
      return 1;
    }
    deps.stdout(`zdb listening on ${formatServerAddress(server)}\n`);
    const outcome = await Promise.race([
      stop.signal.then((signal) => ({ signal, error: undefined })),
      server.finished.then(
        () => ({ signal: undefined, error: undefined }),
        (error: unknown) => ({ signal: undefined, error: error ?? "unknown error" }),
      ),
    ]);
    if (outcome.signal !== undefined) logger.info("stopping zdb", { signal: outcome.signal });
    try {
      await server.close();
    } catch (error) {
      deps.stderr(`qsfs: Cannot stop zdb cleanly: ${errorMessage(error)}\n`);
      return 1;
    }
    if (outcome.error !== undefined) {
      deps.stderr(`qsfs: zdb stopped: ${errorMessage(outcome.error)}\n`);
      return 1;
    }
    logger.info("zdb stopped");
    return 0;
  } finally {
    stop.dispose();
    logger.close();
  }
}

function listenFromArgs(parsed: ParsedArgs): ZdbServerOptions["listen"] {
  const listen = stringFlag(parsed, "listen");
  const path = stringFlag(parsed, "unix-socket");
  if (listen !== undefined && path !== undefined) {
    throw new UsageError("Cannot use --listen with --unix-socket: give one of them");
  }
  if (path === "") throw new UsageError("Cannot use --unix-socket: the path is empty");
  if (path !== undefined) return { path };
  return parseListenAddress(listen ?? ZDB_LISTEN_DEFAULT);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`Cannot parse ${flag} "${value}": use ${allowed.join(", ")}`);
}

function parsePositiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`Cannot parse ${flag} "${text}": give a whole number above 0`);
  }
  return value;
}
