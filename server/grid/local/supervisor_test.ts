import assert from "node:assert/strict";
import { join } from "node:path";
import type { NodeEventInput, NodeStatus } from "../provider.ts";
import { waitFor } from "../../_testing.ts";
import { NodeSupervisor } from "./supervisor.ts";

Deno.test("NodeSupervisor.resume() retries a node that does not start, then leaves it failed", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_supervisor_test_" });
  const events: NodeEventInput[] = [];
  const statuses: NodeStatus[] = [];
  const supervisor = new NodeSupervisor(
    { id: "local-1", nodeDir: home, dataDir: join(home, "data"), port: 0, adminPassword: "pw" },
    {
      selfCommand: [Deno.execPath(), "run", "-A", join(home, "missing_main.ts")],
      restartDelayMs: 10,
      restartDelayMsMax: 20,
      restartAttemptsMax: 2,
      stableAfterMs: 60_000,
      startTimeoutMs: 30_000,
      stopTimeoutMs: 1_000,
    },
    {
      onEvent: (event) => events.push(event),
      onStatus: (status) => statuses.push(status),
      onPort: () => {},
      pickPort: () => 0,
    },
  );
  try {
    await supervisor.resume();
    assert.equal(supervisor.status, "restarting");
    await waitFor("the supervisor to give up", () => supervisor.status === "failed");
    assert.deepEqual(statuses, ["starting", "failed", "restarting", "restarting", "failed"]);
    assert.deepEqual(events.map((event) => event.type), ["node_failed"]);
    assert.match(events[0]!.message, /did not start: .*2 restarts in a row did not hold/);
  } finally {
    await supervisor.stop();
    await Deno.remove(home, { recursive: true });
  }
});
