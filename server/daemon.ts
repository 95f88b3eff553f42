/**
 * The daemon: one per home. It takes the home's lock, serves the app on
 * 127.0.0.1, writes daemon.json (0600) for the CLI, and runs the storage
 * nodes. A second daemon on the same home is refused and told which one runs.
 *
 * The lock is an flock on `<home>/daemon.lock`, held for the daemon's life:
 * the kernel drops it when the process dies, even by kill -9, so a stale
 * daemon.json never blocks a new start.
 *
 * @module
 */
import { join } from "node:path";
import {
  type DaemonInfo,
  readDaemonInfo,
  removeDaemonInfo,
  writeDaemonInfo,
} from "../lib/daemon_file.ts";
import type { ContextLogger } from "../lib/log.ts";
import { resolveServerConfig, type ServerConfig } from "./config.ts";
import { randomSecret } from "./grid/secrets.ts";
import { createApp, type DaemonHealth } from "./mod.ts";
import {
  type ControlPlane,
  type ControlPlaneOptions,
  openControlPlane,
} from "./services/control_plane.ts";

export interface DaemonOptions {
  home: string;
  version: string;
  /** The command that runs qsfs (for node processes). */
  selfCommand: readonly string[];
  logger: ContextLogger;
  config?: ServerConfig;
  /** Tests: the grid client and routes of the tfgrid stand-ins (tfgrid/_test_world.ts). */
  controlPlane?: ControlPlaneOptions;
}

export interface Daemon {
  readonly info: DaemonInfo;
  /** Resolves when a client asked the daemon to stop (POST /api/stop). */
  readonly stopRequested: Promise<void>;
  /** Stops the nodes and the server, removes daemon.json and releases the home. */
  stop(): Promise<void>;
}

/** Another daemon holds the home. */
export class DaemonRunningError extends Error {
  constructor(home: string, info: DaemonInfo | undefined) {
    const which = info === undefined ? "another daemon" : `daemon ${info.pid} on port ${info.port}`;
    super(`Cannot start the daemon: ${which} already runs for ${home} (qsfs stop ends it)`);
    this.name = "DaemonRunningError";
  }
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { home, logger } = options;
  const config = resolveServerConfig(options.config ?? {}, home, options.selfCommand);
  Deno.mkdirSync(join(home, "logs"), { recursive: true, mode: 0o700 });
  const lock = takeLock(home);
  let control: ControlPlane | undefined;
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  let infoWritten = false;
  // Nodes first, then the API, then the file that tells clients where the API was.
  async function shutDown() {
    try {
      await control?.close();
    } finally {
      await server?.shutdown();
      if (infoWritten) removeDaemonInfo(home, Deno.pid);
      lock.close();
    }
  }
  try {
    control = openControlPlane(config, logger, options.controlPlane);
    const startedAt = new Date().toISOString();
    let state: DaemonHealth["state"] = "starting";
    let requestStop = () => {};
    const stopRequested = new Promise<void>((resolve) => requestStop = resolve);
    // The app needs the port, known only once the server listens: answer 503 until then.
    let handle = (_request: Request): Response | Promise<Response> =>
      new Response("starting", { status: 503 });
    server = Deno.serve(
      { hostname: "127.0.0.1", port: config.port, onListen: () => {} },
      (request) => handle(request),
    );
    const token = randomSecret(32);
    const info: DaemonInfo = { pid: Deno.pid, port: server.addr.port, token, startedAt };
    const app = createApp({
      nodes: control.nodes,
      pool: { scrub: control.scrubPool },
      events: control.events,
      logger: logger.child({ part: "http" }),
      port: info.port,
      token,
      health: () => ({ state, pid: Deno.pid, version: options.version, startedAt }),
      requestStop: () => {
        state = "stopping";
        requestStop();
      },
    });
    handle = (request) => app.fetch(request);
    writeDaemonInfo(home, info);
    infoWritten = true;
    logger.info("daemon listening", { port: info.port, home });
    await control.start();
    if (state === "starting") state = "ready";
    let stopping: Promise<void> | undefined;
    return {
      info,
      stopRequested,
      stop() {
        state = "stopping";
        stopping ??= shutDown().then(() => logger.info("daemon stopped"));
        return stopping;
      },
    };
  } catch (error) {
    await shutDown();
    throw error;
  }
}

function takeLock(home: string): Deno.FsFile {
  const lock = Deno.openSync(join(home, "daemon.lock"), { create: true, write: true, mode: 0o600 });
  if (lock.tryLockSync(true)) return lock;
  lock.close();
  throw new DaemonRunningError(home, readDaemonInfo(home));
}
