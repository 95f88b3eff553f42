/**
 * `qsfs nodes`: storage nodes through the daemon's API (the daemon is started
 * in the background when none runs).
 *
 * @module
 */
import { resolve } from "node:path";
import { formatBytes } from "../lib/bytes.ts";
import { booleanFlag, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import type { CliDeps, Command, CommandContext } from "./command.ts";
import { ApiError, type DaemonClient, type NodeRequestBody } from "./daemon_client.ts";
import { connectHomeDaemon } from "./daemon_launch.ts";
import { GRID_FLAGS, gridServeArgs } from "./grid_flags.ts";
import { NODES_USAGE } from "./nodes_usage.ts";
import type { Quote } from "../server/grid/provider.ts";
import {
  describeNodes,
  formatCandidates,
  formatEvents,
  formatHealth,
  formatNode,
  formatNodes,
  formatQuote,
} from "./nodes_format.ts";
import { NotConfirmedError, withAcceptedQuote } from "./quote_confirm.ts";
import { parseSizeFlags, parseWholeNumber } from "./size_flags.ts";

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
  create: { flags: ["count", "size", "size-bytes", "location", "provider", "yes"], id: "none" },
  find: { flags: ["count", "size", "size-bytes", "location", "provider"], id: "none" },
  quote: { flags: ["count", "size", "size-bytes", "location", "provider"], id: "none" },
  show: { flags: [], id: "required" },
  resize: { flags: ["size", "size-bytes", "yes"], id: "required" },
  remove: { flags: ["force"], id: "required" },
  stop: { flags: [], id: "required" },
  start: { flags: [], id: "required" },
  health: { flags: [], id: "optional" },
  events: { flags: [], id: "none" },
};

export const nodesCommand: Command = {
  name: "nodes",
  summary: "List, create, resize, remove and check storage nodes",
  usage: NODES_USAGE,
  flags: {
    count: { type: "string" },
    size: { type: "string" },
    "size-bytes": { type: "string" },
    location: { type: "string", multiple: true },
    provider: { type: "string" },
    force: { type: "boolean" },
    yes: { type: "boolean" },
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
  const { deps } = context;
  const client = await connectHomeDaemon(context, serveArgs);
  const json = booleanFlag(parsed, "json");
  const print = (value: unknown, text: () => string) =>
    deps.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : text());
  const warn = (warnings: string[]) => {
    if (!json) { for (const warning of warnings) deps.stderr(`qsfs: warning: ${warning}\n`); }
  };
  try {
    await perform(action, { client, id, body, parsed, deps, print, warn });
  } catch (error) {
    if (error instanceof NotConfirmedError) {
      deps.stderr(`qsfs: ${error.message}\n`);
      return error.exitCode;
    }
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
  deps: CliDeps;
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
      const result = await withAcceptedQuote(
        (acceptQuote) => client.createNodes({ ...body, ...(acceptQuote ? { acceptQuote } : {}) }),
        confirmation(step, {
          describe: (quote) => `Deploy ${describeNodes(quote)}`,
          unchanged: "nothing was deployed",
        }),
      );
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
      const node = await withAcceptedQuote(
        (acceptQuote) => client.resizeNode(id!, body.sizeBytes!, acceptQuote),
        confirmation(step, {
          describe: (quote) => `Resize node ${id} to ${formatBytes(quote.sizeBytes)}`,
          unchanged: `node ${id} keeps its size`,
        }),
      );
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

function confirmation(
  step: Step,
  texts: { describe: (quote: Quote) => string; unchanged: string },
) {
  return { yes: booleanFlag(step.parsed, "yes"), deps: step.deps, ...texts };
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
