import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeCommand } from "../../fs/zdb/resp/encode.ts";
import {
  assertSameBytes,
  mulberry32,
  randomBytes,
  startTestServer,
  text,
  utf8,
} from "../../fs/zdb/_testing.ts";
import { ZdbReplyError } from "../../fs/zdb/mod.ts";

const decoder = new TextDecoder();

function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((part) => (typeof part === "string" ? utf8(part) : part));
  const all = new Uint8Array(bytes.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of bytes) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/**
 * Sends `bytes` on a fresh connection and reads until the server closes it or
 * `expected` bytes of reply arrived; gives up after `timeoutMs`.
 */
async function exchange(
  port: number,
  bytes: Uint8Array,
  expected = Infinity,
  timeoutMs = 10_000,
): Promise<{ reply: string; closedByServer: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  let reply = "";
  let closedByServer = false;
  try {
    let written = 0;
    while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    const buffer = new Uint8Array(4096);
    while (reply.length < expected) {
      const count = await conn.read(buffer);
      if (count === null) {
        closedByServer = true;
        break;
      }
      reply += decoder.decode(buffer.subarray(0, count));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted)) {
      throw error;
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
  return { reply, closedByServer };
}

Deno.test("ZDB server answers malformed RESP with 0-db's error, then closes; others unaffected", async () => {
  // Proves each bad frame gets its error reply and a close, while another client keeps working.
  await using zdb = await startTestServer();
  const bystander = zdb.client();
  await bystander.set("kept", utf8("intact"));
  const port = zdb.server.port!;
  const cases: [Uint8Array, string][] = [
    [utf8("HELLO\r\n"), "-Malformed request, array expected\r\n"],
    [utf8("*0\r\n"), "-Missing arguments\r\n"],
    [utf8("*2000\r\n"), "-Too many arguments\r\n"],
    [utf8("*1\r\n+PING\r\n"), "-Malformed query string\r\n"],
    [utf8("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$8388609\r\n"), "-Payload too big\r\n"],
    [
      concat(encodeCommand(["PING"]), "GARBAGE\r\n"),
      "+PONG\r\n-Malformed request, array expected\r\n",
    ],
  ];
  for (const [input, expected] of cases) {
    const { reply, closedByServer } = await exchange(port, input);
    assert.equal(reply, expected, JSON.stringify(decoder.decode(input)));
    assert.ok(closedByServer, `connection left open after ${JSON.stringify(expected)}`);
    assert.equal(text(await bystander.get("kept")), "intact");
  }
  assert.equal(await bystander.exists("k"), false);
});

Deno.test("ZDB server keeps a connection open after an unknown command", async () => {
  // Proves "Command not supported" is an ordinary error, not a protocol failure.
  await using zdb = await startTestServer();
  const input = concat(encodeCommand(["FOOBAR"]), encodeCommand(["PING"]));
  const expected = "-Command not supported\r\n+PONG\r\n";
  const { reply, closedByServer } = await exchange(zdb.server.port!, input, expected.length);
  assert.equal(reply, expected);
  assert.equal(closedByServer, false);
});

Deno.test("ZDB server stores nothing from a client that disconnects mid-request", async () => {
  // Proves complete commands before the cut are applied, the half-sent SET is not, even after restart.
  await using zdb = await startTestServer();
  const client = zdb.client();
  await client.set("before", utf8("v"));
  const value = randomBytes(mulberry32(1), 1024 * 1024);
  const complete = [0, 1, 2].map((i) => encodeCommand(["SET", `whole${i}`, utf8(`w${i}`)]));
  const half = encodeCommand(["SET", "half", value]).subarray(0, 512 * 1024);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: zdb.server.port! });
  await conn.write(concat(...complete, half));
  conn.close();

  assert.equal(await client.ping(), "PONG");
  assert.equal(text(await client.set("after", utf8("still serving"))), "after");
  // The restart waits for every connection to end, and replays the log from disk.
  await zdb.restart();
  const reader = zdb.client();
  assert.equal(await reader.exists("half"), false);
  for (const i of [0, 1, 2]) assert.equal(text(await reader.get(`whole${i}`)), `w${i}`);
  assert.equal(text(await reader.get("after")), "still serving");
  assert.equal(await reader.dbsize(), 5);
  const files = [...Deno.readDirSync(join(zdb.dataDir, "ns", "default"))].map((f) => f.name);
  assert.deepEqual(files.filter((name) => name.includes(".torn-")), []);
});

Deno.test("ZDB server on a full disk answers Cannot write data right now and loses nothing", async () => {
  // Proves ENOSPC is an error reply, the partial entry is cut back, and stored data survives.
  const mountPoint = Deno.makeTempDirSync({ prefix: "qsfs-zdb-full-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!mount.success) {
    Deno.removeSync(mountPoint);
    console.warn(
      `SKIPPED: cannot mount a 2 MiB tmpfs to fill (needs root): ${decoder.decode(mount.stderr)}`,
    );
    return;
  }
  try {
    const dataDir = join(mountPoint, "data");
    const random = mulberry32(2);
    const stored = new Map<string, Uint8Array>();
    {
      await using zdb = await startTestServer({ dataDir });
      const client = zdb.client();
      let refusal: unknown;
      for (let i = 0; i < 20 && refusal === undefined; i++) {
        const value = randomBytes(random, 256 * 1024);
        try {
          await client.set(`k${i}`, value);
          stored.set(`k${i}`, value);
        } catch (error) {
          refusal = error;
        }
      }
      assert.ok(refusal instanceof ZdbReplyError, `no refusal on a full disk: ${refusal}`);
      assert.equal(refusal.message, "Cannot write data right now");
      assert.ok(stored.size >= 3, `only ${stored.size} values fit in 2 MiB`);
      assert.equal(await client.dbsize(), stored.size);
      for (const [key, value] of stored) assertSameBytes(await client.get(key), value, key);
      assert.ok((await client.nsinfo("default")).dataIoErrors >= 1);
      await zdb.restart();
      const reader = zdb.client();
      assert.equal(await reader.dbsize(), stored.size);
      for (const [key, value] of stored) assertSameBytes(await reader.get(key), value, key);
      const files = [...Deno.readDirSync(join(dataDir, "ns", "default"))].map((f) => f.name);
      assert.deepEqual(files.filter((name) => name.includes(".torn-")), []);
    }
  } finally {
    const unmount = await new Deno.Command("umount", { args: [mountPoint] }).output();
    assert.ok(unmount.success, "umount failed");
    Deno.removeSync(mountPoint, { recursive: true });
  }
});
