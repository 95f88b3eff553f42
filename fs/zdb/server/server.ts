/**
 * The embedded ZDB server: 0-db's commands and replies over TCP or a unix
 * socket, stored in our own append-only segment logs (fs/zdb/FORMAT.md).
 */
import { nullLogger } from "../../../lib/log.ts";
import type { Logger } from "../../../lib/log.ts";
import type { ServerContext } from "./commands/context.ts";
import { serveConnection } from "./connection.ts";
import { GroupCommit, type SyncPolicy } from "./group_commit.ts";
import { NamespaceStore, type ServerMode } from "./namespace_store.ts";

export interface ZdbServerOptions {
  /** Where to listen; port 0 picks a free port. */
  listen: { hostname: string; port: number } | { path: string };
  dataDir: string;
  /** "mix" is 0-db without --mode: each namespace chooses. @default "mix" */
  mode?: ServerMode;
  /** Without it every client is admin, as in 0-db. */
  adminPassword?: string;
  /** "always": a write is acknowledged only once it is on disk. @default "always" */
  sync?: SyncPolicy;
  /** Flush period under sync "interval". @default 1000 */
  syncIntervalMs?: number;
  /** A new segment file starts past this size. @default 256 MiB */
  segmentMaxBytes?: number;
  logger?: Logger;
}

export interface ZdbServer {
  readonly hostname: string | undefined;
  readonly port: number | undefined;
  readonly path: string | undefined;
  /** Stops listening, closes clients, flushes and closes the files. */
  close(): Promise<void>;
  /** Settles when the server has stopped. */
  readonly finished: Promise<void>;
}

export function startZdbServer(options: ZdbServerOptions): Promise<ZdbServer> {
  const logger = options.logger ?? nullLogger;
  const store = NamespaceStore.open({
    dataDir: options.dataDir,
    serverMode: options.mode ?? "mix",
    segmentMaxBytes: options.segmentMaxBytes,
    logger,
  });
  const context: ServerContext = {
    store,
    adminPassword: options.adminPassword,
    stats: {
      clientsLifetime: 0,
      commandsExecuted: 0,
      commandsFailed: 0,
      commandsUnauthorized: 0,
      networkRxBytes: 0,
      networkTxBytes: 0,
      dataDiskReadBytes: 0,
      dataDiskWriteBytes: 0,
    },
    bootTimeSec: Math.floor(Date.now() / 1000),
    instanceId: crypto.getRandomValues(new Uint32Array(1))[0]!,
    logger,
  };
  const groupCommit = new GroupCommit(
    options.sync ?? "always",
    options.syncIntervalMs ?? 1000,
    () => store.names().map((name) => store.get(name)!.log),
  );
  let listener: Deno.Listener;
  try {
    listener = "path" in options.listen
      ? Deno.listen({ transport: "unix", path: options.listen.path })
      : Deno.listen({ hostname: options.listen.hostname, port: options.listen.port });
  } catch (error) {
    store.close();
    return Promise.reject(error);
  }
  return Promise.resolve(runServer(context, groupCommit, listener, options));
}

function runServer(
  context: ServerContext,
  groupCommit: GroupCommit,
  listener: Deno.Listener,
  options: ZdbServerOptions,
): ZdbServer {
  const connections = new Set<Deno.Conn>();
  const served = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      if (conn.remoteAddr.transport === "tcp") (conn as Deno.TcpConn).setNoDelay(true);
      connections.add(conn);
      const serving = serveConnection(context, groupCommit, conn).finally(() => {
        connections.delete(conn);
        served.delete(serving);
      });
      served.add(serving);
    }
  })().catch(() => {});
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      listener.close();
      await accepting;
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // The client closed it meanwhile.
        }
      }
      await Promise.allSettled([...served]);
      await groupCommit.close();
      context.store.close();
      if ("path" in options.listen) await Deno.remove(options.listen.path).catch(() => {});
    })();
    return closing;
  };
  const address = listener.addr;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  return {
    hostname: address.transport === "tcp" ? address.hostname : undefined,
    port: address.transport === "tcp" ? address.port : undefined,
    path: address.transport === "unix" ? address.path : undefined,
    close: () => close().then(resolveFinished),
    finished,
  };
}
