import assert from "node:assert/strict";
import { join } from "node:path";
import { ZdbClient, ZdbConnectionError } from "../../fs/zdb/mod.ts";
import {
  assertSameBytes,
  mulberry32,
  randomBytes,
  randomInt,
  sha256Hex,
  startTestServer,
  text,
  utf8,
} from "../../fs/zdb/_testing.ts";
import { ENTRY_HEADER_BYTES } from "../../fs/zdb/server/entry_format.ts";
import { spawnZdb } from "./_server_process.ts";

const ABSENT = "absent";
const ROUNDS = 5;
const PIPELINE_DEPTH = 8;

/**
 * What a key may hold after a crash: its last acknowledged state, or any state
 * sent after it whose outcome is unknown (the server died before replying).
 */
interface KeyModel {
  acked: string;
  uncertain: string[];
}

function fileNames(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((item) => item.name).sort();
}

/** Writes and deletes through `client` until `killAfterAcks` are acknowledged, then kill -9s. */
async function writeUntilKilled(
  client: ZdbClient,
  model: Map<string, KeyModel>,
  random: () => number,
  round: number,
  killAfterAcks: number,
  kill: () => Promise<void>,
): Promise<{ acked: number; failed: number }> {
  let acked = 0;
  let failed = 0;
  let killing: Promise<void> | undefined;
  const inFlight = new Set<string>();
  const running = new Set<Promise<void>>();
  let next = 0;
  while (killing === undefined) {
    const existing = [...model.keys()].filter((key) => !inFlight.has(key));
    const roll = random();
    const key = roll < 0.8 || existing.length === 0
      ? `r${round}-${next++}`
      : existing[randomInt(random, 0, existing.length - 1)]!;
    const entry = model.get(key) ?? { acked: ABSENT, uncertain: [] };
    model.set(key, entry);
    const remove = roll > 0.95 && entry.acked !== ABSENT;
    const value = remove ? undefined : randomBytes(random, randomInt(random, 0, 256 * 1024));
    const state = value === undefined ? ABSENT : sha256Hex(value);
    inFlight.add(key);
    const write = (value === undefined ? client.del(key) : client.set(key, value)).then(
      () => {
        entry.acked = state;
        entry.uncertain = [];
        if (++acked === killAfterAcks) killing = kill();
      },
      (error) => {
        assert.ok(error instanceof ZdbConnectionError, `write failed with ${error}`);
        entry.uncertain.push(state);
        failed++;
      },
    ).finally(() => {
      inFlight.delete(key);
      running.delete(write);
    });
    running.add(write);
    if (running.size >= PIPELINE_DEPTH) await Promise.race(running);
  }
  await killing;
  await Promise.allSettled([...running]);
  return { acked, failed };
}

/** Checks every key holds an allowed state, then makes the found state the new acknowledged one. */
async function verifyAndSettle(client: ZdbClient, model: Map<string, KeyModel>, round: number) {
  const keys = [...model.keys()];
  let present = 0;
  for (let i = 0; i < keys.length; i += 32) {
    const batch = keys.slice(i, i + 32);
    const values = await Promise.all(batch.map((key) => client.get(key)));
    batch.forEach((key, j) => {
      const entry = model.get(key)!;
      const found = values[j] === null ? ABSENT : sha256Hex(values[j]!);
      const allowed = [entry.acked, ...entry.uncertain];
      assert.ok(
        allowed.includes(found),
        `round ${round}: key ${key} holds ${found}, expected one of ${allowed.join(", ")}`,
      );
      if (found !== ABSENT) present++;
      entry.acked = found;
      entry.uncertain = [];
    });
  }
  assert.equal(await client.dbsize(), present, `round ${round}: DBSIZE`);
  let page = await client.scan();
  let scanned = 0;
  while (page !== null) {
    for (const item of page.entries) {
      assert.notEqual(model.get(text(item.key)!)?.acked ?? ABSENT, ABSENT, "scan lists a ghost");
      scanned++;
    }
    page = await client.scan(page.cursor);
  }
  assert.equal(scanned, present, `round ${round}: SCAN count`);
}

Deno.test("qsfs zdb keeps every acknowledged write across kill -9 (sync always)", async () => {
  // Proves acknowledged writes survive a crash intact and unacknowledged ones are never corrupt.
  const dataDir = Deno.makeTempDirSync({ prefix: "qsfs-zdb-crash-" });
  const random = mulberry32(20240601);
  const model = new Map<string, KeyModel>();
  const summary: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await using server = await spawnZdb({ dataDir, sync: "always" });
      const client = new ZdbClient({
        address: { hostname: "127.0.0.1", port: server.port },
        reconnectAttemptsMax: 1,
      });
      try {
        if (round > 0) await verifyAndSettle(client, model, round);
        const killAfterAcks = randomInt(random, 10, 50);
        const result = await writeUntilKilled(
          client,
          model,
          random,
          round,
          killAfterAcks,
          () => server.kill9(),
        );
        summary.push(`round ${round}: ${result.acked} acked, ${result.failed} cut by the kill`);
      } finally {
        client.close();
      }
    }
    await using server = await spawnZdb({ dataDir, sync: "always" });
    const client = new ZdbClient({ address: { hostname: "127.0.0.1", port: server.port } });
    try {
      await verifyAndSettle(client, model, ROUNDS);
    } finally {
      client.close();
    }
    assert.equal(await server.stop(), 0, server.stderr());
    console.log(
      `${summary.join("; ")}; torn tails cut: ${
        fileNames(join(dataDir, "ns", "default")).filter((name) => name.includes(".torn-")).length
      }`,
    );
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("ZDB server finds every key after a restart when the last segment passes 4 MiB", async () => {
  // Proves replay reads each key correctly when its value crosses the 4 MiB replay window.
  await using zdb = await startTestServer();
  const client = zdb.client();
  const random = mulberry32(4);
  // 10 MiB: the refill for a value crossing the window reads a full window over the old one.
  const values = Array.from({ length: 10 }, () => randomBytes(random, 1024 * 1024));
  for (const [i, value] of values.entries()) await client.set(`k${i}`, value);
  await zdb.restart();
  const reader = zdb.client();
  for (const [i, value] of values.entries()) {
    assertSameBytes(await reader.get(`k${i}`), value, `k${i}`);
  }
  const scanned = (await reader.scan())!.entries.map((entry) => text(entry.key));
  assert.deepEqual(scanned, values.map((_, i) => `k${i}`));
});

Deno.test("ZDB server cuts a torn tail off the last segment and keeps it aside", async (t) => {
  // Proves a half-written last entry is never served, earlier ones are, and the cut bytes are kept.
  for (
    const [name, tear] of [
      ["value cut mid-way", (entryStart: number) => entryStart + ENTRY_HEADER_BYTES + 1 + 5000],
      ["header cut mid-way", (entryStart: number) => entryStart + 10],
    ] as const
  ) {
    await t.step(name, async () => {
      await using zdb = await startTestServer();
      const client = zdb.client();
      const random = mulberry32(7);
      const values = [
        randomBytes(random, 100),
        randomBytes(random, 70_000),
        randomBytes(random, 100_000),
      ];
      for (const [i, value] of values.entries()) await client.set(`k${i}`, value);
      client.close();
      await zdb.server.close();
      const dir = join(zdb.dataDir, "ns", "default");
      const segment = join(dir, "seg-00000001.qzdb");
      const original = Deno.readFileSync(segment);
      const lastEntryStart = original.length - (ENTRY_HEADER_BYTES + 2 + values[2]!.length);
      const tornSize = tear(lastEntryStart);
      Deno.truncateSync(segment, tornSize);

      await zdb.restart();
      const reader = zdb.client();
      assertSameBytes(await reader.get("k0"), values[0]!, "k0");
      assertSameBytes(await reader.get("k1"), values[1]!, "k1");
      assert.equal(await reader.get("k2"), null);
      assert.equal(await reader.dbsize(), 2);
      assert.equal(Deno.statSync(segment).size, lastEntryStart);
      const aside = fileNames(dir).filter((file) => file.startsWith("seg-00000001.qzdb.torn-"));
      assert.equal(aside.length, 1, `files: ${fileNames(dir)}`);
      assert.deepEqual(
        Deno.readFileSync(join(dir, aside[0]!)),
        original.subarray(lastEntryStart, tornSize),
      );

      // Writing after the cut appends at the cut, and the next start finds nothing torn.
      assert.equal(text(await reader.set("k3", utf8("after"))), "k3");
      await zdb.restart();
      assert.equal(text(await zdb.client().get("k3")), "after");
      assert.equal(fileNames(dir).filter((file) => file.includes(".torn-")).length, 1);
    });
  }

  await t.step("garbage appended after the last entry", async () => {
    await using zdb = await startTestServer();
    const client = zdb.client();
    await client.set("a", utf8("alpha"));
    await client.set("b", utf8("beta"));
    client.close();
    await zdb.server.close();
    const dir = join(zdb.dataDir, "ns", "default");
    const segment = join(dir, "seg-00000001.qzdb");
    const sizeBefore = Deno.statSync(segment).size;
    const garbage = randomBytes(mulberry32(11), 1000);
    Deno.writeFileSync(segment, garbage, { append: true });

    await zdb.restart();
    const reader = zdb.client();
    assert.equal(text(await reader.get("a")), "alpha");
    assert.equal(text(await reader.get("b")), "beta");
    assert.equal(await reader.dbsize(), 2);
    assert.equal(Deno.statSync(segment).size, sizeBefore);
    const aside = fileNames(dir).filter((file) => file.includes(".torn-"));
    assert.equal(aside.length, 1);
    assert.deepEqual(Deno.readFileSync(join(dir, aside[0]!)), garbage);
  });
});
