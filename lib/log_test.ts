import assert from "node:assert/strict";
import { join } from "node:path";
import { createLogger, formatRecord, isLogLevel, nullLogger } from "./log.ts";

const FIXED_TIME = new Date("2025-01-02T03:04:05.678Z");

function readLines(path: string): string[] {
  return Deno.readTextFileSync(path).split("\n").filter((line) => line !== "");
}

Deno.test("createLogger() drops records below its level", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "qsfs.log");
    const log = createLogger({ level: "warn", stderr: false, filePath: path });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    log.close();
    const lines = readLines(path);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\S+Z WARN w$/);
    assert.match(lines[1]!, /^\S+Z ERROR e$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createLogger() writes fields, child context and one line per record", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "qsfs.log");
    const log = createLogger({
      level: "debug",
      stderr: false,
      filePath: path,
      now: () => FIXED_TIME,
    });
    log.child({ ns: "default", port: 9900 }).info("two\nlines", { size: 3, note: "a b" });
    log.close();
    assert.deepEqual(readLines(path), [
      '2025-01-02T03:04:05.678Z INFO two\\nlines ns=default port=9900 size=3 note="a b"',
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createLogger() creates its file and directory for the owner only", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "logs", "qsfs.log");
    const log = createLogger({ level: "info", stderr: false, filePath: path });
    log.info("x");
    log.close();
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    assert.equal(Deno.statSync(join(dir, "logs")).mode! & 0o777, 0o700);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("formatRecord() redacts fields named like secrets, nested ones too", () => {
  const line = formatRecord(FIXED_TIME, "info", "login", {
    adminPassword: "hunter2",
    apiToken: "t0k",
    mnemonic: "abandon abandon",
    seed: new Uint8Array(32),
    secretKey: "k",
    user: "alice",
    nested: { passwd: "p", ok: 1, deeper: [{ privateKey: "pk" }] },
  });
  for (const secret of ["hunter2", "t0k", "abandon", "<32 bytes>", '"k"', '"p"', "pk"]) {
    assert.ok(!line.includes(secret), `${secret} leaked in ${line}`);
  }
  assert.match(line, / adminPassword=\[redacted\] apiToken=\[redacted\] mnemonic=\[redacted\]/);
  assert.match(line, / user=alice /);
  assert.match(line, /nested=\{"passwd":"\[redacted\]","ok":1,"deeper":\[\{"privateKey":"\[re/);
});

Deno.test("formatRecord() redacts secret fields that come from child context", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "qsfs.log");
    const log = createLogger({ level: "info", stderr: false, filePath: path });
    log.child({ token: "abc123" }).info("request");
    log.close();
    const text = Deno.readTextFileSync(path);
    assert.ok(!text.includes("abc123"));
    assert.match(text, /token=\[redacted\]/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("formatRecord() renders errors, bigints and empty strings", () => {
  const line = formatRecord(FIXED_TIME, "error", "failed", {
    error: new TypeError("bad thing"),
    offset: 12n,
    empty: "",
    missing: undefined,
  });
  assert.equal(
    line,
    '2025-01-02T03:04:05.678Z ERROR failed error="TypeError: bad thing" offset=12 empty=""\n',
  );
});

Deno.test("createLogger() rotates its file by size and keeps fileKeep old files", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "qsfs.log");
    const log = createLogger({
      level: "info",
      stderr: false,
      filePath: path,
      fileMaxBytes: 100,
      fileKeep: 2,
      now: () => FIXED_TIME,
    });
    // Each line is 41 bytes ("2025-01-02T03:04:05.678Z INFO line 0 n=0\n"): two fit in 100.
    for (let index = 0; index < 7; index++) log.info(`line ${index}`, { n: index });
    log.close();
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
    assert.deepEqual(names, ["qsfs.log", "qsfs.log.1", "qsfs.log.2"]);
    assert.deepEqual(readLines(path).map((line) => line.split(" ")[3]), ["6"]);
    assert.deepEqual(readLines(`${path}.1`).map((line) => line.split(" ")[3]), ["4", "5"]);
    assert.deepEqual(readLines(`${path}.2`).map((line) => line.split(" ")[3]), ["2", "3"]);
    for (const name of names) assert.ok(Deno.statSync(join(dir, name)).size <= 100);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createLogger() appends to an existing file and counts its size", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "qsfs.log");
    Deno.writeTextFileSync(path, "x".repeat(90) + "\n");
    const log = createLogger({ level: "info", stderr: false, filePath: path, fileMaxBytes: 100 });
    log.info("next");
    log.close();
    assert.equal(readLines(`${path}.1`)[0], "x".repeat(90));
    assert.match(readLines(path)[0]!, / INFO next$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("createLogger() with fileKeep 0 starts the file over", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "qsfs.log");
    const log = createLogger({
      level: "info",
      stderr: false,
      filePath: path,
      fileMaxBytes: 40,
      fileKeep: 0,
    });
    log.info("first");
    log.info("second");
    log.close();
    assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), ["qsfs.log"]);
    assert.match(Deno.readTextFileSync(path), /^\S+ INFO second\n$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("nullLogger and isLogLevel()", () => {
  nullLogger.child({ a: 1 }).error("nothing happens");
  assert.ok(isLogLevel("warn"));
  assert.ok(!isLogLevel("verbose"));
});
