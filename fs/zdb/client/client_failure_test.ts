import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { RespReader } from "../resp/decode.ts";
import { startTestServer, utf8, waitFor } from "../_testing.ts";
import { ZdbClient, ZdbConnectionError, ZdbReplyError, ZdbTimeoutError } from "../mod.ts";

const decoder = new TextDecoder();

interface FakeServer {
  port: number;
  accepted: number;
  /** Commands received, per connection, as text. */
  commands: string[][];
  /** Closes every accepted connection (the listener stays). */
  dropConnections(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A TCP server that parses commands and answers each with `answer(command)`:
 * a reply string to send, "close" to drop the connection, or null for silence.
 */
function startFakeServer(answer: (command: string[]) => string | null | "close"): FakeServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const served: Promise<void>[] = [];
  const fake: FakeServer = {
    port: listener.addr.port,
    accepted: 0,
    commands: [],
    dropConnections() {
      for (const conn of conns) conn.close();
      conns.clear();
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      fake.dropConnections();
      await Promise.allSettled(served);
    },
  };
  const serve = async (conn: Deno.Conn, log: string[]) => {
    const reader = new RespReader();
    try {
      while (true) {
        const count = await conn.read(reader.writable());
        if (count === null) break;
        reader.commit(count);
        let args;
        while ((args = reader.readCommand()) !== undefined) {
          const command = args.map((arg) => decoder.decode(arg));
          log.push(command.join(" "));
          const reply = answer(command);
          if (reply === "close") return conn.close();
          if (reply !== null) await conn.write(utf8(reply));
        }
      }
    } catch {
      // Closed by the test.
    } finally {
      conns.delete(conn);
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      fake.accepted++;
      conns.add(conn);
      const log: string[] = [];
      fake.commands.push(log);
      served.push(serve(conn, log));
    }
  })().catch(() => {});
  return fake;
}

/** A port nothing listens on (bound, then released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

Deno.test("ZdbClient authenticates and selects before any queued command, on every connect", async () => {
  // Proves the handshake order AUTH, SELECT, then commands, and that a reconnect repeats it.
  await using fake = startFakeServer((command) =>
    command.join(" ") === "AUTH SECURE CHALLENGE" ? "+0123456789abcdef\r\n" : "+OK\r\n"
  );
  const client = new ZdbClient({
    address: { hostname: "127.0.0.1", port: fake.port },
    namespace: "A",
    password: "ns-pw",
    adminPassword: "admin-pw",
  });
  try {
    await Promise.all([client.ping(), client.ping(), client.call(["DBSIZE"])]);
    const proof = (password: string) =>
      createHash("sha1").update(`0123456789abcdef:${password}`).digest("hex");
    const handshake = [
      "AUTH SECURE CHALLENGE",
      `AUTH SECURE ${proof("admin-pw")}`,
      "AUTH SECURE CHALLENGE",
      `SELECT A SECURE ${proof("ns-pw")}`,
    ];
    assert.deepEqual(fake.commands[0], [...handshake, "PING", "PING", "DBSIZE"]);
    fake.dropConnections();
    await waitFor("the client to see the drop", () => !client.connected);
    await Promise.all([client.call(["SET", "k", "v"]), client.ping()]);
    assert.deepEqual(fake.commands[1], [...handshake, "SET k v", "PING"]);
  } finally {
    client.close();
  }
});

Deno.test("ZdbClient sends commands queued before the first connect into the selected namespace", async () => {
  // Proves commands issued at once, while the client is still connecting, all land in A.
  await using zdb = await startTestServer({ sync: "interval" });
  const admin = zdb.client();
  for (const name of ["A", "B"]) {
    await admin.nsnew(name);
    await admin.nsset(name, "password", `${name}-pw`);
  }
  const client = zdb.client({ namespace: "A", password: "A-pw" });
  await Promise.all(Array.from({ length: 200 }, (_, i) => client.set(`k${i}`, utf8(`v${i}`))));
  assert.equal((await admin.nsinfo("A")).entries, 200);
  assert.equal((await admin.nsinfo("B")).entries, 0);
  assert.equal(await admin.dbsize(), 0);
});

Deno.test("ZdbClient fails a command with ZdbTimeoutError when the server stops answering", async () => {
  // Proves the per-command timeout, and that commands behind it fail instead of hanging.
  await using fake = startFakeServer((command) => (command[0] === "SELECT" ? "+OK\r\n" : null));
  const client = new ZdbClient({
    address: { hostname: "127.0.0.1", port: fake.port },
    commandTimeoutMs: 300,
  });
  try {
    await client.call(["SELECT", "default"]);
    const started = performance.now();
    const first = client.ping();
    const second = client.ping();
    await assert.rejects(first, ZdbTimeoutError);
    await assert.rejects(second, ZdbConnectionError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1500, `timed out after ${elapsed} ms`);
    assert.equal(client.connected, false);
  } finally {
    client.close();
  }
});

Deno.test("ZdbClient gives up on a server that accepts and never answers after N attempts", async () => {
  // Proves a silent server (even during the handshake) fails in bounded time, not forever:
  // each attempt costs the connect timeout, whatever the (long) command timeout is.
  await using fake = startFakeServer(() => null);
  const client = new ZdbClient({
    address: { hostname: "127.0.0.1", port: fake.port },
    commandTimeoutMs: 60_000,
    connectTimeoutMs: 200,
    reconnectAttemptsMax: 2,
    reconnectDelayMs: 20,
  });
  try {
    const started = performance.now();
    await assert.rejects(client.ping(), (error: unknown) => {
      assert.ok(error instanceof ZdbConnectionError, String(error));
      assert.ok(error.cause instanceof ZdbTimeoutError, String(error.cause));
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 400 && elapsed < 2000, `gave up after ${elapsed} ms`);
    assert.equal(fake.accepted, 2);
  } finally {
    client.close();
  }
});

Deno.test("ZdbClient reconnects a bounded number of times with backoff, then fails", async () => {
  // Proves exactly reconnectAttemptsMax attempts, spaced by the doubling delay.
  await using fake = startFakeServer(() => "close");
  const client = new ZdbClient({
    address: { hostname: "127.0.0.1", port: fake.port },
    reconnectAttemptsMax: 4,
    reconnectDelayMs: 30,
  });
  try {
    const started = performance.now();
    await assert.rejects(client.ping(), /after 4 attempts/);
    const elapsed = performance.now() - started;
    assert.equal(fake.accepted, 4);
    assert.ok(elapsed >= 30 + 60 + 120 - 5, `4 attempts took only ${elapsed} ms`);
  } finally {
    client.close();
  }
});

Deno.test("ZdbClient raises ZdbConnectionError when nothing listens", async () => {
  // Proves a refused connection is retried N times and then reported with the address.
  const port = freePort();
  const client = new ZdbClient({
    address: { hostname: "127.0.0.1", port },
    reconnectAttemptsMax: 3,
    reconnectDelayMs: 10,
  });
  try {
    await assert.rejects(client.ping(), (error: unknown) => {
      assert.ok(error instanceof ZdbConnectionError, String(error));
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port} after 3 attempts`));
      return true;
    });
  } finally {
    client.close();
  }
});

Deno.test("ZdbClient does not retry a refused handshake", async () => {
  // Proves a wrong password fails at once with the server's text, without backoff loops.
  await using fake = startFakeServer((command) =>
    command[0] === "SELECT" ? "-Namespace not found\r\n" : "+OK\r\n"
  );
  const client = new ZdbClient({
    address: { hostname: "127.0.0.1", port: fake.port },
    namespace: "missing",
  });
  try {
    await assert.rejects(client.ping(), (error: unknown) => {
      assert.ok(error instanceof ZdbReplyError);
      assert.equal(error.message, "Namespace not found");
      return true;
    });
    assert.equal(fake.accepted, 1);
  } finally {
    client.close();
  }
});

Deno.test("ZdbClient.set() of 8 MiB + 1 is refused and nothing is stored", async () => {
  // Proves the payload limit reaches the client as an error and the server keeps serving.
  await using zdb = await startTestServer();
  const client = zdb.client({ reconnectDelayMs: 10 });
  await assert.rejects(client.set("too-big", new Uint8Array(8 * 1024 * 1024 + 1)), (error) => {
    // The server replies "Payload too big" and closes; the close may overtake the reply.
    if (error instanceof ZdbReplyError) assert.equal(error.message, "Payload too big");
    else assert.ok(error instanceof ZdbConnectionError, String(error));
    return true;
  });
  await waitFor("the client to see the close", () => !client.connected);
  assert.equal(await client.exists("too-big"), false);
  assert.equal(await client.ping(), "PONG");
});

Deno.test("ZdbClient.close() fails later calls with ZdbClosedError", async () => {
  // Proves a closed client does not reconnect behind its owner's back.
  await using zdb = await startTestServer();
  const client = zdb.client();
  assert.equal(await client.ping(), "PONG");
  client.close();
  await assert.rejects(client.ping(), { name: "ZdbClosedError" });
});
