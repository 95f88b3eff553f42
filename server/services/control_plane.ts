/**
 * The daemon's state and services, without HTTP: the registry, the event
 * log, the providers and the node service, opened and closed together.
 *
 * @module
 */
import type { ContextLogger } from "../../lib/log.ts";
import type { ResolvedServerConfig } from "../config.ts";
import { LocalProvider } from "../grid/local/local_provider.ts";
import { NodeRegistry } from "../grid/registry.ts";
import { EventLog } from "./events.ts";
import { NodeService } from "./node_service.ts";

export interface ControlPlane {
  registry: NodeRegistry;
  events: EventLog;
  local: LocalProvider;
  nodes: NodeService;
  /** Starts the recorded nodes. */
  start(): Promise<void>;
  /** Stops every node and closes the registry. */
  close(): Promise<void>;
}

export function openControlPlane(
  config: ResolvedServerConfig,
  logger: ContextLogger,
): ControlPlane {
  const registry = NodeRegistry.open(config.registryPath);
  const events = new EventLog({ capacity: config.eventsKept });
  const eventLogger = logger.child({ part: "nodes" });
  const local = new LocalProvider(config.local, {
    registry,
    logger: eventLogger,
    onEvent: (input) => {
      const event = events.record(input);
      const level = event.type === "node_failed" || event.type === "node_exited" ? "warn" : "info";
      eventLogger[level](event.message, { event: event.type, node: event.nodeId });
    },
  });
  const nodes = new NodeService({ providers: { local } });
  let closed = false;
  return {
    registry,
    events,
    local,
    nodes,
    start: () => local.start(),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await local.close();
      } finally {
        registry.close();
      }
    },
  };
}
