/**
 * The control plane's HTTP app: createApp(deps) builds it from its parts and
 * never serves it (server/daemon.ts does, with Deno.serve). One sub-app per
 * resource, mounted under /api; one error handler for all of them.
 *
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "../lib/log.ts";
import { errorHandler, notFoundHandler } from "./http/errors.ts";
import { bearerToken, localOrigin } from "./http/middleware/local_security.ts";
import { nodesRoutes } from "./http/nodes.ts";
import { type PoolDeps, poolRoutes } from "./http/pool.ts";
import { type SystemDeps, systemRoutes } from "./http/system.ts";
import { DomainError } from "./services/errors.ts";
import type { NodeService } from "./services/node_service.ts";

/** Request bodies larger than this are refused (the API takes small JSON objects). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDeps extends SystemDeps {
  nodes: NodeService;
  pool: PoolDeps;
  logger: Logger;
  /** The port the server listens on: Host and Origin must name it. */
  port: number;
  /** The per-start API token. */
  token: string;
}

export function createApp(deps: AppDeps) {
  const api = new Hono()
    .use(bearerToken(deps.token))
    .use(bodyLimit({
      maxSize: BODY_LIMIT_BYTES,
      onError: () => {
        throw new DomainError(
          "invalid_input",
          "body_too_large",
          `Cannot read the request body: it is larger than ${BODY_LIMIT_BYTES} bytes`,
        );
      },
    }))
    .route("/", systemRoutes(deps))
    .route("/nodes", nodesRoutes(deps.nodes))
    .route("/pool", poolRoutes(deps.pool));
  const app = new Hono()
    .use(localOrigin(deps.port))
    .route("/api", api);
  app.onError(errorHandler(deps.logger));
  app.notFound(notFoundHandler);
  return app;
}

/** The app's type, for a typed client (ui/ imports it as a type only). */
export type ApiType = ReturnType<typeof createApp>;

export type { DaemonHealth } from "./http/system.ts";
export { STATUS_OF_KIND } from "./http/errors.ts";
