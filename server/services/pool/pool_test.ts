/** The pool's geometry rules and pool.json, the file a home remembers them in. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  chooseGeometry,
  defaultGeometry,
  GeometryError,
  readPoolSettings,
  writePoolSettings,
} from "./mod.ts";

Deno.test("default geometry: a fifth of the nodes for parity, 16+4 from 20 nodes, none below 3", () => {
  const shown = [1, 2, 3, 4, 5, 6, 10, 12, 19, 20, 64].map((count) => {
    const geometry = defaultGeometry(count);
    return geometry === undefined
      ? `${count}:-`
      : `${count}:${geometry.dataShards}+${geometry.parityShards}`;
  });
  assert.deepEqual(shown, [
    "1:-",
    "2:-",
    "3:2+1",
    "4:3+1",
    "5:4+1",
    "6:4+2",
    "10:8+2",
    "12:9+3",
    "19:15+4",
    "20:16+4",
    "64:16+4",
  ]);
});

Deno.test("chooseGeometry: remembered wins, a different request is refused, too few nodes explained", () => {
  assert.deepEqual(chooseGeometry(6, undefined, undefined), { dataShards: 4, parityShards: 2 });
  assert.deepEqual(chooseGeometry(8, { dataShards: 3, parityShards: 3 }, undefined), {
    dataShards: 3,
    parityShards: 3,
  });
  const remembered = { dataShards: 4, parityShards: 2 };
  assert.deepEqual(chooseGeometry(9, undefined, remembered), remembered);
  assert.deepEqual(chooseGeometry(9, { dataShards: 4, parityShards: 2 }, remembered), remembered);
  assert.throws(
    () => chooseGeometry(9, { dataShards: 5, parityShards: 2 }, remembered),
    (error: unknown) =>
      error instanceof GeometryError && /this home's filesystem is cut 4\+2/.test(error.message),
  );
  assert.throws(
    () => chooseGeometry(2, undefined, undefined),
    /Cannot make a pool of 2 storage node\(s\): qsfs needs at least 3/,
  );
  assert.throws(
    () => chooseGeometry(5, undefined, remembered),
    /Cannot use a 4\+2 pool on 5 storage node\(s\): it needs 6.*create 1 more/,
  );
  assert.deepEqual(chooseGeometry(2, { dataShards: 1, parityShards: 1 }, undefined), {
    dataShards: 1,
    parityShards: 1,
  });
  assert.throws(
    () => chooseGeometry(9, { dataShards: 0, parityShards: 2 }, undefined),
    /at least 1/,
  );
});

Deno.test("pool.json: written 0600, read back; absent, newer and damaged files are told apart", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_pool_settings_" });
  try {
    assert.equal(await readPoolSettings(home), undefined);
    const settings = { dataShards: 4, parityShards: 2, stateDir: join(home, "fs") };
    await writePoolSettings(home, settings);
    assert.deepEqual(await readPoolSettings(home), settings);
    assert.equal((await Deno.stat(join(home, "pool.json"))).mode! & 0o777, 0o600);
    const file = JSON.parse(await Deno.readTextFile(join(home, "pool.json")));
    assert.deepEqual(file, { format: "qsfs-pool", formatVersion: 1, ...settings });

    await Deno.writeTextFile(
      join(home, "pool.json"),
      JSON.stringify({ ...file, formatVersion: 2 }),
    );
    await assert.rejects(readPoolSettings(home), /format version 2, newer than this qsfs \(1\)/);
    await Deno.writeTextFile(join(home, "pool.json"), "{");
    await assert.rejects(readPoolSettings(home), /it is not JSON/);
    await Deno.writeTextFile(join(home, "pool.json"), JSON.stringify({ ...file, stateDir: 3 }));
    await assert.rejects(readPoolSettings(home), /stateDir is missing/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
