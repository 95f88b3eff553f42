import assert from "node:assert/strict";
import { join } from "node:path";
import { type NodeRecord, NodeRegistry, REGISTRY_SCHEMA_VERSION } from "./registry.ts";
import { DatabaseSync } from "node:sqlite";

function record(id: string, createdAt: string): NodeRecord {
  return {
    id,
    provider: "local",
    host: "127.0.0.1",
    port: 20000,
    namespace: "qsfs",
    passwordRef: `ns-password:${id}`,
    adminPasswordRef: `admin-password:${id}`,
    location: "/data",
    sizeBytes: 1 << 20,
    createdAt,
    status: "running",
    pid: 42,
  };
}

function secrets(id: string) {
  return [
    { ref: `ns-password:${id}`, value: `pw-${id}` },
    { ref: `admin-password:${id}`, value: `admin-${id}` },
  ];
}

Deno.test("NodeRegistry records nodes and their secrets in a 0600 file, all or none", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_registry_test_" });
  const path = join(home, "registry.sqlite");
  try {
    let registry = NodeRegistry.open(path);
    registry.insert([record("local-2", "2025-01-02"), record("local-1", "2025-01-01")], [
      ...secrets("local-1"),
      ...secrets("local-2"),
    ]);
    assert.deepEqual(
      registry.list().map((node) => node.id),
      ["local-1", "local-2"],
      "oldest first",
    );
    assert.equal(registry.secret("ns-password:local-2"), "pw-local-2");
    assert.throws(
      () => registry.insert([record("local-3", "2025-01-03"), record("local-1", "x")], []),
      /UNIQUE/,
    );
    assert.equal(registry.get("local-3"), undefined, "a failed insert keeps nothing");
    registry.update("local-1", { port: 20002, status: "stopped", pid: null });
    registry.delete("local-2");
    registry.close();
    for (const file of Deno.readDirSync(home)) {
      assert.equal(Deno.statSync(join(home, file.name)).mode! & 0o777, 0o600, file.name);
    }
    registry = NodeRegistry.open(path);
    assert.deepEqual(registry.get("local-1"), {
      ...record("local-1", "2025-01-01"),
      port: 20002,
      status: "stopped",
      pid: null,
    });
    assert.equal(registry.get("local-2"), undefined);
    assert.equal(registry.secret("ns-password:local-2"), undefined, "secrets go with their node");
    assert.equal(registry.list("tfgrid").length, 0);
    registry.close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${REGISTRY_SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => NodeRegistry.open(path), /newer than this qsfs/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
