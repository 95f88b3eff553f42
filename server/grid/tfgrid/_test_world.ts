/**
 * For tests: a control plane whose tfgrid provider talks to stand-ins only,
 * all on 127.0.0.1: the gridproxy stand-in, a FakeGridClient at the grid
 * client boundary, and one embedded ZDB server playing every grid node's 0-db
 * (each zdb "deployed" gets its namespace there, as zos would create it).
 * Grid addresses are routed to loopback: the reachable ones to that server,
 * the others to a closed port.
 *
 * @module
 */
import { join } from "node:path";
import { startZdbServer, type ZdbServer } from "../../../fs/zdb/mod.ts";
import { nullLogger } from "../../../lib/log.ts";
import { SELF_COMMAND } from "../../_testing.ts";
import { resolveServerConfig, type ServerConfig } from "../../config.ts";
import { type ControlPlane, openControlPlane } from "../../services/control_plane.ts";
import { createApp } from "../../mod.ts";
import { createNamespace, setNamespaceMaxsize } from "../zdb_ops.ts";
import {
  fixtureNodes,
  type GridproxyStandIn,
  startGridproxyStandIn,
} from "./_gridproxy_stand_in.ts";
import { FakeGridClient, MYCELIUM_IP, PUBLIC_IP, YGGDRASIL_IP } from "./_fake_grid_client.ts";

export { MYCELIUM_IP, PUBLIC_IP, YGGDRASIL_IP };
import type { Route } from "./endpoints.ts";

/** BIP-39's public test vector: no account anywhere holds anything with it. */
export const TEST_MNEMONIC = `${"abandon ".repeat(23)}art`;
const ADMIN_PASSWORD = "stand-in-admin";

export interface TestWorld {
  home: string;
  gridproxy: GridproxyStandIn;
  grid: FakeGridClient;
  zdb: ZdbServer;
  /** The addresses the route sends to the stand-in 0-db. */
  reachable: Set<string>;
  route: Route;
  /** A daemon's config whose tfgrid provider uses the stand-ins (with `route` and `grid`). */
  config: ServerConfig;
  open(home?: string): ControlPlane;
  close(): Promise<void>;
}

/** Six grid nodes (ids 1-6; farms 1 for 1-3, 2 for 4-6) unless `nodes` says otherwise. */
export async function openTestWorld(
  nodes = fixtureNodes(6, (nodeId) => nodeId <= 3 ? 1 : 2),
): Promise<TestWorld> {
  const home = await Deno.makeTempDir({ prefix: "qsfs_tfgrid_test_" });
  const gridproxy = startGridproxyStandIn(nodes);
  const zdb = await startZdbServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    dataDir: join(home, "stand-in-zdb"),
    adminPassword: ADMIN_PASSWORD,
  });
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = closed.addr.port;
  closed.close();
  const reachable = new Set([YGGDRASIL_IP]);
  const route: Route = (address) => ({
    hostname: "127.0.0.1",
    port: reachable.has(address.hostname) ? zdb.port! : closedPort,
  });
  const grid = new FakeGridClient();
  // Each node lists its addresses in another order: the reachable one is at no fixed index.
  grid.ipsOf = (nodeId) => {
    const ips = [PUBLIC_IP, YGGDRASIL_IP, MYCELIUM_IP];
    return [...ips.slice(nodeId % 3), ...ips.slice(0, nodeId % 3)];
  };
  const namespaces = new Set<string>();
  const address = { hostname: "127.0.0.1", port: zdb.port! };
  grid.onZdb = async (info) => {
    if (namespaces.has(info.resData.Namespace)) {
      await setNamespaceMaxsize(address, ADMIN_PASSWORD, info.resData.Namespace, info.sizeBytes);
      return;
    }
    namespaces.add(info.resData.Namespace);
    await createNamespace(address, ADMIN_PASSWORD, {
      name: info.resData.Namespace,
      password: info.password,
      maxsizeBytes: info.sizeBytes,
    });
  };
  const opened: ControlPlane[] = [];
  const config: ServerConfig = {
    tfgrid: {
      mnemonic: TEST_MNEMONIC,
      network: "test",
      gridproxyUrl: gridproxy.url,
      endpointTimeoutMs: 2_000,
    },
  };
  return {
    home,
    gridproxy,
    grid,
    zdb,
    reachable,
    route,
    config,
    open(otherHome = home) {
      const resolved = resolveServerConfig(config, otherHome, SELF_COMMAND);
      const control = openControlPlane(resolved, nullLogger, { gridClient: grid, route });
      opened.push(control);
      return control;
    },
    async close() {
      for (const control of opened) await control.close();
      await gridproxy.close();
      await zdb.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}

/**
 * The daemon's HTTP app over `control`, with token "t", answered in-process (app.request);
 * `port` is the one the app believes it serves (its Host check).
 */
export function controlPlaneApp(control: ControlPlane, port: number) {
  return createApp({
    nodes: control.nodes,
    pool: { scrub: control.scrubPool },
    events: control.events,
    logger: nullLogger,
    port,
    token: "t",
    health: () => ({ state: "ready", pid: 1, version: "0.0.0", startedAt: "then" }),
    requestStop: () => {},
  });
}
