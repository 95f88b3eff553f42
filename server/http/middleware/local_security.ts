/**
 * Local security (DESIGN decision 9). The server binds 127.0.0.1 only; on top
 * of that:
 * - Host must name this server (127.0.0.1:PORT or localhost:PORT), which
 *   defeats DNS rebinding: a page on evil.example resolving to 127.0.0.1
 *   still sends "Host: evil.example".
 * - Origin, when a browser sends one, must be this server, so other sites'
 *   pages cannot drive the API.
 * - Every /api request carries the per-start token as a bearer token.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { DomainError } from "../../services/errors.ts";

export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super("unauthorized", "unauthorized", message);
    this.name = "UnauthorizedError";
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string) {
    super("forbidden", code, message);
    this.name = "ForbiddenError";
  }
}

/** Accepts requests whose Host (and Origin, when present) is this server on `port`. */
export function localOrigin(port: number): MiddlewareHandler {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = new Set([...hosts].map((host) => `http://${host}`));
  return async function localOrigin(c, next) {
    const host = c.req.header("host");
    if (host === undefined || !hosts.has(host.toLowerCase())) {
      throw new ForbiddenError(
        "bad_host",
        `Cannot serve host "${host ?? ""}": use 127.0.0.1:${port} or localhost:${port}`,
      );
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !origins.has(origin.toLowerCase())) {
      throw new ForbiddenError(
        "bad_origin",
        `Cannot serve origin "${origin}": only pages of this server may call it`,
      );
    }
    await next();
  };
}

/** Requires `Authorization: Bearer <token>`. */
export function bearerToken(token: string): MiddlewareHandler {
  const expected = new TextEncoder().encode(token);
  return async function bearerToken(c, next) {
    const header = c.req.header("authorization");
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (match === null) {
      throw new UnauthorizedError(
        "Cannot serve the API without a token: send Authorization: Bearer <token> (daemon.json in the qsfs home has it)",
      );
    }
    if (!equalInConstantTime(new TextEncoder().encode(match[1]!), expected)) {
      throw new UnauthorizedError(
        "Cannot serve the API: the token is wrong (the daemon restarted?)",
      );
    }
    await next();
  };
}

/** Compares without stopping at the first difference, so timing does not leak the token. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < b.length; index++) difference |= (a[index] ?? 0) ^ b[index]!;
  return difference === 0;
}
