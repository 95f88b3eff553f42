/**
 * `qsfs nodes create` and `resize` with a paid provider, as a person runs them: the CLI talks
 * over HTTP to a real daemon (in this process) whose tfgrid provider uses the stand-ins of
 * server/grid/tfgrid/_test_world.ts. Nothing reaches the grid before a yes: asked on a
 * terminal, given as --yes, and refused (exit 2) when neither can be.
 */
import assert from "node:assert/strict";
import { nullLogger } from "../lib/log.ts";
import { SELF_COMMAND } from "../server/_testing.ts";
import { startDaemon } from "../server/daemon.ts";
import type { StorageNode } from "../server/grid/provider.ts";
import { openTestWorld } from "../server/grid/tfgrid/_test_world.ts";
import { recordingDeps } from "./_testing.ts";
import { formatPrice, formatQuote } from "./nodes_format.ts";
import { runCli } from "./run.ts";

interface Terminal {
  /** undefined: stdin is no terminal. */
  answer?: string;
}

function cliDeps(home: string, terminal: Terminal) {
  const prompts: string[] = [];
  const { deps, out } = recordingDeps({ qsfsHome: home }, {
    readStdin: (prompt) => {
      prompts.push(prompt);
      return Promise.resolve(`${terminal.answer ?? ""}\n`);
    },
    isTerminal: () => terminal.answer !== undefined,
    startDaemon: () => Promise.reject(new Error("the test's daemon runs already")),
  });
  return { deps, out: Object.assign(out, { prompts }) };
}

Deno.test("qsfs nodes create and resize on tfgrid show the price and deploy only after a yes", async () => {
  const world = await openTestWorld();
  const daemon = await startDaemon({
    home: world.home,
    version: "9.9.9",
    selfCommand: SELF_COMMAND,
    logger: nullLogger,
    config: world.config,
    controlPlane: { gridClient: world.grid, route: world.route },
  });
  const qsfs = async (args: string[], terminal: Terminal = {}) => {
    const { deps, out } = cliDeps(world.home, terminal);
    const code = await runCli(["nodes", ...args], deps);
    return { code, ...out };
  };
  const create = ["create", "--provider", "tfgrid", "--count", "2", "--size", "1GiB"];
  try {
    const noTerminal = await qsfs(create);
    assert.equal(noTerminal.code, 2, noTerminal.stderr);
    assert.equal(
      noTerminal.stderr,
      "qsfs: Cannot go ahead without a yes: Deploy 2 nodes of 1.00 GiB on tfgrid test for " +
        "13.39 TFT (≈ $0.17)/month: no terminal to ask on; pass --yes to accept this quote\n",
    );
    const declined = await qsfs(create, { answer: "n" });
    assert.equal(declined.code, 1);
    assert.deepEqual(declined.prompts, [
      "Deploy 2 nodes of 1.00 GiB on tfgrid test for 13.39 TFT (≈ $0.17)/month? [y/N] ",
    ]);
    assert.equal(declined.stderr, "qsfs: Declined: nothing was deployed\n");
    assert.deepEqual(world.grid.deploys, [], "nothing reached the grid before a yes");

    const accepted = await qsfs(create, { answer: "y" });
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /^Created 2 node\(s\):\n/);
    assert.equal(world.grid.deploys.length, 1);
    const scripted = await qsfs([...create, "--yes", "--json"]);
    assert.equal(scripted.code, 0, scripted.stderr);
    assert.deepEqual(scripted.prompts, [], "--yes asks nothing");
    const [node] = (JSON.parse(scripted.stdout) as { nodes: StorageNode[] }).nodes;
    assert.equal(world.grid.deploys.length, 2);

    const resize = ["resize", node!.id, "--size", "3GiB"];
    const unasked = await qsfs(resize);
    assert.equal(unasked.code, 2);
    assert.match(
      unasked.stderr,
      /Resize node tfgrid-\w+ to 3\.00 GiB on tfgrid test for 20\.09 TFT/,
    );
    const keep = await qsfs(resize, { answer: "" });
    assert.equal(keep.code, 1);
    assert.equal(keep.stderr, `qsfs: Declined: node ${node!.id} keeps its size\n`);
    assert.ok(!world.grid.calls.some((call) => call.startsWith("update")), "not resized");
    const resized = await qsfs([...resize, "--yes"]);
    assert.equal(resized.code, 0, resized.stderr);
    assert.match(resized.stdout, /resized to 3\.00 GiB/);
    assert.ok(world.grid.calls.some((call) => call.startsWith("update")));

    // Local nodes are free: no question, even without a terminal; --yes is accepted too.
    const local = await qsfs(["create", "--count", "1", "--size", "64MiB"]);
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(local.prompts, []);
    const localYes = await qsfs(["create", "--count", "1", "--size", "64MiB", "--yes"]);
    assert.equal(localYes.code, 0, localYes.stderr);
  } finally {
    await daemon.stop();
    await world.close();
  }
});

Deno.test("formatPrice() shows TFT with its dollar value, and never rounds a price to zero", () => {
  const quote = { provider: "tfgrid" as const, count: 1, sizeBytes: 1, currency: "USD" };
  assert.equal(
    formatPrice({ ...quote, costPerMonth: 0.5578, tftPerMonth: 12.344 }),
    "12.34 TFT (≈ $0.56)",
  );
  assert.equal(formatPrice({ ...quote, costPerMonth: 0.0837 }), "$0.08");
  assert.equal(formatPrice({ ...quote, costPerMonth: 0.00123 }), "$0.0012");
  assert.equal(formatPrice({ ...quote, costPerMonth: 3, currency: "EUR" }), "3.00 EUR");
  assert.equal(
    formatQuote({
      ...quote,
      count: 3,
      sizeBytes: 10 * 2 ** 30,
      costPerMonth: 2.511,
      tftPerMonth: 200.88,
      network: "test",
    }),
    "3 nodes of 10.0 GiB (tfgrid) on test: 200.88 TFT (≈ $2.51) per month\n",
  );
  assert.equal(
    formatQuote({
      ...quote,
      provider: "local",
      count: 1,
      sizeBytes: 2 ** 30,
      costPerMonth: 0,
      currency: "TFT",
    }),
    "1 node of 1.00 GiB (local): 0.00 TFT per month\n",
  );
});
