import assert from "node:assert/strict";
import {
  EEXIST,
  EINVAL,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
} from "../errno.ts";
import { ALICE, bytes, isErrno, openTestVfs, pattern, ROOT, text } from "./_testing.ts";
import {
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  ROOT_INO,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "./constants.ts";
import { REFS_RESERVED_MIN } from "./_file_flush.ts";
import { checkMetadata } from "./meta_check.ts";
import type { Timespec } from "./types.ts";

/** A clock the test moves by hand. */
function manualClock() {
  const clock = { now: { sec: 1_000, nsec: 5 } as Timespec, read: () => clock.now };
  return clock;
}

Deno.test("mkdir(), mknod() and symlink() make nodes that lookup() finds", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "d", mode: 0o755 });
  assert.equal(dir.mode, S_IFDIR | 0o755);
  assert.equal(dir.nlink, 2);
  assert.equal((await vfs.getattr(ROOT, ROOT_INO)).nlink, 3);
  const fifo = await vfs.mknod(ROOT, { parent: dir.ino, name: "p", mode: S_IFIFO | 0o644 });
  assert.equal(fifo.mode & S_IFMT, S_IFIFO);
  const file = await vfs.mknod(ROOT, { parent: dir.ino, name: "f", mode: 0o600, umask: 0o022 });
  assert.equal(file.mode, S_IFREG | 0o600);
  const device = await vfs.mknod(ROOT, {
    parent: dir.ino,
    name: "c",
    mode: S_IFCHR | 0o600,
    rdev: 259,
  });
  assert.equal(device.rdev, 259);
  await assert.rejects(
    vfs.mknod(ALICE, { parent: ROOT_INO, name: "c", mode: S_IFCHR | 0o600 }),
    isErrno(EPERM),
  );
  const link = await vfs.symlink(ROOT, { parent: dir.ino, name: "l", target: "../x/y" });
  assert.equal(link.mode, S_IFLNK | 0o777);
  assert.equal(link.sizeBytes, 6);
  assert.equal(text(await vfs.readlink(ROOT, link.ino)), "../x/y");
  await assert.rejects(vfs.readlink(ROOT, file.ino), isErrno(EINVAL));
  assert.equal((await vfs.lookup(ROOT, dir.ino, "f")).ino, file.ino);
  assert.equal((await vfs.lookup(ROOT, dir.ino, ".")).ino, dir.ino);
  assert.equal((await vfs.lookup(ROOT, dir.ino, "..")).ino, ROOT_INO);
  await assert.rejects(vfs.lookup(ROOT, dir.ino, "nope"), isErrno(ENOENT));
  await assert.rejects(vfs.lookup(ROOT, file.ino, "x"), isErrno(ENOTDIR));
  await assert.rejects(
    vfs.mkdir(ROOT, { parent: dir.ino, name: "f", mode: 0o755 }),
    isErrno(EEXIST),
  );
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("names: 255 bytes work, 256 are ENAMETOOLONG; any bytes but / and NUL", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const longest = "é".repeat(127) + "x";
  assert.equal(bytes(longest).length, 255);
  await vfs.mknod(ROOT, { parent: ROOT_INO, name: longest, mode: 0o644 });
  await assert.rejects(
    vfs.mknod(ROOT, { parent: ROOT_INO, name: "x".repeat(256), mode: 0o644 }),
    isErrno(ENAMETOOLONG),
  );
  await assert.rejects(vfs.lookup(ROOT, ROOT_INO, "y".repeat(256)), isErrno(ENAMETOOLONG));
  await assert.rejects(
    vfs.mknod(ROOT, { parent: ROOT_INO, name: "a/b", mode: 0o644 }),
    isErrno(EINVAL),
  );
  const raw = new Uint8Array([0xff, 0xfe, 0x41]);
  const attr = await vfs.mknod(ROOT, { parent: ROOT_INO, name: raw, mode: 0o644 });
  assert.equal((await vfs.lookup(ROOT, ROOT_INO, raw)).ino, attr.ino);
  const dh = await vfs.opendir(ROOT, ROOT_INO);
  const names = (await vfs.readdir(ROOT, { fh: dh, offset: 0 })).map((entry) => entry.name);
  assert.ok(names.some((name) => name.length === 3 && name[0] === 0xff));
});

Deno.test("create() with O_EXCL refuses an existing name; without it opens the file", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const first = await vfs.create(ROOT, { parent: ROOT_INO, name: "c", mode: 0o444, flags: O_RDWR });
  await vfs.write(ROOT, { fh: first.fh, offset: 0, data: bytes("hi") });
  await assert.rejects(
    vfs.create(ROOT, { parent: ROOT_INO, name: "c", mode: 0o644, flags: O_RDWR | O_EXCL }),
    isErrno(EEXIST),
  );
  const second = await vfs.create(ROOT, { parent: ROOT_INO, name: "c", mode: 0o644, flags: 0 });
  assert.equal(second.attr.ino, first.attr.ino);
  assert.equal(second.attr.sizeBytes, 2);
  assert.equal(second.attr.mode & 0o777, 0o444, "the existing file keeps its mode");
  await vfs.release(ROOT, first.fh);
  await vfs.release(ROOT, second.fh);
});

Deno.test("link() counts names in nlink; unlink() removes the inode with the last one", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ROOT, { parent: ROOT_INO, name: "a", mode: 0o644 });
  const dir = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "d", mode: 0o755 });
  assert.equal(
    (await vfs.link(ROOT, { ino: file.ino, newParent: dir.ino, newName: "b" })).nlink,
    2,
  );
  assert.equal(
    (await vfs.link(ROOT, { ino: file.ino, newParent: ROOT_INO, newName: "c" })).nlink,
    3,
  );
  await assert.rejects(
    vfs.link(ROOT, { ino: file.ino, newParent: ROOT_INO, newName: "c" }),
    isErrno(EEXIST),
  );
  await assert.rejects(
    vfs.link(ROOT, { ino: dir.ino, newParent: ROOT_INO, newName: "d2" }),
    isErrno(EPERM),
  );
  await vfs.unlink(ROOT, ROOT_INO, "a");
  assert.equal((await vfs.lookup(ROOT, dir.ino, "b")).nlink, 2);
  await vfs.unlink(ROOT, dir.ino, "b");
  await vfs.unlink(ROOT, ROOT_INO, "c");
  await assert.rejects(vfs.getattr(ROOT, file.ino), isErrno(ENOENT));
  await assert.rejects(vfs.unlink(ROOT, ROOT_INO, "c"), isErrno(ENOENT));
  await assert.rejects(vfs.unlink(ROOT, ROOT_INO, "d"), isErrno(EISDIR));
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("rmdir() removes empty directories only", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "d", mode: 0o755 });
  await vfs.mkdir(ROOT, { parent: dir.ino, name: "sub", mode: 0o755 });
  assert.equal((await vfs.getattr(ROOT, dir.ino)).nlink, 3);
  await vfs.mknod(ROOT, { parent: ROOT_INO, name: "f", mode: 0o644 });
  await assert.rejects(vfs.rmdir(ROOT, ROOT_INO, "d"), isErrno(ENOTEMPTY));
  await assert.rejects(vfs.rmdir(ROOT, ROOT_INO, "f"), isErrno(ENOTDIR));
  await vfs.rmdir(ROOT, dir.ino, "sub");
  assert.equal((await vfs.getattr(ROOT, dir.ino)).nlink, 2);
  await vfs.rmdir(ROOT, ROOT_INO, "d");
  assert.equal((await vfs.getattr(ROOT, ROOT_INO)).nlink, 2);
  await assert.rejects(vfs.getattr(ROOT, dir.ino), isErrno(ENOENT));
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("unlink() of an open file: the data lives until the last release", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: 4096 });
  const { vfs } = t;
  const data = pattern(10_000);
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "o",
    mode: 0o644,
    flags: 2,
  });
  await vfs.write(ROOT, { fh, offset: 0, data });
  await vfs.flush(ROOT, fh);
  const second = await vfs.open(ROOT, attr.ino, O_RDONLY);
  await vfs.unlink(ROOT, ROOT_INO, "o");
  await assert.rejects(vfs.lookup(ROOT, ROOT_INO, "o"), isErrno(ENOENT));
  assert.equal((await vfs.getattr(ROOT, attr.ino)).nlink, 0);
  assert.deepEqual(t.store.orphans.list(), [attr.ino]);
  assert.deepEqual(checkMetadata(t.store), []);
  await vfs.write(ROOT, { fh, offset: 10_000, data: bytes("more") });
  await vfs.release(ROOT, fh);
  const read = await vfs.read(ROOT, { fh: second, offset: 0, sizeBytes: 20_000 });
  assert.equal(read.length, 10_004);
  assert.deepEqual(read.subarray(0, 10_000), data);
  await vfs.release(ROOT, second);
  await assert.rejects(vfs.getattr(ROOT, attr.ino), isErrno(ENOENT));
  assert.deepEqual(t.store.orphans.list(), []);
  assert.equal(t.backend.usage().usedBytes, 0);
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("an orphan left by a crash is removed at the next open", async () => {
  await using t = await openTestVfs({ chunkSizeBytes: 4096 });
  const { vfs } = t;
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name: "o", mode: 0o644, flags: 2 });
  await vfs.write(ROOT, { fh, offset: 0, data: pattern(9000) });
  await vfs.fsync(ROOT, fh);
  await vfs.unlink(ROOT, ROOT_INO, "o");
  assert.ok(t.backend.usage().usedBytes > 0);
  await t.reopen();
  assert.equal(t.store.orphansRemoved, 1);
  assert.deepEqual(t.store.orphans.list(), []);
  // Its 3 chunks, and the refs a flush listed ahead that none took (never written).
  assert.equal(await t.vfs.collectGarbage(), 3 + REFS_RESERVED_MIN);
  assert.deepEqual(t.store.garbage.list(100), []);
  assert.equal(t.backend.usage().usedBytes, 0);
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("times: creating and unlinking change the parent's mtime and ctime and the inode's ctime", async () => {
  const clock = manualClock();
  await using t = await openTestVfs({ clock: clock.read });
  const { vfs } = t;
  clock.now = { sec: 2_000, nsec: 123_456_789 };
  const file = await vfs.mknod(ROOT, { parent: ROOT_INO, name: "f", mode: 0o644 });
  assert.deepEqual(file.mtime, clock.now);
  const root = await vfs.getattr(ROOT, ROOT_INO);
  assert.deepEqual([root.mtime, root.ctime], [clock.now, clock.now]);
  clock.now = { sec: 3_000, nsec: 1 };
  await vfs.link(ROOT, { ino: file.ino, newParent: ROOT_INO, newName: "g" });
  const linked = await vfs.getattr(ROOT, file.ino);
  assert.deepEqual(linked.ctime, clock.now);
  assert.deepEqual(linked.mtime, { sec: 2_000, nsec: 123_456_789 }, "mtime stays");
  clock.now = { sec: 4_000, nsec: 2 };
  await vfs.unlink(ROOT, ROOT_INO, "f");
  assert.deepEqual((await vfs.getattr(ROOT, file.ino)).ctime, clock.now);
  const after = await vfs.getattr(ROOT, ROOT_INO);
  assert.deepEqual([after.mtime, after.ctime], [clock.now, clock.now]);
});

Deno.test("times: write sets mtime and ctime; setattr sets given times with nanoseconds", async () => {
  const clock = manualClock();
  await using t = await openTestVfs({ clock: clock.read });
  const { vfs } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "f",
    mode: 0o644,
    flags: 2,
  });
  clock.now = { sec: 5_000, nsec: 7 };
  await vfs.write(ROOT, { fh, offset: 0, data: bytes("x") });
  const written = await vfs.getattr(ROOT, attr.ino);
  assert.deepEqual([written.mtime, written.ctime], [clock.now, clock.now]);
  clock.now = { sec: 6_000, nsec: 8 };
  const given = { sec: 42, nsec: 999_999_999 };
  const set = await vfs.setattr(ROOT, attr.ino, { atime: given, mtime: "now" });
  assert.deepEqual([set.atime, set.mtime, set.ctime], [given, clock.now, clock.now]);
  clock.now = { sec: 7_000, nsec: 9 };
  const omitted = await vfs.setattr(ROOT, attr.ino, { mtime: { sec: -5, nsec: 0 } });
  assert.deepEqual(omitted.atime, given, "an absent atime is UTIME_OMIT");
  assert.deepEqual(omitted.mtime, { sec: -5, nsec: 0 });
  await assert.rejects(
    vfs.setattr(ROOT, attr.ino, { mtime: { sec: 1, nsec: 1e9 } }),
    isErrno(EINVAL),
  );
  await vfs.release(ROOT, fh);
  assert.deepEqual((await vfs.getattr(ROOT, attr.ino)).mtime, { sec: -5, nsec: 0 });
});

Deno.test("times: utimes and chmod after unflushed writes win, and utimes stores nothing yet", async () => {
  const clock = manualClock();
  await using t = await openTestVfs({ clock: clock.read });
  const { vfs, backend } = t;
  const { attr, fh } = await vfs.create(ROOT, {
    parent: ROOT_INO,
    name: "f",
    mode: 0o644,
    flags: 2,
  });
  let puts = 0;
  const put = backend.put.bind(backend);
  backend.put = (data, ref) => (puts++, put(data, ref));
  clock.now = { sec: 5_000, nsec: 1 };
  await vfs.write(ROOT, { fh, offset: 0, data: bytes("unflushed") });
  // tar sets the times before it closes: the explicit mtime must outlive the writes' flush.
  clock.now = { sec: 6_000, nsec: 2 };
  const given = { sec: 42, nsec: 3 };
  const set = await vfs.setattr(ROOT, attr.ino, { mtime: given });
  assert.deepEqual([set.mtime, set.ctime, set.sizeBytes], [given, clock.now, 9]);
  assert.equal(puts, 0, "setting the times flushed nothing");
  clock.now = { sec: 7_000, nsec: 4 };
  const chmod = await vfs.setattr(ROOT, attr.ino, { mode: 0o600 });
  assert.deepEqual(chmod.ctime, clock.now, "a chmod after the writes is their ctime");
  await vfs.flush(ROOT, fh);
  assert.equal(puts, 1);
  const closed = await vfs.getattr(ROOT, attr.ino);
  assert.deepEqual([closed.mtime, closed.ctime], [given, { sec: 7_000, nsec: 4 }]);
  await vfs.release(ROOT, fh);
  await t.reopen();
  const stored = await t.vfs.getattr(ROOT, attr.ino);
  assert.deepEqual([stored.mtime, stored.ctime, stored.sizeBytes], [given, clock.now, 9]);
  const reader = await t.vfs.open(ROOT, attr.ino, 0);
  assert.equal(
    text(await t.vfs.read(ROOT, { fh: reader, offset: 0, sizeBytes: 100 })),
    "unflushed",
  );
  await t.vfs.release(ROOT, reader);
});
