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

Deno.test("NodeRegistry keeps tfgrid nodes' contract, grid node and deployment, and upgrades a version 1 file", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_registry_test_" });
  const path = join(home, "registry.sqlite");
  try {
    // A version 1 file, as the first control plane wrote it.
    const db = new DatabaseSync(path);
    db.exec(`CREATE TABLE nodes (id TEXT PRIMARY KEY, provider TEXT NOT NULL, host TEXT NOT NULL,
      port INTEGER NOT NULL, namespace TEXT NOT NULL, password_ref TEXT NOT NULL,
      admin_password_ref TEXT, location TEXT NOT NULL, size_bytes INTEGER NOT NULL,
      created_at TEXT NOT NULL, status TEXT NOT NULL, pid INTEGER);
      CREATE TABLE secrets (ref TEXT PRIMARY KEY, value TEXT NOT NULL);
      PRAGMA user_version = 1;`);
    db.prepare(
      "INSERT INTO nodes VALUES (?, 'local', '127.0.0.1', 20000, 'qsfs', ?, ?, '/data', ?, ?, 'running', 42)",
    )
      .run("local-1", "ns-password:local-1", "admin-password:local-1", 1 << 20, "2025-01-01");
    db.close();
    const registry = NodeRegistry.open(path);
    try {
      assert.deepEqual(registry.get("local-1"), record("local-1", "2025-01-01"));
      const grid: NodeRecord = {
        ...record("tfgrid-1", "2025-01-02"),
        provider: "tfgrid",
        host: "2a10:b600:1:0:c4be:94ff:feb1:8b3f",
        port: 9900,
        namespace: "81-36155-tfgrid1",
        adminPasswordRef: null,
        pid: null,
        contractId: 36155,
        gridNodeId: 11,
        deployment: "qsfs0a1b2c3d",
      };
      registry.insert([grid], [{ ref: grid.passwordRef, value: "pw" }]);
      assert.deepEqual(registry.get("tfgrid-1"), grid);
      assert.deepEqual(registry.list("tfgrid").map((node) => node.contractId), [36155]);
    } finally {
      registry.close();
    }
    const check = new DatabaseSync(path);
    assert.equal(
      (check.prepare("PRAGMA user_version").get() as { user_version: number }).user_version,
      REGISTRY_SCHEMA_VERSION,
    );
    check.close();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
