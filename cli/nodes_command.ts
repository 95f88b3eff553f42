/**
 * `qsfs nodes`: storage nodes through the daemon's API (the daemon is started
 * in the background when none runs).
 *
 * @module
 */
import { resolve } from "node:path";
import { formatBytes } from "../lib/bytes.ts";
import { booleanFlag, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import type { Command, CommandContext } from "./command.ts";
import { ApiError, type DaemonClient, type NodeRequestBody } from "./daemon_client.ts";
import { connectDaemon } from "./daemon_launch.ts";
import { GRID_FLAGS, GRID_FLAGS_USAGE, gridServeArgs } from "./grid_flags.ts";
import {
  formatCandidates,
  formatEvents,
  formatHealth,
  formatNode,
  formatNodes,
  formatQuote,
} from "./nodes_format.ts";

const USAGE = `Usage: qsfs nodes <action> [flags]

Storage nodes: where file data lives. "local" nodes are storage servers this
machine runs (free); each keeps its data in its own directory. "tfgrid" nodes
are 0-db namespaces on ThreeFold grid nodes, paid for by the twin of the
daemon's mnemonic; --location then picks grid nodes: random (the default),
country:NAME, city:NAME, farm:ID[,ID...] or node:ID[,ID...].

Actions:
  list                          List the nodes
  create --count N --size SIZE  Create N nodes of SIZE each (all or none)
         [--location DIR]...    ... spread over these directories (default: <home>/nodes)
  find [--count N] [--size SIZE] [--location DIR]...
                                Show where nodes could go, and whether they share a disk
  quote --count N --size SIZE   What N nodes of SIZE cost per month
  show ID                       One node in detail
  resize ID --size SIZE         Change a node's size (never below what it holds)
  remove ID [--force]           Stop a node and delete its data. A node of the pool
                                first has its shards moved to the other nodes (the
                                filesystem must not be mounted meanwhile; refused
                                when fewer than k + m nodes would be left); another
                                node holding data is refused unless --force
  stop ID                       Take a local node down (its server stops; it is not
                                restarted until "nodes start ID" or the next daemon start)
  start ID                      Bring a stopped or failed local node up again
  health [ID]                   Reachability, latency and space (every node without ID)
  events                        What happened to the nodes since the daemon started

Flags:
  --count N           How many nodes
  --size SIZE         Size of each node: bytes, or with a unit (500MB, 10GiB, 1TB)
  --size-bytes N      Size of each node in bytes
  --location DIR      A directory for nodes; repeat it to spread nodes over disks
                      (tfgrid: a grid location, see above)
  --provider NAME     local (the default) or tfgrid
  --force             remove: delete the node at once, without moving its shards
                      (the pool loses that redundancy until a repair)
                      (tfgrid: cancel its contract even though it holds data)
  --json              Print the API's JSON instead of tables
  -h, --help          Show this help

For a daemon this command starts (when none runs):
${GRID_FLAGS_USAGE}
`;

type Action =
  | "list"
  | "create"
  | "find"
  | "quote"
  | "show"
  | "resize"
  | "remove"
  | "stop"
  | "start"
  | "health"
  | "events";

/** Each action's flags (besides --json) and whether it takes a node id. */
const ACTIONS: Record<Action, { flags: string[]; id: "none" | "required" | "optional" }> = {
  list: { flags: [], id: "none" },
  create: { flags: ["count", "size", "size-bytes", "location", "provider"], id: "none" },
  find: { flags: ["count", "size", "size-bytes", "location", "provider"], id: "none" },
  quote: { flags: ["count", "size", "size-bytes", "location", "provider"], id: "none" },
  show: { flags: [], id: "required" },
  resize: { flags: ["size", "size-bytes"], id: "required" },
  remove: { flags: ["force"], id: "required" },
  stop: { flags: [], id: "required" },
  start: { flags: [], id: "required" },
  health: { flags: [], id: "optional" },
  events: { flags: [], id: "none" },
};

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

export const nodesCommand: Command = {
  name: "nodes",
  summary: "List, create, resize, remove and check storage nodes",
  usage: USAGE,
  flags: {
    count: { type: "string" },
    size: { type: "string" },
    "size-bytes": { type: "string" },
    location: { type: "string", multiple: true },
    provider: { type: "string" },
    force: { type: "boolean" },
    json: { type: "boolean" },
    ...GRID_FLAGS,
  },
  run: runNodes,
};

async function runNodes(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  const [actionName, id, extra] = parsed.positionals;
  if (actionName === undefined) throw new UsageError("Cannot run nodes: give an action, e.g. list");
  if (!Object.hasOwn(ACTIONS, actionName)) {
    throw new UsageError(`Cannot run nodes ${actionName}: no such action`);
  }
  const action = actionName as Action;
  checkArguments(action, parsed, id, extra);
  const body = requestBody(action, parsed);
  const serveArgs = gridServeArgs(parsed);
  const { deps, home } = context;
  if (home === undefined) {
    deps.stderr(
      "qsfs: Cannot reach the daemon: no home directory (give --home DIR or set QSFS_HOME)\n",
    );
    return 1;
  }
  const client = await connectDaemon({
    home,
    selfCommand: deps.selfCommand,
    logLevel: context.logLevel,
    autostart: true,
    serveArgs,
  });
  const json = booleanFlag(parsed, "json");
  const print = (value: unknown, text: () => string) =>
    deps.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text());
  const warn = (warnings: string[]) => {
    if (!json) { for (const warning of warnings) deps.stderr(`qsfs: warning: ${warning}\n`); }
  };
  try {
    await perform(action, { client, id, body, parsed, print, warn });
  } catch (error) {
    // The daemon judged the input bad: bad usage, without the whole usage text.
    if (!(error instanceof ApiError && error.status === 400)) throw error;
    deps.stderr(`qsfs: ${error.message}\n`);
    return 2;
  }
  return 0;
}

interface Step {
  client: DaemonClient;
  id: string | undefined;
  body: NodeRequestBody;
  parsed: ParsedArgs;
  print(value: unknown, text: () => string): void;
  warn(warnings: string[]): void;
}

async function perform(action: Action, step: Step): Promise<void> {
  const { client, id, body, print } = step;
  switch (action) {
    case "list": {
      const { nodes } = await client.listNodes();
      return print({ nodes }, () => formatNodes(nodes));
    }
    case "create": {
      const result = await client.createNodes(body);
      step.warn(result.warnings);
      return print(
        result,
        () => `Created ${result.nodes.length} node(s):\n${formatNodes(result.nodes)}`,
      );
    }
    case "find": {
      const result = await client.findNodes(body);
      step.warn(result.warnings);
      return print(result, () => formatCandidates(result));
    }
    case "quote": {
      const quote = await client.quote(body);
      return print(quote, () => formatQuote(quote));
    }
    case "show": {
      const node = await client.getNode(id!);
      return print(node, () => formatNode(node));
    }
    case "resize": {
      const node = await client.resizeNode(id!, body.sizeBytes!);
      return print(
        node,
        () =>
          `Node ${node.id} resized to ${formatBytes(node.sizeBytes)} (${node.sizeBytes} bytes)\n`,
      );
    }
    case "remove": {
      // The daemon moves a pool node's shards to the other nodes first.
      const result = await client.removeNode(id!, booleanFlag(step.parsed, "force"));
      const moved = result.chunksMoved;
      return print(
        result,
        () =>
          moved === undefined
            ? `Node ${result.removed} removed, with its data\n`
            : `Node ${result.removed} removed; first the shards of ${moved} chunk(s) ` +
              "moved to the other nodes\n",
      );
    }
    case "stop": {
      const node = await client.stopNode(id!);
      return print(node, () => `Node ${node.id} ${node.status}\n`);
    }
    case "start": {
      const node = await client.startNode(id!);
      return print(node, () => `Node ${node.id} ${node.status} on ${node.endpoint}\n`);
    }
    case "health": {
      const ids = id !== undefined ? [id] : (await client.listNodes()).nodes.map((node) => node.id);
      const checks = await Promise.all(ids.map((nodeId) => client.nodeHealth(nodeId)));
      return print(id !== undefined ? checks[0] : { nodes: checks }, () => formatHealth(checks));
    }
    case "events": {
      const { events } = await client.events();
      return print({ events }, () => formatEvents(events));
    }
  }
}

function checkArguments(
  action: Action,
  parsed: ParsedArgs,
  id: string | undefined,
  extra: string | undefined,
) {
  const spec = ACTIONS[action];
  if (extra !== undefined || (id !== undefined && spec.id === "none")) {
    throw new UsageError(`Cannot run nodes ${action}: unexpected argument "${extra ?? id}"`);
  }
  if (id === undefined && spec.id === "required") {
    throw new UsageError(`Cannot run nodes ${action}: give the node id`);
  }
  for (const flag of Object.keys(parsed.flags)) {
    const always = [
      "json",
      "help",
      "home",
      "log-level",
      "mnemonic-file",
      "network",
      "passphrase-file",
    ];
    if (always.includes(flag) || spec.flags.includes(flag)) continue;
    throw new UsageError(`Cannot use --${flag} with nodes ${action}`);
  }
}

function requestBody(action: Action, parsed: ParsedArgs): NodeRequestBody {
  const body: NodeRequestBody = {};
  const count = stringFlag(parsed, "count");
  if (count !== undefined) body.count = parseWholeNumber("--count", count);
  const sizeBytes = parseSizeFlags(parsed);
  if (sizeBytes !== undefined) body.sizeBytes = sizeBytes;
  const provider = stringFlag(parsed, "provider");
  if (provider !== undefined) body.provider = provider;
  const locations = parsed.flags.location;
  if (Array.isArray(locations)) {
    // Local locations are directories, made absolute here; tfgrid ones are grid filters.
    body.locations = provider === "tfgrid" ? locations : locations.map((path) => resolve(path));
  }
  if ((action === "create" || action === "quote") && body.count === undefined) {
    throw new UsageError(`Cannot run nodes ${action}: --count N is required`);
  }
  if (
    (action === "create" || action === "quote" || action === "resize") && sizeBytes === undefined
  ) {
    throw new UsageError(`Cannot run nodes ${action}: --size SIZE (or --size-bytes N) is required`);
  }
  return body;
}

function parseSizeFlags(parsed: ParsedArgs): number | undefined {
  const size = stringFlag(parsed, "size");
  const sizeBytes = stringFlag(parsed, "size-bytes");
  if (size !== undefined && sizeBytes !== undefined) {
    throw new UsageError("Cannot use --size with --size-bytes: give one of them");
  }
  if (sizeBytes !== undefined) return parseWholeNumber("--size-bytes", sizeBytes);
  return size === undefined ? undefined : parseSize(size);
}

/**
 * Parses "1000000", "500MB" (decimal units) or "10GiB" (binary units).
 *
 * @example
 * ```ts
 * parseSize("1.5GiB"); // 1610612736
 * ```
 */
export function parseSize(text: string, flag = "--size"): number {
  const match = /^(\d+(?:\.\d+)?) ?([a-zA-Z]*)$/.exec(text.trim());
  const factor = match === null ? undefined : match[2] === "" ? 1 : UNITS[match[2]!.toLowerCase()];
  if (match === null || factor === undefined) {
    throw new UsageError(
      `Cannot parse ${flag} "${text}": give bytes, or a number with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB`,
    );
  }
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`Cannot parse ${flag} "${text}": too large`);
  }
  return bytes;
}

function parseWholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(`Cannot parse ${flag} "${text}": give a whole number`);
  }
  return value;
}
