/** Test helpers: drop a file's pages from the page cache, and see which are in it. */

import assert from "node:assert/strict";

const PAGE = 4096;
const POSIX_FADV_DONTNEED = 4;

/** Drops the file's pages from the page cache (POSIX_FADV_DONTNEED), so reads go to the disk. */
export function evict(path: string): void {
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

/**
 * Which pages of `path` (the first `sizeBytes`) are in the page cache: mincore(2)
 * on a mapping of it, which, unlike a read, never starts one.
 */
export function cachedPages(path: string, sizeBytes: number): Uint8Array {
  const libc = Deno.dlopen("libc.so.6", {
    open: { parameters: ["buffer", "i32"], result: "i32" },
    mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
    mincore: { parameters: ["pointer", "usize", "buffer"], result: "i32" },
    munmap: { parameters: ["pointer", "usize"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
  });
  try {
    const fd = libc.symbols.open(new TextEncoder().encode(`${path}\0`), 0);
    assert.ok(fd >= 0, `open ${path}`);
    const PROT_READ = 1;
    const MAP_SHARED = 1;
    const mapping = libc.symbols.mmap(null, BigInt(sizeBytes), PROT_READ, MAP_SHARED, fd, 0n);
    libc.symbols.close(fd);
    assert.ok(mapping !== null && Deno.UnsafePointer.value(mapping) !== -1n, "mmap");
    const pages = new Uint8Array(Math.ceil(sizeBytes / PAGE));
    try {
      assert.equal(libc.symbols.mincore(mapping, BigInt(sizeBytes), pages), 0, "mincore");
    } finally {
      libc.symbols.munmap(mapping, BigInt(sizeBytes));
    }
    return pages.map((flags) => flags & 1);
  } finally {
    libc.close();
  }
}
