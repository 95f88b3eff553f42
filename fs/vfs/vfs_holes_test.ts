import assert from "node:assert/strict";
import { EINVAL, ENOSPC, ENXIO, EOPNOTSUPP } from "../errno.ts";
import { isErrno, openTestVfs, pattern, ROOT } from "./_testing.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  O_RDWR,
  ROOT_INO,
  SEEK_DATA,
  SEEK_HOLE,
} from "./constants.ts";
import { checkMetadata } from "./meta_check.ts";
import type { Vfs } from "./vfs.ts";

const CHUNK = 4096;

async function sparseFile(vfs: Vfs) {
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "s",
    mode: 0o644,
    flags: O_RDWR,
  });
  // Data in chunk 0 (full), chunk 1 (first 100 bytes), chunk 5 (full), then a hole to the end.
  await vfs.write(ROOT, { fh, offset: 0, data: pattern(CHUNK + 100) });
  await vfs.write(ROOT, { fh, offset: 5 * CHUNK, data: pattern(CHUNK, 2) });
  await vfs.setattr(ROOT, attr.ino, { sizeBytes: 9 * CHUNK });
  return { ino: attr.ino, fh };
}

Deno.test("lseek() SEEK_DATA and SEEK_HOLE follow the chunk map, unflushed writes included", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { fh } = await sparseFile(vfs);
  const seek = (offset: number, whence: number) => vfs.lseek(ROOT, { fh, offset, whence });
  assert.equal(await seek(0, SEEK_DATA), 0);
  assert.equal(await seek(0, SEEK_HOLE), CHUNK + 100);
  assert.equal(await seek(CHUNK + 50, SEEK_DATA), CHUNK + 50);
  assert.equal(await seek(CHUNK + 100, SEEK_DATA), 5 * CHUNK);
  assert.equal(await seek(3 * CHUNK, SEEK_HOLE), 3 * CHUNK);
  assert.equal(await seek(5 * CHUNK + 1, SEEK_HOLE), 6 * CHUNK);
  await assert.rejects(seek(6 * CHUNK, SEEK_DATA), isErrno(ENXIO));
  assert.equal(await seek(8 * CHUNK, SEEK_HOLE), 8 * CHUNK);
  await assert.rejects(seek(9 * CHUNK, SEEK_HOLE), isErrno(ENXIO));
  await assert.rejects(seek(9 * CHUNK, SEEK_DATA), isErrno(ENXIO));
  await assert.rejects(seek(0, 2), isErrno(EINVAL));
  // A write not yet flushed counts as data.
  await vfs.write(ROOT, { fh, offset: 7 * CHUNK, data: new Uint8Array(10).fill(1) });
  assert.equal(await seek(6 * CHUNK, SEEK_DATA), 7 * CHUNK);
  await vfs.release(ROOT, fh);
});

Deno.test("lseek() SEEK_HOLE finds the end of a file with no holes", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "f", mode: 0o644, flags: 2 });
  await vfs.write(ROOT, { fh, offset: 0, data: pattern(3 * CHUNK) });
  assert.equal(await vfs.lseek(ROOT, { fh, offset: 10, whence: SEEK_HOLE }), 3 * CHUNK);
  assert.equal(await vfs.lseek(ROOT, { fh, offset: 10, whence: SEEK_DATA }), 10);
  await vfs.release(ROOT, fh);
});

Deno.test("fallocate() mode 0 grows the size; KEEP_SIZE does not; too much is ENOSPC", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, capacityBytes: 1 << 20 });
  const { vfs } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "f",
    mode: 0o644,
    flags: 2,
  });
  await vfs.fallocate(ROOT, { fh, offset: 100, lengthBytes: 1000 });
  assert.equal((await vfs.getattr(ROOT, attr.ino)).sizeBytes, 1100);
  await vfs.fallocate(ROOT, { fh, offset: 0, lengthBytes: 5000, mode: FALLOC_FL_KEEP_SIZE });
  assert.equal((await vfs.getattr(ROOT, attr.ino)).sizeBytes, 1100);
  await vfs.fallocate(ROOT, { fh, offset: 0, lengthBytes: 10 });
  assert.equal((await vfs.getattr(ROOT, attr.ino)).sizeBytes, 1100, "never shrinks");
  await assert.rejects(
    vfs.fallocate(ROOT, { fh, offset: 0, lengthBytes: 2 << 20 }),
    isErrno(ENOSPC),
  );
  await assert.rejects(
    vfs.fallocate(ROOT, { fh, offset: 0, lengthBytes: 10, mode: FALLOC_FL_PUNCH_HOLE }),
    isErrno(EOPNOTSUPP),
  );
  await assert.rejects(vfs.fallocate(ROOT, { fh, offset: 0, lengthBytes: 0 }), isErrno(EINVAL));
  await vfs.release(ROOT, fh);
});

Deno.test("fallocate() PUNCH_HOLE zeroes a range and frees whole chunks inside it", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK });
  const { vfs } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "f",
    mode: 0o644,
    flags: 2,
  });
  const data = pattern(6 * CHUNK);
  await vfs.write(ROOT, { fh, offset: 0, data });
  await vfs.fallocate(ROOT, {
    fh,
    offset: CHUNK + 10,
    lengthBytes: 3 * CHUNK,
    mode: FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
  });
  const expected = data.slice();
  expected.fill(0, CHUNK + 10, 4 * CHUNK + 10);
  assert.deepEqual(await vfs.read(ROOT, { fh, offset: 0, sizeBytes: 6 * CHUNK }), expected);
  const after = await vfs.getattr(ROOT, attr.ino);
  assert.equal(after.sizeBytes, 6 * CHUNK);
  assert.equal(after.blocks, Math.ceil((3 * CHUNK + 10) / 512), "chunks 2 and 3 freed, 1 cut");
  assert.equal(await vfs.lseek(ROOT, { fh, offset: CHUNK + 20, whence: SEEK_DATA }), 4 * CHUNK);
  assert.deepEqual(checkMetadata(t.store), []);
  await vfs.release(ROOT, fh);
});

Deno.test("statfs() reports the chunk directory's bound and use, and 255-byte names", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: CHUNK, capacityBytes: 1 << 20 });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "f", mode: 0o644, flags: 2 });
  await vfs.write(ROOT, { fh, offset: 0, data: pattern(3 * CHUNK) });
  await vfs.fsync(ROOT, fh);
  const stat = await vfs.statfs(ROOT);
  assert.equal(stat.blockSizeBytes * stat.blocks, 1 << 20);
  assert.equal(stat.blocks - stat.blocksFree, 3);
  assert.equal(stat.nameBytesMax, 255);
  assert.ok(stat.files - stat.filesFree === 2, "the root and f");
  const dh = await vfs.opendir(ROOT, ROOT_INO);
  await vfs.fsyncdir(ROOT, dh);
  await vfs.release(ROOT, fh);
});
