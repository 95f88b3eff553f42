// Unit tests of the namespace log: replay, rotation, flush markers, torn tails and damage.
import assert from "node:assert/strict";
import { join } from "node:path";
import { nullLogger } from "../../../lib/log.ts";
import { ENTRY_HEADER_BYTES, EntryKind, SEGMENT_HEADER_BYTES } from "./entry_format.ts";
import { Namespace, type NamespaceSettings } from "./namespace.ts";
import { type ReplayedEntry, SegmentLog } from "./segment_log.ts";

const encoder = new TextEncoder();

function settings(mode: "user" | "seq" = "user"): NamespaceSettings {
  return {
    name: "t",
    password: null,
    maxsizeBytes: 0,
    public: true,
    worm: false,
    mode,
    lock: "none",
  };
}

function openLog(dir: string, segmentMaxBytes?: number) {
  const replayed: ReplayedEntry[] = [];
  const log = SegmentLog.open(
    dir,
    { logger: nullLogger, segmentMaxBytes },
    (e) => replayed.push(e),
  );
  return { log, replayed };
}

function segmentFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((item) => item.name).filter((name) =>
    name.startsWith("seg-")
  ).sort();
}

Deno.test("SegmentLog replays every appended entry in order after reopening", () => {
  const dir = Deno.makeTempDirSync();
  const { log } = openLog(dir);
  for (let i = 0; i < 50; i++) {
    log.append(EntryKind.Set, encoder.encode(`k${i}`), encoder.encode(`v${i}`), i);
  }
  log.append(EntryKind.Delete, encoder.encode("k3"), new Uint8Array(0), 99);
  log.close();
  const { log: reopened, replayed } = openLog(dir);
  assert.equal(replayed.length, 51);
  assert.deepEqual(new TextDecoder().decode(replayed[7]!.key), "k7");
  assert.equal(replayed[50]!.kind, EntryKind.Delete);
  const value = new Uint8Array(replayed[7]!.location.valueLength);
  assert.ok(reopened.readValue(replayed[7]!.location, value));
  assert.equal(new TextDecoder().decode(value), "v7");
  reopened.close();
});

Deno.test("SegmentLog replays the right keys when values cross its read window", () => {
  // The replay reads the newest segment through a 4 MiB window; values that straddle it
  // must not disturb the keys read before them.
  const dir = Deno.makeTempDirSync();
  const { log } = openLog(dir);
  const keys: string[] = [];
  for (let i = 0; i < 48; i++) {
    keys.push(`key-${i}`);
    log.append(EntryKind.Set, encoder.encode(`key-${i}`), new Uint8Array(200_000 + i).fill(i), 0);
  }
  log.close();
  const { log: reopened, replayed } = openLog(dir);
  assert.deepEqual(replayed.map((e) => new TextDecoder().decode(e.key)), keys);
  const last = replayed[47]!.location;
  const value = new Uint8Array(last.valueLength);
  assert.ok(reopened.readValue(last, value));
  assert.ok(value.every((byte) => byte === 47));
  reopened.close();
});

Deno.test("SegmentLog starts a new segment when the next entry would pass the size limit", () => {
  const dir = Deno.makeTempDirSync();
  const { log } = openLog(dir, 4096);
  for (let i = 0; i < 10; i++) {
    log.append(EntryKind.Set, encoder.encode(`k${i}`), new Uint8Array(1000), 0);
  }
  log.close();
  const files = segmentFiles(dir);
  assert.ok(files.length >= 3, `expected several segments, got ${files}`);
  for (const name of files) assert.ok(Deno.statSync(join(dir, name)).size <= 4096);
  const { replayed, log: reopened } = openLog(dir, 4096);
  assert.equal(replayed.length, 10);
  reopened.close();
});

Deno.test("SegmentLog cuts a torn tail off the newest segment and keeps the bytes aside", () => {
  const dir = Deno.makeTempDirSync();
  const { log } = openLog(dir);
  log.append(EntryKind.Set, encoder.encode("a"), encoder.encode("first"), 0);
  const second = log.append(EntryKind.Set, encoder.encode("b"), new Uint8Array(5000).fill(7), 0);
  log.close();
  const path = join(dir, segmentFiles(dir)[0]!);
  const size = Deno.statSync(path).size;
  Deno.truncateSync(path, second.valueOffset + 100);
  const { log: reopened, replayed } = openLog(dir);
  assert.deepEqual(replayed.map((e) => new TextDecoder().decode(e.key)), ["a"]);
  const goodEnd = SEGMENT_HEADER_BYTES + ENTRY_HEADER_BYTES + 1 + 5;
  assert.equal(Deno.statSync(path).size, goodEnd);
  const aside = [...Deno.readDirSync(dir)].find((item) => item.name.includes(".torn-"));
  assert.ok(aside !== undefined);
  assert.equal(Deno.statSync(join(dir, aside.name)).size, second.valueOffset + 100 - goodEnd);
  assert.ok(size > goodEnd);
  // The log goes on appending after the cut.
  reopened.append(EntryKind.Set, encoder.encode("c"), encoder.encode("after"), 0);
  reopened.close();
  assert.equal(openLog(dir).replayed.length, 2);
});

Deno.test("SegmentLog never serves a value whose bytes rotted on disk", () => {
  const dir = Deno.makeTempDirSync();
  const { log } = openLog(dir);
  const location = log.append(EntryKind.Set, encoder.encode("a"), encoder.encode("precious"), 0);
  const path = join(dir, segmentFiles(dir)[0]!);
  const bytes = Deno.readFileSync(path);
  bytes[location.valueOffset + 2]! ^= 0x10;
  Deno.writeFileSync(path, bytes);
  assert.equal(log.readValue(location, new Uint8Array(location.valueLength)), false);
  assert.equal(log.stats.dataFaults, 1);
  log.close();
});

Deno.test("SegmentLog keeps a damaged sealed segment intact and counts the fault", () => {
  const dir = Deno.makeTempDirSync();
  const { log } = openLog(dir, 2048);
  for (let i = 0; i < 6; i++) {
    log.append(EntryKind.Set, encoder.encode(`k${i}`), new Uint8Array(900), 0);
  }
  log.close();
  const first = join(dir, segmentFiles(dir)[0]!);
  const bytes = Deno.readFileSync(first);
  bytes[SEGMENT_HEADER_BYTES + 5]! ^= 0xff; // the first entry's key length
  Deno.writeFileSync(first, bytes);
  const { log: reopened, replayed } = openLog(dir, 2048);
  assert.equal(reopened.stats.dataFaults, 1);
  assert.deepEqual(Deno.readFileSync(first), bytes);
  assert.ok(replayed.length < 6 && replayed.length > 0);
  reopened.close();
});

Deno.test("Namespace.flush() empties the namespace, also when a crash left old segments", async () => {
  const dir = Deno.makeTempDirSync();
  const namespace = Namespace.open(dir, settings("seq"), { logger: nullLogger });
  namespace.put(new Uint8Array(8), encoder.encode("x"), 0);
  namespace.allocateSeqId();
  const oldName = segmentFiles(dir)[0]!;
  const oldBytes = Deno.readFileSync(join(dir, oldName));
  await namespace.flush(0);
  assert.equal(namespace.entryCount, 0);
  assert.equal(namespace.nextSeqId, 0);
  assert.deepEqual(segmentFiles(dir).length, 1);
  namespace.log.close();
  // The crash window: the old segment is back beside the flush marker's segment.
  Deno.writeFileSync(join(dir, oldName), oldBytes);
  const reopened = Namespace.open(dir, settings("seq"), { logger: nullLogger });
  assert.equal(segmentFiles(dir).length, 2);
  assert.equal(reopened.entryCount, 0);
  reopened.log.close();
});

Deno.test("Namespace rebuilds live size, entries and the next sequential id from its log", () => {
  const dir = Deno.makeTempDirSync();
  const namespace = Namespace.open(dir, settings("seq"), { logger: nullLogger });
  const ids = [namespace.allocateSeqId(), namespace.allocateSeqId(), namespace.allocateSeqId()];
  const keys = ids.map((id) => {
    const key = new Uint8Array(8);
    new DataView(key.buffer).setBigUint64(0, BigInt(id), true);
    return key;
  });
  keys.forEach((key, i) => namespace.put(key, new Uint8Array(10 * (i + 1)), 0));
  namespace.remove(namespace.lookup(keys[1]!)!, 0);
  namespace.log.close();
  const reopened = Namespace.open(dir, settings("seq"), { logger: nullLogger });
  assert.equal(reopened.entryCount, 2);
  assert.equal(reopened.liveDataBytes, 10 + 30);
  assert.equal(reopened.nextSeqId, 3);
  assert.equal(reopened.scan(undefined, true, 10).length, 2);
  reopened.log.close();
});
