import assert from "node:assert/strict";
import { isRetriableZdbError, ZdbClient } from "../../fs/zdb/mod.ts";
import {
  assertSameBytes,
  mulberry32,
  randomBytes,
  randomInt,
  text,
  waitFor,
} from "../../fs/zdb/_testing.ts";
import { freePortBelowEphemeralRange, spawnZdb, type ZdbProcess } from "./_server_process.ts";

const RESTARTS = 4;
const PIPELINE_DEPTH = 4;

Deno.test("ZdbClient writing to A through server restarts never writes into B", async () => {
  // Proves every reconnect re-selects A before queued writes: B and default stay empty, A has all.
  const dataDir = Deno.makeTempDirSync({ prefix: "qsfs-zdb-reconnect-" });
  const random = mulberry32(77);
  // A port nothing else takes while the server is down between a kill and a restart.
  const port = freePortBelowEphemeralRange();
  let server: ZdbProcess = await spawnZdb({ dataDir, port, adminPassword: "adm" });
  const address = { hostname: "127.0.0.1", port };
  try {
    const admin = new ZdbClient({ address, adminPassword: "adm" });
    for (const name of ["A", "B"]) {
      await admin.nsnew(name);
      await admin.nsset(name, "password", `${name}-pw`);
      await admin.nsset(name, "public", 0);
    }
    admin.close();

    const writer = new ZdbClient({
      address,
      namespace: "A",
      password: "A-pw",
      commandTimeoutMs: 5_000,
      reconnectAttemptsMax: 50,
      reconnectDelayMs: 20,
      reconnectDelayMsMax: 100,
    });
    const acked = new Map<string, Uint8Array>();
    let sent = 0;
    let failed = 0;
    let stop = false;
    const writing = (async () => {
      const running = new Set<Promise<void>>();
      while (!stop) {
        const key = `w${sent++}`;
        const value = randomBytes(random, randomInt(random, 0, 4096));
        const write = writer.set(key, value).then(
          () => void acked.set(key, value),
          (error) => {
            assert.ok(isRetriableZdbError(error), `write ${key} failed with ${error}`);
            failed++;
          },
        ).finally(() => running.delete(write));
        running.add(write);
        if (running.size >= PIPELINE_DEPTH) await Promise.race(running);
      }
      await Promise.all(running);
    })();

    try {
      for (let restart = 0; restart < RESTARTS; restart++) {
        const target = acked.size + randomInt(random, 20, 80);
        await waitFor(`${target} acknowledged writes`, () => acked.size >= target, 30_000);
        await server.kill9();
        server = await spawnZdb({ dataDir, port, adminPassword: "adm" });
      }
      const target = acked.size + 20;
      await waitFor(`${target} acknowledged writes`, () => acked.size >= target, 30_000);
    } finally {
      stop = true;
      await writing;
      writer.close();
    }

    const checkB = new ZdbClient({ address, namespace: "B", password: "B-pw" });
    const checkDefault = new ZdbClient({ address });
    const checkA = new ZdbClient({ address, namespace: "A", password: "A-pw" });
    try {
      assert.equal(await checkB.dbsize(), 0, "B received writes");
      assert.equal(await checkB.scan(), null, "B lists entries");
      assert.equal(await checkDefault.dbsize(), 0, "default received writes");
      for (const [key, value] of acked) assertSameBytes(await checkA.get(key), value, key);
      let page = await checkA.scan();
      let listed = 0;
      while (page !== null) {
        for (const entry of page.entries) {
          assert.match(text(entry.key)!, /^w\d+$/);
          assert.ok(Number(text(entry.key)!.slice(1)) < sent, "A lists a key never sent");
          listed++;
        }
        page = await checkA.scan(page.cursor);
      }
      assert.ok(listed >= acked.size && listed <= acked.size + failed, `A lists ${listed}`);
      console.log(
        `${acked.size} acknowledged, ${failed} cut by ${RESTARTS} restarts, ${listed} in A`,
      );
    } finally {
      checkA.close();
      checkB.close();
      checkDefault.close();
    }
    assert.equal(await server.stop(), 0, server.stderr());
  } finally {
    await server.kill9();
    Deno.removeSync(dataDir, { recursive: true });
  }
});
