/**
 * The one place errors become HTTP responses. A DomainError keeps its code
 * and message; anything else is a bug: the client gets a 500 without details
 * (no stack, no internals) and the daemon log gets the whole error.
 *
 * Every error body reads `{"error": {"code": "...", "message": "..."}}`.
 *
 * @module
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../../lib/log.ts";
import { DomainError, type DomainErrorKind } from "../services/errors.ts";

export const STATUS_OF_KIND: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  failed: 502,
  unavailable: 503,
};

export interface ErrorBody {
  /** Some errors say more, e.g. `quote` for quote_not_accepted. */
  error: { code: string; message: string; [detail: string]: unknown };
}

function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
) {
  const body: ErrorBody = { error: { ...details, code, message } };
  return c.json(body, status);
}

/** The app's onError handler. */
export function errorHandler(logger: Logger): ErrorHandler {
  return function onError(error, c) {
    if (error instanceof DomainError) {
      const response = errorResponse(
        c,
        STATUS_OF_KIND[error.kind],
        error.code,
        error.message,
        error.details,
      );
      if (error.kind === "unauthorized") response.headers.set("WWW-Authenticate", "Bearer");
      return response;
    }
    if (error instanceof HTTPException && error.status < 500) {
      // Raised by Hono's own middleware (a body over the limit, for one).
      return errorResponse(c, error.status as ContentfulStatusCode, "http_error", error.message);
    }
    logger.error("request failed", {
      method: c.req.method,
      path: c.req.path,
      error: error.message,
      stack: error.stack,
    });
    return errorResponse(c, 500, "internal", "Internal error: the daemon log has the details");
  };
}

/** The app's notFound handler. */
export const notFoundHandler: NotFoundHandler = (c) =>
  errorResponse(c, 404, "no_route", `Cannot ${c.req.method} ${c.req.path}: no such route`);
