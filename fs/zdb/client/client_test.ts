import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertSameBytes,
  indexOfBytes,
  mulberry32,
  randomBytes,
  startTestServer,
  text,
  utf8,
} from "../_testing.ts";
import { seqIdOf, seqKey, ZdbReplyError } from "../mod.ts";

function rejectsWith(message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ZdbReplyError, `not a ZdbReplyError: ${error}`);
    assert.equal(error.message, message);
    return true;
  };
}

Deno.test("ZdbClient.ping() returns PONG", async () => {
  // Proves the handshake (SELECT default) and a first command work over TCP.
  await using zdb = await startTestServer();
  assert.equal(await zdb.client().ping(), "PONG");
});

Deno.test("ZdbClient.set() returns the key, and null for an identical payload", async () => {
  // Proves 0-db's SET dialect: the key comes back, an unchanged value stores nothing.
  await using zdb = await startTestServer();
  const client = zdb.client();
  assert.equal(text(await client.set("alpha", utf8("one"))), "alpha");
  const sizeBefore = (await client.nsinfo("default")).dataSizeBytes;
  assert.equal(await client.set("alpha", utf8("one")), null);
  assert.equal((await client.nsinfo("default")).dataSizeBytes, sizeBefore);
  assert.equal(text(await client.set("alpha", utf8("two"))), "alpha");
  assert.equal(text(await client.get("alpha")), "two");
});

Deno.test("ZdbClient.setSeq() returns 8-byte little-endian ids from 0 and updates by id", async () => {
  // Proves seq mode: new ids count from 0, an update keeps the id, unknown ids are refused.
  await using zdb = await startTestServer({ mode: "seq" });
  const client = zdb.client();
  assert.equal(await client.setSeq(utf8("first")), 0n);
  assert.equal(await client.setSeq(utf8("second")), 1n);
  const raw = await client.call(["SET", "", utf8("third")]);
  assert.deepEqual(raw, new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(await client.setSeq(utf8("first, updated"), 0n), 0n);
  assert.equal(await client.setSeq(utf8("first, updated"), 0n), null);
  assert.equal(text(await client.get(seqKey(0n))), "first, updated");
  assert.equal(text(await client.get(seqKey(1n))), "second");
  await assert.rejects(
    client.setSeq(utf8("x"), 99n),
    rejectsWith("Invalid key, only update authorized"),
  );
  assert.equal(await client.setSeq(utf8("fourth")), 3n);
  assert.match(await client.info(), /^sequential_key_size: 8$/m);
});

Deno.test("seqKey() and seqIdOf() convert ids to 8-byte little-endian keys and back", () => {
  // Proves the id encoding used by setSeq, including values past 2^53.
  const id = 0x0102030405060708n;
  assert.deepEqual(seqKey(id), new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]));
  assert.equal(seqIdOf(seqKey(id)), id);
  assert.throws(() => seqIdOf(new Uint8Array(7)), RangeError);
});

Deno.test("ZdbClient.get() and mget() return values and null for missing keys", async () => {
  // Proves reads of present and absent keys, in the order asked.
  await using zdb = await startTestServer();
  const client = zdb.client();
  await client.set("a", utf8("A"));
  await client.set(new Uint8Array([0, 255]), utf8("binary key"));
  assert.equal(await client.get("missing"), null);
  const values = await client.mget(["a", "missing", new Uint8Array([0, 255])]);
  assert.deepEqual(values.map(text), ["A", null, "binary key"]);
});

Deno.test("ZdbClient.del() returns true for a stored key and false for a missing one", async () => {
  // Proves DEL's "+OK" / "-Key not found" map to true / false and the key is gone.
  await using zdb = await startTestServer();
  const client = zdb.client();
  await client.set("k", utf8("v"));
  assert.equal(await client.del("k"), true);
  assert.equal(await client.get("k"), null);
  assert.equal(await client.del("k"), false);
});

Deno.test("ZdbClient.exists(), length(), keytime() and check() describe a key", async () => {
  // Proves the per-key queries, and their answers for a missing key.
  await using zdb = await startTestServer();
  const client = zdb.client();
  const before = Math.floor(Date.now() / 1000);
  await client.set("k", utf8("12345"));
  const after = Math.floor(Date.now() / 1000);
  assert.equal(await client.exists("k"), true);
  assert.equal(await client.exists("nope"), false);
  assert.equal(await client.length("k"), 5);
  assert.equal(await client.length("nope"), null);
  const keytime = (await client.keytime("k"))!;
  assert.ok(keytime >= before && keytime <= after, `keytime ${keytime}`);
  assert.equal(await client.keytime("nope"), null);
  assert.equal(await client.check("k"), true);
  assert.equal(await client.check("nope"), null);
});

Deno.test("ZdbClient.check() returns false and get() refuses a value corrupted on disk", async () => {
  // Proves a value that fails its CRC is reported by CHECK and never served by GET.
  await using zdb = await startTestServer();
  const client = zdb.client();
  const value = utf8("value-to-corrupt-0123456789");
  await client.set("k", value);
  const dir = join(zdb.dataDir, "ns", "default");
  const segment = [...Deno.readDirSync(dir)].find((item) => item.name.endsWith(".qzdb"))!;
  const bytes = Deno.readFileSync(join(dir, segment.name));
  const at = indexOfBytes(bytes, value);
  assert.ok(at > 0, "value not found in the segment file");
  bytes[at + 3]! ^= 0xff;
  Deno.writeFileSync(join(dir, segment.name), bytes);
  assert.equal(await client.check("k"), false);
  await assert.rejects(client.get("k"), rejectsWith("Internal Error"));
});

Deno.test("ZdbClient.keycur() gives a cursor that scan() continues after", async () => {
  // Proves KEYCUR returns an opaque cursor for a key and null for a missing key.
  await using zdb = await startTestServer();
  const client = zdb.client();
  for (const key of ["a", "b", "c"]) await client.set(key, utf8(key));
  const cursor = (await client.keycur("a"))!;
  assert.ok(cursor instanceof Uint8Array);
  const page = (await client.scan(cursor))!;
  assert.deepEqual(page.entries.map((entry) => text(entry.key)), ["b", "c"]);
  assert.equal(await client.keycur("zzz"), null);
});

Deno.test("ZdbClient.scan() and rscan() page through 2100 keys until null", async () => {
  // Proves paging over more than one 1024-entry page, in write order and reversed.
  await using zdb = await startTestServer({ sync: "interval" });
  const client = zdb.client();
  const keys = Array.from({ length: 2100 }, (_, i) => `key-${String(i).padStart(5, "0")}`);
  await Promise.all(keys.map((key, i) => client.set(key, utf8(String(i)))));
  assert.equal(await client.dbsize(), 2100);
  for (const [walk, expected] of [["scan", keys], ["rscan", [...keys].reverse()]] as const) {
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let page = await client[walk]();
    while (page !== null) {
      pageSizes.push(page.entries.length);
      for (const entry of page.entries) {
        seen.push(text(entry.key)!);
        assert.equal(entry.sizeBytes, String(Number(text(entry.key)!.slice(4))).length);
        assert.ok(entry.timestampSec > 1_600_000_000);
      }
      page = await client[walk](page.cursor);
    }
    assert.deepEqual(pageSizes, [1024, 1024, 52], walk);
    assert.deepEqual(seen, expected, walk);
  }
  await assert.rejects(client.scan(utf8("bad")), rejectsWith("Invalid key format"));
});

Deno.test("ZdbClient.scan() skips deleted and overwritten entries", async () => {
  // Proves SCAN lists each live key once, at its newest position.
  await using zdb = await startTestServer();
  const client = zdb.client();
  for (const key of ["a", "b", "c"]) await client.set(key, utf8(key));
  await client.del("b");
  await client.set("a", utf8("a2"));
  const page = (await client.scan())!;
  assert.deepEqual(page.entries.map((entry) => text(entry.key)), ["c", "a"]);
  assert.equal(await client.scan(page.cursor), null);
});

Deno.test("ZdbClient.dbsize() counts entries and time() returns the server clock", async () => {
  // Proves DBSIZE follows sets and deletes, and TIME is [sec, usec] near our clock.
  await using zdb = await startTestServer();
  const client = zdb.client();
  assert.equal(await client.dbsize(), 0);
  await client.set("a", utf8("1"));
  await client.set("b", utf8("2"));
  await client.del("a");
  assert.equal(await client.dbsize(), 1);
  const { sec, usec } = await client.time();
  assert.ok(Math.abs(sec - Date.now() / 1000) < 5, `sec ${sec}`);
  assert.ok(Number.isInteger(usec) && usec >= 0 && usec < 1_000_000, `usec ${usec}`);
});

Deno.test("ZdbClient.info() has 0-db's sections and sequential_key_size: 8", async () => {
  // Proves INFO's text carries the lines 0-db clients look for.
  await using zdb = await startTestServer();
  const info = await zdb.client().info();
  for (const line of ["# server", "# clients", "# internals", "# stats"]) {
    assert.match(info, new RegExp(`^${line}$`, "m"));
  }
  assert.match(info, /^sequential_key_size: 8$/m);
  assert.match(info, /^data_version: 3$/m);
});

Deno.test("ZdbClient keeps an 8 MiB value with every byte value intact", async () => {
  // Proves binary safety at the largest value 0-db accepts, including CR, LF and NUL bytes.
  await using zdb = await startTestServer();
  const client = zdb.client();
  const value = randomBytes(mulberry32(8), 8 * 1024 * 1024);
  for (let i = 0; i < 256; i++) value[i] = i;
  assert.equal(text(await client.set("big", value)), "big");
  assertSameBytes(await client.get("big"), value);
  assert.equal(await client.length("big"), 8 * 1024 * 1024);
});

Deno.test("ZdbClient works over a unix socket", async () => {
  // Proves the same calls run over a unix socket address.
  const socketDir = Deno.makeTempDirSync({ prefix: "qsfs-zdb-sock-" });
  try {
    await using zdb = await startTestServer({ listen: { path: join(socketDir, "zdb.sock") } });
    const client = zdb.client();
    assert.equal(await client.ping(), "PONG");
    const value = randomBytes(mulberry32(3), 1024 * 1024);
    assert.equal(text(await client.set("k", value)), "k");
    assertSameBytes(await client.get("k"), value);
    assert.deepEqual(await client.nslist(), ["default"]);
  } finally {
    Deno.removeSync(socketDir, { recursive: true });
  }
});
