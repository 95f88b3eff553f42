/**
 * The daemon's settings: every field optional with its default, resolved once
 * by resolveServerConfig().
 *
 * @module
 */
import { join } from "node:path";
import type { LocalProviderConfig } from "./grid/local/local_provider.ts";
import type { GridNetwork, ZdbMode } from "./grid/tfgrid/grid_client_port.ts";
import { GRIDPROXY_URLS } from "./grid/tfgrid/gridproxy.ts";
import type { TfgridProviderConfig } from "./grid/tfgrid/tfgrid_provider.ts";
import { EVENTS_KEPT_DEFAULT } from "./services/events.ts";
import type { IdentityAccess } from "./services/node_passwords.ts";

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
  /** The tfgrid provider; without it `--provider tfgrid` is refused. */
  tfgrid?: TfgridSettings;
  /** Opens the home's identity when it is sealed with a passphrase (new nodes' passwords). */
  passphrase?: string;
}

export interface TfgridSettings {
  /** The 24 words whose twin deploys and pays. */
  mnemonic: string;
  /** @default "main" */
  network?: GridNetwork;
  /** @default GRIDPROXY_URLS[network] */
  gridproxyUrl?: string;
  /** The contracts' projectName, by which nodes are found again. @default "qsfs" */
  projectName?: string;
  /** @default 10 */
  deployTimeoutMinutes?: number;
  /** @default "user" */
  zdbMode?: ZdbMode;
  /** TCP connect timeout per zdb address. @default 5000 */
  endpointTimeoutMs?: number;
  /** How long connecting to the grid may take. @default 60000 */
  connectTimeoutMs?: number;
}

export interface ResolvedServerConfig {
  port: number;
  eventsKept: number;
  local: LocalProviderConfig;
  tfgrid?: TfgridProviderConfig;
  registryPath: string;
  /** Where the identity that derives new nodes' namespace passwords is. */
  identity: IdentityAccess;
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
    identity: config.passphrase === undefined ? { home } : { home, passphrase: config.passphrase },
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
    ...(config.tfgrid === undefined ? {} : { tfgrid: resolveTfgrid(config.tfgrid) }),
  };
}

function resolveTfgrid(settings: TfgridSettings): TfgridProviderConfig {
  const network = settings.network ?? "main";
  return {
    mnemonic: settings.mnemonic,
    network,
    gridproxyUrl: settings.gridproxyUrl ?? GRIDPROXY_URLS[network],
    projectName: settings.projectName ?? "qsfs",
    deployTimeoutMinutes: settings.deployTimeoutMinutes ?? 10,
    zdbMode: settings.zdbMode ?? "user",
    endpointTimeoutMs: settings.endpointTimeoutMs ?? 5_000,
    connectTimeoutMs: settings.connectTimeoutMs ?? 60_000,
  };
}
