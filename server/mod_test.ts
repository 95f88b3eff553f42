/**
 * The HTTP app through app.request(), no port: local security (Host, Origin,
 * token) and the mapping of errors to statuses and JSON bodies. The provider
 * is an in-memory stand-in; real nodes are control_plane_test.ts's business.
 */
import assert from "node:assert/strict";
import { recordingLogger } from "./_testing.ts";
import type { GridProvider, StorageNode } from "./grid/provider.ts";
import { type AppDeps, BODY_LIMIT_BYTES, createApp } from "./mod.ts";
import type { ScrubSummary } from "../fs/mod.ts";
import {
  NodeHoldsDataError,
  NodeNotFoundError,
  ScrubFailedError,
  ScrubRefusedError,
} from "./services/errors.ts";
import { EventLog } from "./services/events.ts";
import { NodeService } from "./services/node_service.ts";

const PORT = 41234;
const TOKEN = "test-token-123";
const NODE: StorageNode = {
  id: "local-00000001",
  provider: "local",
  endpoint: "127.0.0.1:20001",
  namespace: "qsfs",
  passwordRef: "ns-password:local-00000001",
  location: "/data/nodes",
  sizeBytes: 8 * 1024 * 1024,
  createdAt: "2025-01-01T00:00:00.000Z",
  status: "running",
};

/** Knows one node; removing it fails the way a node holding data does; "boom" is a bug. */
function standInProvider(): GridProvider {
  const node = (id: string) => {
    if (id === "local-b00b") throw new Error("secret internals at /root/x");
    if (id !== NODE.id) throw new NodeNotFoundError(id);
    return NODE;
  };
  return {
    name: "local",
    find: () => Promise.resolve({ candidates: [], warnings: [] }),
    deploy: (request) =>
      Promise.resolve({ nodes: Array(request.count).fill(NODE), warnings: ["one disk"] }),
    list: () => Promise.resolve([NODE]),
    get: (id) => Promise.resolve().then(() => node(id)),
    resize: (id, sizeBytes) => Promise.resolve().then(() => ({ ...node(id), sizeBytes })),
    remove: (id, options) =>
      Promise.resolve().then(() => {
        node(id);
        if (!options?.force) {
          throw new NodeHoldsDataError(`Cannot remove node ${id}: it holds data`);
        }
      }),
    health: (id) => Promise.resolve({ id, reachable: true, checkedAt: "now" }),
    quote: (request) =>
      Promise.resolve({ provider: "local", ...request, costPerMonth: 0, currency: "TFT" }),
  };
}

const SCRUBBED: ScrubSummary = {
  chunksChecked: 2,
  chunksHealthy: 1,
  chunksRepaired: 1,
  shardsRebuilt: 1,
  chunksDegraded: 0,
  chunksUnreadable: [],
  bytesChecked: 8 << 20,
  metadataChunksChecked: 1,
  metadataChunksBad: 0,
  superblocksMissing: [],
  metadataShipped: true,
};

function setUp(state: "starting" | "ready" = "ready") {
  const logger = recordingLogger();
  const events = new EventLog();
  let stops = 0;
  /** What the next scrub does: answer, or fail as the service does. */
  const scrubs: (() => Promise<ScrubSummary>)[] = [];
  const deps: AppDeps = {
    nodes: new NodeService({ providers: { local: standInProvider() } }),
    pool: { scrub: () => scrubs.shift()?.() ?? Promise.resolve(SCRUBBED) },
    events,
    logger,
    port: PORT,
    token: TOKEN,
    health: () => ({ state, pid: 1, version: "0.0.0", startedAt: "then" }),
    requestStop: () => stops++,
  };
  const app = createApp(deps);
  function call(path: string, init: RequestInit & { host?: string } = {}) {
    const headers = new Headers(init.headers);
    headers.set("host", init.host ?? `127.0.0.1:${PORT}`);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
    return app.request(`http://127.0.0.1:${PORT}${path}`, { ...init, headers });
  }
  return { call, logger, events, stops: () => stops, scrubs };
}

async function errorOf(response: Response) {
  const body = await response.json();
  return { status: response.status, code: body.error?.code, message: body.error?.message };
}

Deno.test("createApp() answers only requests for its own host and origin", async () => {
  const { call } = setUp();
  assert.equal((await call("/api/health")).status, 200);
  assert.equal((await call("/api/health", { host: `localhost:${PORT}` })).status, 200);
  for (const host of ["evil.example", `127.0.0.1:${PORT + 1}`, `evil.example:${PORT}`]) {
    const error = await errorOf(await call("/api/health", { host }));
    assert.deepEqual([error.status, error.code], [403, "bad_host"], host);
  }
  const origin = (value: string) => call("/api/nodes", { headers: { origin: value } });
  assert.equal((await origin(`http://localhost:${PORT}`)).status, 200);
  const error = await errorOf(await origin("https://evil.example"));
  assert.deepEqual([error.status, error.code], [403, "bad_origin"]);
  assert.match(error.message, /Cannot serve origin "https:\/\/evil\.example"/);
});

Deno.test("createApp() requires the per-start token on every /api request", async () => {
  const { call } = setUp();
  for (
    const authorization of [
      "",
      "Bearer",
      "Bearer wrong-token",
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
    ]
  ) {
    const response = await call("/api/nodes", { headers: { authorization } });
    assert.equal(response.status, 401, authorization);
    assert.equal(response.headers.get("www-authenticate"), "Bearer");
    assert.equal((await errorOf(response)).code, "unauthorized");
  }
  const stop = await call("/api/stop", {
    method: "POST",
    headers: { authorization: "Bearer nope" },
  });
  assert.equal(stop.status, 401, "no stop without the token");
});

Deno.test("createApp() maps domain errors to statuses with {error: {code, message}}", async () => {
  const { call } = setUp();
  const cases: [string, RequestInit, number, string, RegExp][] = [
    ["/api/nodes/local-ffff", {}, 404, "node_not_found", /^Cannot find storage node "local-ffff"/],
    ["/api/nodes/else-1", {}, 404, "node_not_found", /else-1/],
    [`/api/nodes/${NODE.id}`, { method: "DELETE" }, 409, "node_holds_data", /it holds data/],
    ["/api/nodes", { method: "POST", body: "{" }, 400, "invalid_input", /not valid JSON/],
    ["/api/nodes", { method: "POST", body: "[1]" }, 400, "invalid_input", /JSON object/],
    ["/api/nodes", post({ count: "2", sizeBytes: 1 << 20 }), 400, "invalid_input", /"count"/],
    ["/api/nodes", post({ count: 0, sizeBytes: 1 << 20 }), 400, "invalid_input", /count 0/],
    ["/api/nodes", post({ count: 1, sizeBytes: 1 }), 400, "invalid_input", /size 1 bytes/],
    [
      "/api/nodes",
      post({ count: 1, sizeBytes: 1 << 20, colour: 1 }),
      400,
      "invalid_input",
      /"colour"/,
    ],
    [
      "/api/nodes",
      post({ count: 1, sizeBytes: 1 << 20, provider: "tfgrid" }),
      400,
      "provider_unavailable",
      /tfgrid/,
    ],
    [`/api/nodes/${NODE.id}`, patch({ sizeBytes: -1 }), 400, "invalid_input", /size -1/],
    ["/api/nodes/find", post({ locations: [1] }), 400, "invalid_input", /"locations"/],
    [`/api/nodes/${NODE.id}?force=maybe`, { method: "DELETE" }, 400, "invalid_input", /"force"/],
    ["/api/nothing", {}, 404, "no_route", /^Cannot GET \/api\/nothing/],
    ["/api/nodes", post({ pad: "x".repeat(BODY_LIMIT_BYTES) }), 400, "body_too_large", /larger/],
  ];
  for (const [path, init, status, code, message] of cases) {
    const error = await errorOf(await call(path, init));
    assert.deepEqual([error.status, error.code], [status, code], `${init.method ?? "GET"} ${path}`);
    assert.match(error.message, message);
  }
});

Deno.test("createApp() hides unexpected errors behind a 500 and logs them", async () => {
  const { call, logger } = setUp();
  const response = await call("/api/nodes/local-b00b");
  const text = await response.text();
  assert.equal(response.status, 500);
  assert.deepEqual(JSON.parse(text), {
    error: { code: "internal", message: "Internal error: the daemon log has the details" },
  });
  assert.doesNotMatch(text, /secret internals|at .*\.ts/);
  const logged = logger.records.find((record) => record.level === "error")!;
  assert.equal(logged.fields.error, "secret internals at /root/x");
  assert.match(String(logged.fields.stack), /mod_test\.ts/);
});

Deno.test("createApp() serves nodes, health, events and stop", async () => {
  const { call, events, stops } = setUp();
  assert.deepEqual(await (await call("/api/nodes")).json(), { nodes: [NODE] });
  const created = await call("/api/nodes", post({ count: 2, sizeBytes: 1 << 20 }));
  assert.equal(created.status, 201);
  assert.deepEqual((await created.json()).warnings, ["one disk"]);
  const resized = await call(`/api/nodes/${NODE.id}`, patch({ sizeBytes: 1 << 21 }));
  assert.equal((await resized.json()).sizeBytes, 1 << 21);
  const removed = await call(`/api/nodes/${NODE.id}?force=1`, { method: "DELETE" });
  assert.deepEqual(await removed.json(), { removed: NODE.id });
  assert.equal((await (await call(`/api/nodes/${NODE.id}/health`)).json()).reachable, true);
  const quote = await (await call("/api/nodes/quote", post({ count: 3, sizeBytes: 1 << 20 })))
    .json();
  assert.equal(quote.costPerMonth, 0);
  events.record({ type: "node_restarted", nodeId: NODE.id, message: "back" });
  events.record({ type: "node_exited", nodeId: "local-2", message: "gone" });
  const listed = await (await call(`/api/events?after=0&node=${NODE.id}`)).json();
  assert.deepEqual(listed.events.map((event: { id: number }) => event.id), [1]);
  const stop = await call("/api/stop", { method: "POST" });
  assert.deepEqual([stop.status, await stop.json(), stops()], [202, { stopping: true }, 1]);
});

Deno.test("createApp() health answers 503 while the daemon restores its nodes", async () => {
  const { call } = setUp("starting");
  const response = await call("/api/health");
  assert.equal(response.status, 503);
  assert.equal((await response.json()).state, "starting");
});

function post(body: unknown): RequestInit {
  return {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  };
}

function patch(body: unknown): RequestInit {
  return {
    method: "PATCH",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  };
}

Deno.test("createApp() POST /api/pool/scrub answers the summary; refusals are 409, failures 502", async () => {
  const { call, scrubs } = setUp();
  const ok = await call("/api/pool/scrub", { method: "POST" });
  assert.deepEqual([ok.status, await ok.json()], [200, SCRUBBED]);
  const empty = await call("/api/pool/scrub", post({}));
  assert.equal(empty.status, 200);
  await empty.body?.cancel();
  scrubs.push(() => Promise.reject(new ScrubRefusedError("Cannot scrub the pool: no filesystem")));
  scrubs.push(() => Promise.reject(new ScrubFailedError("Cannot scrub the pool: nodes down")));
  const cases: [RequestInit, number, string, RegExp][] = [
    [{ method: "POST" }, 409, "scrub_refused", /no filesystem$/],
    [{ method: "POST" }, 502, "scrub_failed", /nodes down$/],
    [post({ deep: true }), 400, "invalid_input", /^Cannot use field "deep": a scrub takes no/],
    [{ method: "GET" }, 404, "no_route", /^Cannot GET/],
  ];
  for (const [init, status, code, message] of cases) {
    const error = await errorOf(await call("/api/pool/scrub", init));
    assert.deepEqual([error.status, error.code], [status, code]);
    assert.match(error.message, message);
  }
});
