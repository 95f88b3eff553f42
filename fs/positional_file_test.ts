import assert from "node:assert/strict";
import { PositionalFile } from "./positional_file.ts";
import { cachedPages, evict } from "./_page_cache_testing.ts";

const PAGE = 4096;

Deno.test("readSoonAt() reads what readAt() reads: pages, spans, the end, views, evicted pages", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qsfs-positional-" });
  try {
    const path = `${dir}/f`;
    const data = crypto.getRandomValues(new Uint8Array(3 * PAGE + 100));
    await Deno.writeFile(path, data);
    const file = new PositionalFile(path);
    try {
      const cases: [offset: number, length: number][] = [
        [0, PAGE],
        [PAGE, PAGE],
        [PAGE - 100, 1000], // Across two pages.
        [3 * PAGE, PAGE], // Past the end: 100 bytes.
        [3 * PAGE + 100, PAGE], // At the end: nothing.
        [10, 20], // Small: a plain read.
      ];
      for (const evicted of [false, true]) {
        if (evicted) evict(path);
        for (const [offset, length] of cases) {
          // A view into a larger buffer: the bytes must land at the view, not the buffer's start.
          const backing = new Uint8Array(length + 64).fill(0xee);
          const into = backing.subarray(32, 32 + length);
          const read = file.readSoonAt(offset, into);
          const want = data.subarray(offset, Math.min(data.length, offset + length));
          assert.equal(read, want.length, `bytes read at ${offset} (evicted ${evicted})`);
          assert.deepEqual(into.subarray(0, read), want);
          assert.ok(backing.subarray(0, 32).every((byte) => byte === 0xee), "before the view");
          assert.ok(backing.subarray(32 + length).every((byte) => byte === 0xee), "after the view");
        }
      }
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefetch() brings a range larger than one readahead window into the page cache", async () => {
  // On a disk-backed directory: tmpfs pages cannot be evicted.
  const dir = await Deno.makeTempDir({ prefix: "qsfs-positional-", dir: "/var/tmp" });
  try {
    const path = `${dir}/f`;
    // Larger than the kernel's readahead window per request (128 KiB by default, 8 MiB here).
    const sizeBytes = 40 * 1024 * 1024;
    await Deno.writeFile(path, new Uint8Array(sizeBytes).fill(7));
    evict(path);
    const countCached = () => cachedPages(path, sizeBytes).reduce((sum, bit) => sum + bit, 0);
    assert.equal(countCached(), 0, "pages left in the cache after the eviction");
    const file = new PositionalFile(path);
    try {
      file.prefetch(0, sizeBytes);
      // The reads run in the background: wait, with a deadline, until every page is in.
      const pageCount = sizeBytes / PAGE;
      const deadlineMs = Date.now() + 20_000;
      let cached: number;
      while ((cached = countCached()) < pageCount) {
        assert.ok(Date.now() < deadlineMs, `only ${cached} of ${pageCount} pages were read in`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
