/**
 * The daemon as a person meets it: `qsfs nodes ...` in child processes starts
 * a background daemon on first use, talks to it over HTTP on 127.0.0.1, and
 * `qsfs stop` ends it with its storage nodes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isProcessAlive, readDaemonInfo } from "../lib/daemon_file.ts";
import { pingsOverTcp, waitFor } from "../server/_testing.ts";
import type { StorageNode } from "../server/grid/provider.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

async function qsfs(home: string, ...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--home", home, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("qsfs nodes starts the daemon, qsfs stop ends it with its nodes", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_daemon_test_" });
  try {
    const created = await qsfs(
      home,
      "nodes",
      "create",
      "--count",
      "2",
      "--size-bytes",
      "100000000",
      "--json",
    );
    assert.equal(created.code, 0, created.stderr);
    const { nodes } = JSON.parse(created.stdout) as { nodes: StorageNode[] };
    assert.equal(nodes.length, 2);
    for (const node of nodes) {
      assert.equal(node.sizeBytes, 100_000_000);
      assert.ok(await pingsOverTcp(node.endpoint), `${node.id} answers PING`);
    }
    const info = readDaemonInfo(home)!;
    assert.ok(isProcessAlive(info.pid));
    assert.equal(Deno.statSync(join(home, "daemon.json")).mode! & 0o777, 0o600);

    const listed = await qsfs(home, "nodes", "list", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    const list = (JSON.parse(listed.stdout) as { nodes: StorageNode[] }).nodes;
    assert.deepEqual(list.map((node) => node.id), nodes.map((node) => node.id));
    assert.ok(list.every((node) => node.status === "running" && node.pid !== undefined));

    const table = await qsfs(home, "nodes", "list");
    assert.match(table.stdout, /^ID +PROVIDER +STATUS +ENDPOINT +SIZE +RESTARTS +LOCATION\n/);
    assert.match(
      table.stdout,
      new RegExp(`${nodes[0]!.id} +local +running +127\\.0\\.0\\.1:\\d+ +95\\.4 MiB`),
    );

    const second = await qsfs(home, "serve");
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(
        `^qsfs: Cannot start the daemon: daemon ${info.pid} on port ${info.port} already runs`,
      ),
    );

    const badUsage = await qsfs(home, "nodes", "create", "--count", "1");
    assert.equal(badUsage.code, 2);
    assert.match(
      badUsage.stderr,
      /^qsfs: Cannot run nodes create: --size SIZE \(or --size-bytes N\) is required\n/,
    );
    const badSize = await qsfs(home, "nodes", "resize", nodes[0]!.id, "--size-bytes", "5");
    assert.deepEqual([badSize.code, badSize.stderr], [
      2,
      `qsfs: Cannot use size 5 bytes: give a whole number of bytes from 1048576 (1 MiB) to 1125899906842624 (1 PiB)\n`,
    ]);
    const missing = await qsfs(home, "nodes", "remove", "local-00000000");
    assert.deepEqual([missing.code, missing.stderr], [
      1,
      'qsfs: Cannot find storage node "local-00000000": no such node\n',
    ]);

    // A daemon killed outright leaves its nodes running; the next one takes them over.
    Deno.kill(info.pid, "SIGKILL");
    await waitFor("the killed daemon to go", () => !isProcessAlive(info.pid));
    const relisted = await qsfs(home, "nodes", "list", "--json");
    assert.equal(relisted.code, 0, relisted.stderr);
    const restored = (JSON.parse(relisted.stdout) as { nodes: StorageNode[] }).nodes;
    assert.deepEqual(restored.map((node) => node.endpoint), list.map((node) => node.endpoint));
    for (const node of list) {
      assert.ok(!isProcessAlive(node.pid!), `${node.id}'s old process is gone`);
    }
    const restarted = readDaemonInfo(home)!;
    assert.notEqual(restarted.pid, info.pid);

    const stopped = await qsfs(home, "stop");
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, `qsfs: daemon ${restarted.pid} stopped\n`);
    assert.ok(!isProcessAlive(restarted.pid), "the daemon has exited");
    assert.equal(readDaemonInfo(home), undefined, "daemon.json is gone");
    for (const node of restored) assert.ok(!isProcessAlive(node.pid!), `${node.id} has stopped`);
    assert.match(Deno.readTextFileSync(join(home, "logs", "daemon.out")), /INFO daemon stopped/);

    const again = await qsfs(home, "stop");
    assert.deepEqual([again.code, again.stdout], [0, `qsfs: no daemon runs for ${home}\n`]);
  } finally {
    const info = readDaemonInfo(home);
    if (info !== undefined && isProcessAlive(info.pid)) {
      Deno.kill(info.pid, "SIGTERM");
      await waitFor("the daemon to exit", () => !isProcessAlive(info.pid));
    }
    await Deno.remove(home, { recursive: true });
  }
});
