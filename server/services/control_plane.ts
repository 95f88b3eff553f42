/**
 * The daemon's state and services, without HTTP: the registry, the event
 * log, the providers and the node service, opened and closed together.
 *
 * @module
 */
import type { ContextLogger } from "../../lib/log.ts";
import type { NodeEventInput } from "../grid/provider.ts";
import type { ResolvedServerConfig } from "../config.ts";
import { LocalProvider } from "../grid/local/local_provider.ts";
import { NodeRegistry } from "../grid/registry.ts";
import type { Route } from "../grid/tfgrid/endpoints.ts";
import { createGridClientAdapter } from "../grid/tfgrid/grid_client_adapter.ts";
import type { GridClientPort } from "../grid/tfgrid/grid_client_port.ts";
import { TfgridProvider } from "../grid/tfgrid/tfgrid_provider.ts";
import { EventLog } from "./events.ts";
import { NodeService } from "./node_service.ts";
import { identityNamespacePasswords } from "./node_passwords.ts";
import type { ScrubSummary } from "../../fs/mod.ts";
import { evacuatePoolNode } from "./pool/evacuate.ts";
import { scrubPool } from "./pool/scrub.ts";

export interface ControlPlane {
  registry: NodeRegistry;
  events: EventLog;
  local: LocalProvider;
  /** Present when the daemon was given a mnemonic. */
  tfgrid: TfgridProvider | undefined;
  nodes: NodeService;
  /** Scrubs the home's pool: here, or by the mount that serves it. */
  scrubPool(): Promise<ScrubSummary>;
  /** Starts the recorded nodes. */
  start(): Promise<void>;
  /** Stops every node and closes the registry. */
  close(): Promise<void>;
}

/** What tests replace: the grid client, how grid addresses are reached, fetch (gridproxy). */
export interface ControlPlaneOptions {
  /** @default the @threefold/grid_client adapter */
  gridClient?: GridClientPort;
  route?: Route;
  fetch?: typeof fetch;
}

export function openControlPlane(
  config: ResolvedServerConfig,
  logger: ContextLogger,
  options: ControlPlaneOptions = {},
): ControlPlane {
  const registry = NodeRegistry.open(config.registryPath);
  const events = new EventLog({ capacity: config.eventsKept });
  const eventLogger = logger.child({ part: "nodes" });
  const onEvent = (input: NodeEventInput) => {
    const event = events.record(input);
    const level = event.type === "node_failed" || event.type === "node_exited" ? "warn" : "info";
    eventLogger[level](event.message, { event: event.type, node: event.nodeId });
  };
  const local = new LocalProvider(config.local, {
    registry,
    logger: eventLogger,
    onEvent,
    namespacePasswords: () => identityNamespacePasswords(config.identity),
  });
  const tfgrid = config.tfgrid === undefined ? undefined : new TfgridProvider(config.tfgrid, {
    registry,
    logger: eventLogger,
    onEvent,
    gridClient: options.gridClient ?? createGridClientAdapter(),
    route: options.route,
    fetch: options.fetch,
  });
  const poolAccess = {
    identity: config.identity,
    registry,
    logger: logger.child({ part: "pool" }),
  };
  const nodes = new NodeService({
    providers: tfgrid === undefined ? { local } : { local, tfgrid },
    evacuate: (nodeId) => evacuatePoolNode(poolAccess, nodeId),
  });
  let closed = false;
  return {
    registry,
    events,
    local,
    tfgrid,
    nodes,
    scrubPool: () => scrubPool(poolAccess),
    start: () => local.start(),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await Promise.all([local.close(), tfgrid?.close()]);
      } finally {
        registry.close();
      }
    },
  };
}
