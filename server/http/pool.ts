/**
 * /api/pool: the home's pool as a whole (its filesystem's data on the nodes).
 *
 * @module
 */
import { Hono } from "hono";
import type { ScrubSummary } from "../../fs/mod.ts";
import { ValidationError } from "../services/errors.ts";
import { jsonObject } from "./_body.ts";

export interface PoolDeps {
  /** Checks every shard and rebuilds bad ones (server/services/pool/scrub.ts). */
  scrub(): Promise<ScrubSummary>;
}

export function poolRoutes(deps: PoolDeps) {
  return new Hono()
    .post("/scrub", async (c) => {
      // No options: an empty body or {}; a field is refused rather than silently ignored.
      const [field] = Object.keys(await jsonObject(c));
      if (field !== undefined) {
        throw new ValidationError(`Cannot use field "${field}": a scrub takes no fields`);
      }
      return c.json(await deps.scrub());
    });
}
