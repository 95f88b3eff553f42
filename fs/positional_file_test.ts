import assert from "node:assert/strict";
import { PositionalFile } from "./positional_file.ts";

const PAGE = 4096;
const POSIX_FADV_DONTNEED = 4;

/** Drops the file's pages from the page cache (POSIX_FADV_DONTNEED), so reads go to the disk. */
function evict(path: string): void {
  const libc = Deno.dlopen("libc.so.6", {
    open: { parameters: ["buffer", "i32"], result: "i32" },
    fdatasync: { parameters: ["i32"], result: "i32" },
    posix_fadvise: { parameters: ["i32", "i64", "i64", "i32"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
  });
  try {
    const fd = libc.symbols.open(new TextEncoder().encode(`${path}\0`), 0);
    assert.ok(fd >= 0, `open ${path}`);
    libc.symbols.fdatasync(fd); // Dirty pages would stay.
    assert.equal(libc.symbols.posix_fadvise(fd, 0n, 0n, POSIX_FADV_DONTNEED), 0);
    libc.symbols.close(fd);
  } finally {
    libc.close();
  }
}

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
