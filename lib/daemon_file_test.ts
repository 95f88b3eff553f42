import assert from "node:assert/strict";
import {
  daemonFilePath,
  isProcessAlive,
  readDaemonInfo,
  removeDaemonInfo,
  writeDaemonInfo,
} from "./daemon_file.ts";
import { formatBytes } from "./bytes.ts";

Deno.test("daemon.json is written 0600, read back, and removed only by its daemon", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_daemon_file_test_" });
  try {
    assert.equal(readDaemonInfo(home), undefined);
    const info = { pid: Deno.pid, port: 4321, token: "t", startedAt: "2025-01-01T00:00:00Z" };
    writeDaemonInfo(home, info);
    assert.equal(Deno.statSync(daemonFilePath(home)).mode! & 0o777, 0o600);
    assert.deepEqual(readDaemonInfo(home), info);
    removeDaemonInfo(home, Deno.pid + 1);
    assert.deepEqual(readDaemonInfo(home), info, "another pid does not remove it");
    removeDaemonInfo(home, Deno.pid);
    assert.equal(readDaemonInfo(home), undefined);
    Deno.writeTextFileSync(daemonFilePath(home), '{"pid": 1, "port": ');
    assert.equal(readDaemonInfo(home), undefined, "a torn file reads as no daemon");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("isProcessAlive() knows this process and not a reaped one", async () => {
  assert.ok(isProcessAlive(Deno.pid));
  const child = new Deno.Command("true").spawn();
  await child.status;
  assert.ok(!isProcessAlive(child.pid));
  assert.ok(!isProcessAlive(-1));
});

Deno.test("formatBytes() uses binary units with three significant digits", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(100_000_000), "95.4 MiB");
  assert.equal(formatBytes(1024 * 1024), "1.00 MiB");
  assert.equal(formatBytes(200 * 1024 ** 3), "200 GiB");
});
