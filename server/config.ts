/**
 * The daemon's settings: every field optional with its default, resolved once
 * by resolveServerConfig().
 *
 * @module
 */
import { join } from "node:path";
import type { LocalProviderConfig } from "./grid/local/local_provider.ts";
import { EVENTS_KEPT_DEFAULT } from "./services/events.ts";

export interface ServerConfig {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** First wait before restarting a crashed node, doubled per failed attempt. @default 500 */
  nodeRestartDelayMs?: number;
  /** @default 30000 */
  nodeRestartDelayMsMax?: number;
  /** Consecutive failed restarts before a node is left down as "failed". @default 8 */
  nodeRestartAttemptsMax?: number;
  /** A node up this long counts as healthy again (the backoff starts over). @default 60000 */
  nodeStableAfterMs?: number;
  /** How long a node may take to listen. @default 30000 */
  nodeStartTimeoutMs?: number;
  /** How long a node may take to stop after SIGTERM before SIGKILL. @default 10000 */
  nodeStopTimeoutMs?: number;
  /** Events kept in memory. @default 1000 */
  eventsKept?: number;
}

export interface ResolvedServerConfig {
  port: number;
  eventsKept: number;
  local: LocalProviderConfig;
  registryPath: string;
}

/** Fills in the defaults; `selfCommand` runs qsfs (for node processes). */
export function resolveServerConfig(
  config: ServerConfig,
  home: string,
  selfCommand: readonly string[],
): ResolvedServerConfig {
  const port = config.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot use port ${port}: give 0 to 65535`);
  }
  return {
    port,
    eventsKept: config.eventsKept ?? EVENTS_KEPT_DEFAULT,
    registryPath: join(home, "registry.sqlite"),
    local: {
      defaultLocation: join(home, "nodes"),
      selfCommand,
      restartDelayMs: config.nodeRestartDelayMs ?? 500,
      restartDelayMsMax: config.nodeRestartDelayMsMax ?? 30_000,
      restartAttemptsMax: config.nodeRestartAttemptsMax ?? 8,
      stableAfterMs: config.nodeStableAfterMs ?? 60_000,
      startTimeoutMs: config.nodeStartTimeoutMs ?? 30_000,
      stopTimeoutMs: config.nodeStopTimeoutMs ?? 10_000,
    },
  };
}
