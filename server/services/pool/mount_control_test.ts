import assert from "node:assert/strict";
import { join } from "node:path";
import { nullLogger } from "../../../lib/log.ts";
import type { ScrubSummary } from "../../../fs/mod.ts";
import { askMount, listenMountControl, type MountControlTarget } from "./mount_control.ts";

async function rawRequest(path: string, line: string): Promise<unknown> {
  const connection = await Deno.connect({ transport: "unix", path });
  await connection.write(new TextEncoder().encode(line));
  const text = new TextDecoder().decode(
    await new Response(connection.readable).arrayBuffer(),
  );
  return JSON.parse(text);
}

const SUMMARY: ScrubSummary = {
  chunksChecked: 3,
  chunksHealthy: 1,
  chunksRepaired: 1,
  shardsRebuilt: 2,
  chunksDegraded: 0,
  chunksUnreadable: [{ ref: "ab".repeat(16), reason: "Cannot read chunk: too few shards" }],
  bytesChecked: 12_000_000,
  metadataChunksChecked: 2,
  metadataChunksBad: 0,
  superblocksMissing: [],
  metadataShipped: true,
};

Deno.test("the mount's control socket answers status, evacuate and scrub, 0600, and says what failed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qsfs_mount_control_test_" });
  const path = join(dir, "mount.sock");
  const asked: string[] = [];
  const target: MountControlTarget = {
    status: () => ({ nodeIds: ["local-1", "local-2"], uploadsPending: 3 }),
    evacuate: (nodeId) => {
      asked.push(nodeId);
      if (nodeId === "local-9") {
        return Promise.reject(new Error("Cannot remove node local-9: 5 nodes would be left"));
      }
      return Promise.resolve({ nodeId, chunksMoved: 7 });
    },
    scrub: () => {
      asked.push("scrub");
      return Promise.resolve(SUMMARY);
    },
  };
  try {
    assert.equal(await askMount(path, { op: "status" }), undefined, "no socket: no mount");
    // A socket file left by a killed mount is taken over.
    Deno.listen({ transport: "unix", path }).close();
    const control = (await listenMountControl(path, target, nullLogger))!;
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(await askMount(path, { op: "status" }), {
      nodeIds: ["local-1", "local-2"],
      uploadsPending: 3,
    });
    assert.deepEqual(await askMount(path, { op: "evacuate", nodeId: "local-2" }), {
      nodeId: "local-2",
      chunksMoved: 7,
    });
    assert.deepEqual(await askMount(path, { op: "scrub" }), SUMMARY);
    await assert.rejects(
      askMount(path, { op: "evacuate", nodeId: "local-9" }),
      /^Error: Cannot remove node local-9: 5 nodes would be left$/,
    );
    assert.deepEqual(await rawRequest(path, '{"op": "format"}\n'), {
      ok: false,
      error:
        'Cannot read the request: give {"op": "status"}, {"op": "evacuate", "nodeId"} or {"op": "scrub"}',
    });
    assert.deepEqual(await rawRequest(path, "nonsense\n"), {
      ok: false,
      error: "Cannot read the request: it is not JSON",
    });
    assert.deepEqual(asked, ["local-2", "scrub", "local-9"]);
    assert.equal(await listenMountControl(path, target, nullLogger), undefined, "one per home");
    await control.close();
    assert.equal(await Deno.stat(path).catch(() => undefined), undefined, "removed on close");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
