import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { cachedPages, evict } from "../_page_cache_testing.ts";
import { CommitBatch } from "./meta_batch.ts";
import { WAL_IDLE_GAP_MS, WAL_WARM_INTERVAL_MS, WalWarmer } from "./wal_warmer.ts";

Deno.test("the log is read ahead after an idle gap, and at most once per interval otherwise", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qsfs-wal-warmer-" });
  let nowMs = 0;
  const warmer = new WalWarmer(`${dir}/db-wal`, () => nowMs);
  try {
    warmer.beforeCommit();
    assert.equal(warmer.warmings, 0, "no log yet: nothing to read, and no error");
    await Deno.writeFile(`${dir}/db-wal`, new Uint8Array(64 * 1024));
    nowMs = WAL_IDLE_GAP_MS; // The first commit with a log comes after an idle gap.
    warmer.beforeCommit();
    assert.equal(warmer.warmings, 1);
    // Busy: commits closer together than the gap, until the interval has passed.
    const stepMs = WAL_IDLE_GAP_MS / 2;
    for (let elapsedMs = stepMs; elapsedMs < WAL_WARM_INTERVAL_MS; elapsedMs += stepMs) {
      nowMs += stepMs;
      warmer.beforeCommit();
    }
    assert.equal(warmer.warmings, 1, "busy within the interval");
    nowMs += stepMs;
    warmer.beforeCommit();
    assert.equal(warmer.warmings, 2, "busy past the interval");
    nowMs += WAL_IDLE_GAP_MS;
    warmer.beforeCommit();
    assert.equal(warmer.warmings, 3, "after an idle gap");
  } finally {
    warmer.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a commit after an idle gap brings the whole evicted log back into the page cache", async () => {
  // On a disk-backed directory: tmpfs pages cannot be evicted.
  const dir = await Deno.makeTempDir({ prefix: "qsfs-wal-warmer-", dir: "/var/tmp" });
  const path = `${dir}/m.sqlite`;
  const db = new DatabaseSync(path);
  let nowMs = 0;
  const warmer = new WalWarmer(`${path}-wal`, () => nowMs);
  try {
    db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL;
             PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (v BLOB)`);
    const batch = new CommitBatch(db, () => {}, () => warmer.beforeCommit());
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    // ~12 MiB of log, larger than one readahead window of most disks.
    batch.runNow(() => {
      for (let i = 0; i < 3000; i++) insert.run(crypto.getRandomValues(new Uint8Array(3000)));
    });
    const walBytes = Deno.statSync(`${path}-wal`).size;
    assert.ok(walBytes > 8 * 1024 * 1024, `log of ${walBytes} bytes`);
    evict(`${path}-wal`);
    const cached = () => cachedPages(`${path}-wal`, walBytes).reduce((sum, bit) => sum + bit, 0);
    assert.equal(cached(), 0, "pages left in the cache after the eviction");

    nowMs += WAL_IDLE_GAP_MS;
    batch.runNow(() => insert.run(new Uint8Array(10)));
    // Without the read-ahead only the page the commit wrote would come back.
    const pageCount = Math.ceil(walBytes / 4096);
    const deadlineMs = Date.now() + 20_000;
    let found: number;
    while ((found = cached()) < pageCount) {
      assert.ok(Date.now() < deadlineMs, `only ${found} of ${pageCount} log pages were read in`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    warmer.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
