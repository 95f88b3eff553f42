import assert from "node:assert/strict";
import { spawnZdb } from "./_server_process.ts";

/** Runs `redis-cli -p PORT` with `args`; --no-raw shows types as an interactive session does. */
async function redisCli(port: number, args: string[], mode = "--no-raw"): Promise<string> {
  const output = await new Deno.Command("redis-cli", {
    args: ["-p", String(port), mode, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `redis-cli ${args.join(" ")} failed: ${stderr}`);
  return new TextDecoder().decode(output.stdout).replace(/\n$/, "");
}

/** NSINFO's lines in zdbd/commands_namespace.c order (0-db v2.0.7), for a non-admin client. */
const NSINFO_KEYS = [
  "name",
  "entries",
  "public",
  "worm",
  "locked",
  "password",
  "data_size_bytes",
  "data_size_mb",
  "data_limits_bytes",
  "index_size_bytes",
  "index_size_kb",
  "next_internal_id",
  "mode",
  "stats_index_io_errors",
  "stats_index_io_error_last",
  "stats_index_faults",
  "stats_data_io_errors",
  "stats_data_io_error_last",
  "stats_data_faults",
  "space_available",
  "index_disk_freespace_bytes",
  "index_disk_freespace_mb",
  "data_disk_freespace_bytes",
  "data_disk_freespace_mb",
];

Deno.test("redis-cli gets 0-db's replies from `qsfs zdb`", async (t) => {
  // Proves an independent RESP client sees the same reply texts as from 0-db v2.0.x.
  const dataDir = Deno.makeTempDirSync({ prefix: "qsfs-zdb-cli-" });
  try {
    await using server = await spawnZdb({ dataDir, adminPassword: "adm" });
    const cli = (args: string[], mode?: string) => redisCli(server.port, args, mode);

    await t.step("PING answers PONG", async () => {
      assert.equal(await cli(["PING"]), "PONG");
    });

    await t.step("SET returns the key, an identical SET returns (nil), GET the value", async () => {
      assert.equal(await cli(["SET", "greeting", "hello world"]), '"greeting"');
      assert.equal(await cli(["SET", "greeting", "hello world"]), "(nil)");
      assert.equal(await cli(["GET", "greeting"]), '"hello world"');
      assert.equal(await cli(["GET", "absent"]), "(nil)");
      assert.equal(await cli(["EXISTS", "greeting"]), "(integer) 1");
      assert.equal(await cli(["LENGTH", "greeting"]), "(integer) 11");
    });

    await t.step("DEL of a missing key is an error: Key not found", async () => {
      assert.equal(await cli(["DEL", "absent"]), "(error) Key not found");
      assert.equal(await cli(["DEL", "greeting"]), "OK");
      assert.equal(await cli(["GET", "greeting"]), "(nil)");
    });

    await t.step("admin commands need AUTH: Permission denied", async () => {
      assert.equal(await cli(["NSNEW", "photos"]), "(error) Permission denied");
      assert.equal(await cli(["-a", "adm", "--no-auth-warning", "NSNEW", "photos"]), "OK");
      assert.equal(
        await cli(["-a", "adm", "--no-auth-warning", "NSNEW", "photos"]),
        "(error) This namespace is not available",
      );
    });

    await t.step("NSLIST lists default first", async () => {
      assert.equal(await cli(["NSLIST"]), '1) "default"\n2) "photos"');
    });

    await t.step("NSINFO prints 0-db's lines in 0-db's order", async () => {
      await cli(["-a", "adm", "--no-auth-warning", "NSSET", "photos", "maxsize", "1000"]);
      const text = await cli(["NSINFO", "photos"], "--raw");
      assert.ok(text.endsWith("\n"), "every line, the last too, ends with a newline");
      const lines = text.slice(0, -1).split("\n");
      assert.equal(lines[0], "# namespace");
      assert.deepEqual(lines.slice(1).map((line) => line.split(": ")[0]), NSINFO_KEYS);
      const fields = Object.fromEntries(lines.slice(1).map((line) => line.split(": ")));
      assert.equal(fields.name, "photos");
      assert.equal(fields.public, "yes");
      assert.equal(fields.password, "no");
      assert.equal(fields.data_limits_bytes, "1000");
      assert.equal(fields.space_available, "1000");
      assert.equal(fields.mode, "userkey");
      assert.equal(fields.next_internal_id, "0x00000000");
      assert.match(fields.data_size_mb!, /^\d+\.\d\d$/);
    });

    await t.step("an unknown command is refused: Command not supported", async () => {
      assert.equal(await cli(["FOOBAR"]), "(error) Command not supported");
    });

    await t.step("SELECT of a missing namespace: Namespace not found", async () => {
      assert.equal(await cli(["SELECT", "nowhere"]), "(error) Namespace not found");
      assert.equal(await cli(["SELECT", "photos"]), "OK");
    });

    await t.step("TIME is two bulk strings, seconds and microseconds", async () => {
      const [sec, usec] = (await cli(["TIME"], "--raw")).split("\n").map(Number);
      assert.ok(Math.abs(sec! - Date.now() / 1000) < 5, `sec ${sec}`);
      assert.ok(usec! >= 0 && usec! < 1e6, `usec ${usec}`);
    });

    await t.step(
      "DBSIZE is an integer and SCAN of an empty namespace says No more data",
      async () => {
        assert.equal(await cli(["DBSIZE"]), "(integer) 0");
        assert.equal(await cli(["SCAN"]), "(error) No more data");
      },
    );

    await t.step("SET of a key over 255 bytes: Key too large", async () => {
      assert.equal(await cli(["SET", "k".repeat(256), "v"]), "(error) Key too large");
    });

    await t.step("INFO reports sequential_key_size: 8", async () => {
      assert.match(await cli(["INFO"], "--raw"), /^sequential_key_size: 8$/m);
    });

    assert.equal(await server.stop(), 0, server.stderr());
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});
