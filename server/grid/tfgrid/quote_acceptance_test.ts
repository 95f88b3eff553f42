/**
 * Paid changes need the caller's yes to their price (issue 5: "with the quote shown first"):
 * tfgrid nodes are created or resized only with an accepted quote at least as high as the
 * current one; otherwise nothing reaches the grid and the refusal carries the quote. Against
 * the stand-ins of _test_world.ts, through the service and through the HTTP API.
 */
import assert from "node:assert/strict";
import { QuoteNotAcceptedError, ValidationError } from "../../services/errors.ts";
import type { Quote } from "../provider.ts";
import { controlPlaneApp, openTestWorld } from "./_test_world.ts";

const GIB = 1024 ** 3;

function quoteOf(error: unknown): Quote {
  assert.ok(error instanceof QuoteNotAcceptedError, String(error));
  return error.details!.quote as Quote;
}

Deno.test("tfgrid create and resize deploy nothing until the quote is accepted, and again when the price rises", async () => {
  const world = await openTestWorld();
  try {
    const control = world.open();
    const request = { provider: "tfgrid", count: 3, sizeBytes: 10 * GIB };
    const unaccepted = await control.nodes.create(request).catch((error) => error);
    const quote = quoteOf(unaccepted);
    assert.match(
      unaccepted.message,
      /^Cannot deploy 3 tfgrid node\(s\): it costs 2\.51\d* USD per month; accept the quote first/,
    );
    assert.deepEqual(quote, await control.nodes.quote(request));
    assert.equal(quote.network, "test");
    assert.equal(quote.tftPerMonth, quote.costPerMonth / world.grid.usdPerTft);
    assert.deepEqual(world.grid.deploys, [], "nothing deployed without acceptance");

    const accepted = { costPerMonth: quote.costPerMonth, currency: "USD" };
    world.grid.usdPerGbMonth *= 1.1;
    const risen = await control.nodes.create({ ...request, acceptQuote: accepted })
      .catch((error) => error);
    assert.match(risen.message, /the price went up to 2\.76\d* USD per month from the 2\.51/);
    assert.ok(quoteOf(risen).costPerMonth > accepted.costPerMonth);
    await assert.rejects(
      control.nodes.create({ ...request, acceptQuote: { ...accepted, currency: "TFT" } }),
      /the quote is in USD, the accepted one in TFT/,
    );
    assert.deepEqual(world.grid.deploys, [], "nothing deployed at a higher price");
    assert.deepEqual(world.grid.live(), []);
    assert.deepEqual(control.registry.list(), []);

    // Cheaper than accepted is fine; the new quote is what the person is asked about next.
    world.grid.usdPerGbMonth /= 1.1;
    const { nodes } = await control.nodes.create({ ...request, acceptQuote: accepted });
    assert.equal(nodes.length, 3);
    assert.equal(world.grid.deploys.length, 1);

    const node = nodes[0]!;
    const grow = await control.nodes.resize(node.id, 20 * GIB).catch((error) => error);
    const resizeQuote = quoteOf(grow);
    assert.match(grow.message, /^Cannot resize node tfgrid-[0-9a-f]{8}: it costs 1\.67/);
    assert.equal(resizeQuote.count, 1);
    assert.equal(resizeQuote.sizeBytes, 20 * GIB);
    assert.ok(!world.grid.calls.some((call) => call.startsWith("update")), "not resized");
    assert.equal((await control.nodes.get(node.id)).sizeBytes, 10 * GIB);
    const grown = await control.nodes.resize(node.id, 20 * GIB, {
      acceptQuote: { costPerMonth: resizeQuote.costPerMonth, currency: "USD" },
    });
    assert.equal(grown.sizeBytes, 20 * GIB);
    assert.ok(world.grid.calls.some((call) => call.startsWith("update")));
    await assert.rejects(
      control.nodes.create({ ...request, acceptQuote: { costPerMonth: -1, currency: "USD" } }),
      ValidationError,
    );
  } finally {
    await world.close();
  }
});

Deno.test("the API refuses a paid create or resize without acceptQuote with 409 and the quote", async () => {
  const world = await openTestWorld();
  try {
    const control = world.open();
    const port = 41236;
    const app = controlPlaneApp(control, port);
    const call = async (path: string, method: string, body: unknown) => {
      const response = await app.request(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { host: `127.0.0.1:${port}`, authorization: "Bearer t" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const request = { provider: "tfgrid", count: 2, sizeBytes: GIB };
    const refused = await call("/api/nodes", "POST", request);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "quote_not_accepted");
    const quote = refused.body.error.quote as Quote;
    assert.deepEqual(quote, { ...(await call("/api/nodes/quote", "POST", request)).body });
    assert.deepEqual(world.grid.deploys, []);

    for (const bad of [{ costPerMonth: "1" }, 5, { costPerMonth: 1, currency: "USD", x: 1 }]) {
      const answer = await call("/api/nodes", "POST", { ...request, acceptQuote: bad });
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.match(answer.body.error.message, /Cannot read "acceptQuote": give \{"costPerMonth"/);
    }
    const acceptQuote = { costPerMonth: quote.costPerMonth, currency: quote.currency };
    const created = await call("/api/nodes", "POST", { ...request, acceptQuote });
    assert.equal(created.status, 201);
    const id = created.body.nodes[0].id;

    const resize = await call(`/api/nodes/${id}`, "PATCH", { sizeBytes: 2 * GIB });
    assert.equal(resize.status, 409);
    assert.equal(resize.body.error.quote.sizeBytes, 2 * GIB);
    const resized = await call(`/api/nodes/${id}`, "PATCH", {
      sizeBytes: 2 * GIB,
      acceptQuote: { costPerMonth: resize.body.error.quote.costPerMonth, currency: "USD" },
    });
    assert.equal(resized.status, 200);
    assert.equal(resized.body.sizeBytes, 2 * GIB);
  } finally {
    await world.close();
  }
});
