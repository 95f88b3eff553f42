/**
 * /api/health, /api/stop and /api/events: the daemon itself.
 *
 * @module
 */
import { Hono } from "hono";
import type { EventLog } from "../services/events.ts";
import { queryInteger } from "./_body.ts";

/** What GET /api/health reports. */
export interface DaemonHealth {
  /** "starting" while recorded nodes are being restored; the API answers 503 until "ready". */
  state: "starting" | "ready" | "stopping";
  pid: number;
  version: string;
  startedAt: string;
}

export interface SystemDeps {
  health(): DaemonHealth;
  /** Asks the daemon to stop; it stops after this response is sent. */
  requestStop(): void;
  events: EventLog;
}

export function systemRoutes(deps: SystemDeps) {
  return new Hono()
    .get("/health", (c) => {
      const health = deps.health();
      return c.json(health, health.state === "ready" ? 200 : 503);
    })
    .post("/stop", (c) => {
      deps.requestStop();
      return c.json({ stopping: true }, 202);
    })
    .get("/events", (c) =>
      c.json({
        events: deps.events.list({
          afterId: queryInteger(c, "after"),
          nodeId: c.req.query("node"),
          limit: queryInteger(c, "limit"),
        }),
      }));
}
