/**
 * What `qsfs mount` and `qsfs recover` do before the engine runs over the
 * storage nodes: open the identity (its keys), make sure the daemon runs the
 * local nodes, read every node's address and password from the registry,
 * choose the geometry, and check that enough nodes answer.
 *
 * The mount process reads the registry file itself (0600, in the same home)
 * instead of asking the daemon: the API never hands out a password.
 *
 * @module
 */
import { join } from "node:path";
import type { PoolNodeAddress, PoolOptions } from "../fs/mod.ts";
import type { LogLevel } from "../lib/log.ts";
import { NodeRegistry } from "../server/grid/registry.ts";
import type { QsfsKeys } from "../server/services/identity/mod.ts";
import {
  chooseGeometry,
  describeUnanswered,
  formatGeometry,
  type Geometry,
  poolNodesOf,
  type UnansweredNode,
  unansweredNodes,
} from "../server/services/pool/mod.ts";
import { type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import type { CliDeps } from "./command.ts";
import { connectDaemon } from "./daemon_launch.ts";

export const POOL_FLAGS_USAGE =
  `  --data-shards K       With --parity-shards: cut chunks into K data shards (the first
                        mount or recovery of a home chooses; later ones keep it)
  --parity-shards M     ... and M parity shards: up to M nodes may be lost (default: a
                        fifth of the nodes, rounded up: 4+2 for 6 nodes, 16+4 from 20)
  --passphrase-file FILE
                        The identity's passphrase, when it is sealed with one (else
                        QSFS_PASSPHRASE)`;

/** The geometry named by --data-shards and --parity-shards, if any. @throws {UsageError} */
export function geometryFlags(parsed: ParsedArgs): Geometry | undefined {
  const data = stringFlag(parsed, "data-shards");
  const parity = stringFlag(parsed, "parity-shards");
  if (data === undefined && parity === undefined) return undefined;
  if (data === undefined || parity === undefined) {
    throw new UsageError("Cannot use --data-shards without --parity-shards: give both");
  }
  const dataShards = shardCount("--data-shards", data, 1);
  const parityShards = shardCount("--parity-shards", parity, 0);
  if (dataShards + parityShards > 255) {
    throw new UsageError("Cannot use more than 255 shards per chunk (data and parity)");
  }
  return { dataShards, parityShards };
}

function shardCount(flag: string, text: string, min: number): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) < min) {
    throw new UsageError(`Cannot parse ${flag} "${text}": give a whole number from ${min}`);
  }
  return Number(text);
}

export interface PoolSetup {
  home: string;
  keys: QsfsKeys;
  /** What is being done, for messages: "mount", "recover the filesystem". */
  action: string;
  requested: Geometry | undefined;
  remembered: Geometry | undefined;
  deps: CliDeps;
  logLevel: LogLevel;
  /** Handed to a daemon started here (the identity's passphrase file). */
  serveArgs: string[];
}

export interface ReadyPool {
  pool: PoolOptions;
  geometry: Geometry;
  /** Nodes that did not answer (at most m of them, else setup fails). */
  unanswered: UnansweredNode[];
}

/** The engine's pool for this home. @throws {Error} saying what is missing and what to do */
export async function setUpPool(setup: PoolSetup): Promise<ReadyPool> {
  const { home, action } = setup;
  const before = readNodes(home);
  if (before.length === 0) {
    throw new Error(
      `Cannot ${action}: this home (${home}) has no storage nodes; create them with ` +
        "qsfs nodes create --count 6 --size 1GiB" +
        (action === "mount" ? ", or mount with --local-only to keep the data on this machine" : ""),
    );
  }
  // The daemon runs the local nodes: started (or found) first, so they answer.
  await connectDaemon({
    home,
    selfCommand: setup.deps.selfCommand,
    logLevel: setup.logLevel,
    autostart: true,
    serveArgs: setup.serveArgs,
  });
  // Read again: a node may have moved to another port when the daemon started.
  const nodes = readNodes(home);
  const totalBytes = nodes.reduce((sum, node) => sum + node.sizeBytes, 0);
  const geometry = chooseGeometry(nodes.length, setup.requested, setup.remembered);
  const unanswered = await unansweredNodes(nodes);
  if (unanswered.length > geometry.parityShards) {
    throw new Error(
      `Cannot ${action}: ${unanswered.length} of ${nodes.length} storage nodes do not answer: ` +
        `${describeUnanswered(unanswered)}; a ${
          formatGeometry(geometry)
        } pool works with at most ` +
        `${geometry.parityShards} down (qsfs nodes list shows them, qsfs nodes start ID ` +
        "brings a stopped one back)",
    );
  }
  const { keys } = setup;
  return {
    pool: {
      nodes: nodes.map(({ sizeBytes: _, ...address }) => address),
      // What statfs shows: the nodes' space, less the parity that protects it.
      capacityBytes: Math.floor(
        totalBytes * geometry.dataShards / (geometry.dataShards + geometry.parityShards),
      ),
      dataShards: geometry.dataShards,
      parityShards: geometry.parityShards,
      keys: {
        dataKey: keys.dataKey,
        metadataKey: keys.metadataKey,
        superblockKey: keys.superblockKey,
        superblockName: keys.superblockName,
      },
    },
    geometry,
    unanswered,
  };
}

/** Every node of the home's registry with its address, password and size. Holds secrets. */
export function readNodes(home: string): (PoolNodeAddress & { sizeBytes: number })[] {
  const path = join(home, "registry.sqlite");
  try {
    Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const registry = NodeRegistry.open(path);
  try {
    const sizes = new Map(registry.list().map((record) => [record.id, record.sizeBytes]));
    return poolNodesOf(registry).map((node) => ({ ...node, sizeBytes: sizes.get(node.id)! }));
  } finally {
    registry.close();
  }
}

/** A warning line for nodes that do not answer (fewer than the pool can lose). */
export function unansweredWarning(ready: ReadyPool): string | undefined {
  if (ready.unanswered.length === 0) return undefined;
  return `warning: ${ready.unanswered.length} storage node(s) do not answer: ` +
    `${describeUnanswered(ready.unanswered)}; the ${formatGeometry(ready.geometry)} pool ` +
    `works with up to ${ready.geometry.parityShards} down, but has less redundancy until they are back`;
}
