/**
 * `qsfs serve`: runs the daemon in the foreground (the HTTP API on 127.0.0.1
 * and the local storage nodes) until Ctrl-C, SIGTERM or `qsfs stop`.
 *
 * @module
 */
import { type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import { type Command, type CommandContext, errorMessage } from "./command.ts";
import { daemonGridSettings, GRID_FLAGS, GRID_FLAGS_USAGE } from "./grid_flags.ts";
import { passphraseFrom } from "./identity_flags.ts";

const USAGE = `Usage: qsfs serve [--port N] [--mnemonic-file FILE] [--network NET]
                  [--passphrase-file FILE]

Runs the qsfs daemon in the foreground: the JSON API on 127.0.0.1 and the
local storage nodes it supervises. It writes <home>/daemon.json (0600: pid,
port, API token) for the CLI, and stops the nodes and removes the file on
Ctrl-C (SIGINT), SIGTERM or "qsfs stop". One daemon runs per home.

Other subcommands start it in the background when they need it.

With a grid account it also deploys storage nodes on the ThreeFold grid
(--provider tfgrid): the words of --mnemonic-file (or QSFS_MNEMONIC), else,
when --network is given, the words of this home's identity.
When the home has an identity (qsfs init or qsfs recover), new local nodes get
namespace passwords derived from it, so the words alone open them again; an
identity sealed with a passphrase needs it (--passphrase-file or
QSFS_PASSPHRASE).

Flags:
  --port N              TCP port on 127.0.0.1 (default: 0, a free port)
${GRID_FLAGS_USAGE}
  -h, --help            Show this help
`;

export const serveCommand: Command = {
  name: "serve",
  summary: "Run the daemon (API and storage nodes) in the foreground",
  usage: USAGE,
  flags: { port: { type: "string" }, ...GRID_FLAGS },
  run: runServe,
};

async function runServe(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Cannot run serve: unexpected argument "${parsed.positionals[0]}"`);
  }
  const port = parsePort(stringFlag(parsed, "port"));
  const { deps, home } = context;
  let tfgrid;
  let passphrase;
  try {
    passphrase = passphraseFrom(parsed, deps);
    tfgrid = await daemonGridSettings(parsed, deps, home, passphrase);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    deps.stderr(`qsfs: ${errorMessage(error)}\n`);
    return 1;
  }
  if (home === undefined) {
    deps.stderr(
      "qsfs: Cannot run the daemon: no home directory (give --home DIR or set QSFS_HOME)\n",
    );
    return 1;
  }
  const logger = deps.createLogger(context.logLevel, home);
  const stop = deps.waitForStop();
  try {
    let daemon;
    try {
      daemon = await deps.startDaemon({
        home,
        version: deps.version,
        selfCommand: deps.selfCommand,
        logger: logger.child({ part: "daemon" }),
        config: { port, ...(tfgrid === undefined ? {} : { tfgrid }), passphrase },
      });
    } catch (error) {
      const message = errorMessage(error);
      deps.stderr(
        `qsfs: ${message.startsWith("Cannot") ? message : `Cannot start the daemon: ${message}`}\n`,
      );
      return 1;
    }
    const { info } = daemon;
    deps.stdout(
      `qsfs daemon ${info.pid} listening on http://127.0.0.1:${info.port} (home ${home})\n`,
    );
    const signal = await Promise.race([stop.signal, daemon.stopRequested.then(() => undefined)]);
    logger.info("stopping the daemon", { reason: signal ?? "qsfs stop" });
    await daemon.stop();
    return 0;
  } finally {
    stop.dispose();
    logger.close();
  }
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new UsageError(`Cannot parse --port "${text}": give a port from 0 to 65535`);
  }
  return port;
}
