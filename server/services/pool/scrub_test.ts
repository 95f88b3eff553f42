import assert from "node:assert/strict";
import { join } from "node:path";
import { NodeRegistry } from "../../grid/registry.ts";
import { ScrubRefusedError } from "../errors.ts";
import { writePoolSettings } from "./pool_settings.ts";
import { scrubPool } from "./scrub.ts";

Deno.test("scrubPool() refuses, saying why, when there is nothing it can open", async () => {
  // Proves the refusals (409 through the API) come before anything is opened: a home without
  // a filesystem on nodes, then one whose pool.json names a geometry but that has no identity.
  const home = await Deno.makeTempDir({ prefix: "qsfs_scrub_service_" });
  const registry = NodeRegistry.open(join(home, "registry.sqlite"));
  try {
    const deps = { identity: { home }, registry };
    await assert.rejects(
      scrubPool(deps),
      (error) =>
        error instanceof ScrubRefusedError &&
        /^Cannot scrub the pool: this home keeps no filesystem on storage nodes yet/.test(
          error.message,
        ),
    );
    await writePoolSettings(home, { dataShards: 4, parityShards: 2, stateDir: join(home, "fs") });
    await assert.rejects(
      scrubPool(deps),
      (error) =>
        error instanceof ScrubRefusedError &&
        error.message === "Cannot scrub the pool: the home has no identity to open its " +
            "filesystem with",
    );
  } finally {
    registry.close();
    await Deno.remove(home, { recursive: true });
  }
});
