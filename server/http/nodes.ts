/**
 * /api/nodes: storage nodes of every provider.
 *
 * @module
 */
import { Hono } from "hono";
import type { AcceptedQuote, NodeService } from "../services/node_service.ts";
import { ValidationError } from "../services/errors.ts";
import {
  type JsonObject,
  jsonObject,
  numberField,
  onlyFields,
  queryFlag,
  stringField,
  stringListField,
} from "./_body.ts";

const REQUEST_FIELDS = ["provider", "count", "sizeBytes", "locations"] as const;

/** `acceptQuote: {costPerMonth, currency}`: the quote the client showed and the person accepted. */
function acceptQuoteField(body: JsonObject): AcceptedQuote | undefined {
  const value = body.acceptQuote;
  if (value === undefined) return undefined;
  const quote = value as Partial<AcceptedQuote> | null;
  if (
    typeof quote !== "object" || quote === null || Array.isArray(quote) ||
    typeof quote.costPerMonth !== "number" || typeof quote.currency !== "string" ||
    Object.keys(quote).some((key) => key !== "costPerMonth" && key !== "currency")
  ) {
    throw new ValidationError(
      'Cannot read "acceptQuote": give {"costPerMonth": N, "currency": "USD"} as the quote states them',
    );
  }
  return { costPerMonth: quote.costPerMonth, currency: quote.currency };
}

export function nodesRoutes(nodes: NodeService) {
  return new Hono()
    .get("/", async (c) => c.json({ nodes: await nodes.list() }))
    .post("/", async (c) => {
      const body = await jsonObject(c);
      onlyFields(body, [...REQUEST_FIELDS, "acceptQuote"]);
      const result = await nodes.create({
        provider: stringField(body, "provider"),
        count: numberField(body, "count"),
        sizeBytes: numberField(body, "sizeBytes"),
        locations: stringListField(body, "locations"),
        acceptQuote: acceptQuoteField(body),
      });
      return c.json(result, 201);
    })
    .post("/find", async (c) => {
      const body = await jsonObject(c);
      onlyFields(body, REQUEST_FIELDS);
      return c.json(
        await nodes.find({
          provider: stringField(body, "provider"),
          count: numberField(body, "count", true),
          sizeBytes: numberField(body, "sizeBytes", true),
          locations: stringListField(body, "locations"),
        }),
      );
    })
    .post("/quote", async (c) => {
      const body = await jsonObject(c);
      onlyFields(body, REQUEST_FIELDS);
      return c.json(
        await nodes.quote({
          provider: stringField(body, "provider"),
          count: numberField(body, "count"),
          sizeBytes: numberField(body, "sizeBytes"),
          locations: stringListField(body, "locations"),
        }),
      );
    })
    .get("/:id", async (c) => c.json(await nodes.get(c.req.param("id"))))
    .patch("/:id", async (c) => {
      const body = await jsonObject(c);
      onlyFields(body, ["sizeBytes", "acceptQuote"]);
      return c.json(
        await nodes.resize(c.req.param("id"), numberField(body, "sizeBytes"), {
          acceptQuote: acceptQuoteField(body),
        }),
      );
    })
    .delete("/:id", async (c) => {
      const id = c.req.param("id");
      const result = await nodes.remove(id, { force: queryFlag(c, "force") });
      return c.json({ removed: id, ...result });
    })
    .get("/:id/health", async (c) => c.json(await nodes.health(c.req.param("id"))))
    .post("/:id/stop", async (c) => c.json(await nodes.stop(c.req.param("id"))))
    .post("/:id/start", async (c) => c.json(await nodes.start(c.req.param("id"))));
}
