import assert from "node:assert/strict";
import { EACCES, EPERM } from "../errno.ts";
import { ALICE, BOB, isErrno, openTestVfs, ROOT } from "./_testing.ts";
import {
  F_OK,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  R_OK,
  RENAME_EXCHANGE,
  ROOT_INO,
  S_IFDIR,
  S_ISGID,
  S_ISUID,
  S_ISVTX,
  W_OK,
  X_OK,
} from "./constants.ts";
import type { CallContext } from "./types.ts";

const CAROL_IN_ALICES_GROUP: CallContext = { uid: 1002, gid: 1002, groups: [1000] };

Deno.test("access() checks owner, group (with supplementary groups) and other bits", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o640 });
  await vfs.access(ALICE, file.ino, R_OK | W_OK);
  await assert.rejects(vfs.access(ALICE, file.ino, X_OK), isErrno(EACCES));
  await vfs.access(CAROL_IN_ALICES_GROUP, file.ino, R_OK);
  await assert.rejects(vfs.access(CAROL_IN_ALICES_GROUP, file.ino, W_OK), isErrno(EACCES));
  await assert.rejects(vfs.access(BOB, file.ino, R_OK), isErrno(EACCES));
  await vfs.access(BOB, file.ino, F_OK);
  // The owner class decides even when group or other would grant more.
  await vfs.setattr(ALICE, file.ino, { mode: 0o077 });
  await assert.rejects(vfs.access(ALICE, file.ino, R_OK), isErrno(EACCES));
  await vfs.access(BOB, file.ino, R_OK | W_OK | X_OK);
});

Deno.test("access() as root passes everything but exec on a file with no x bit", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o600 });
  await vfs.access(ROOT, file.ino, R_OK | W_OK);
  await assert.rejects(vfs.access(ROOT, file.ino, X_OK), isErrno(EACCES));
  await vfs.setattr(ALICE, file.ino, { mode: 0o601 });
  await vfs.access(ROOT, file.ino, X_OK);
  const dir = await vfs.mkdir(ALICE, { parent: ROOT_INO, name: "d", mode: 0o000 });
  await vfs.access(ROOT, dir.ino, R_OK | W_OK | X_OK);
});

Deno.test("directory permissions guard lookup, create, unlink and listing", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ALICE, { parent: ROOT_INO, name: "d", mode: 0o755 });
  await vfs.mknod(ALICE, { parent: dir.ino, name: "f", mode: 0o644 });
  await vfs.lookup(BOB, dir.ino, "f");
  await assert.rejects(
    vfs.mknod(BOB, { parent: dir.ino, name: "g", mode: 0o644 }),
    isErrno(EACCES),
  );
  await assert.rejects(vfs.unlink(BOB, dir.ino, "f"), isErrno(EACCES));
  await vfs.setattr(ALICE, dir.ino, { mode: 0o711 });
  await assert.rejects(vfs.opendir(BOB, dir.ino), isErrno(EACCES));
  await vfs.setattr(ALICE, dir.ino, { mode: 0o744 });
  await assert.rejects(vfs.lookup(BOB, dir.ino, "f"), isErrno(EACCES));
  await vfs.opendir(BOB, dir.ino);
});

Deno.test("open() checks read and write permission, and O_TRUNC needs write", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o644 });
  await vfs.release(BOB, await vfs.open(BOB, file.ino, O_RDONLY));
  await assert.rejects(vfs.open(BOB, file.ino, O_WRONLY), isErrno(EACCES));
  await assert.rejects(vfs.open(BOB, file.ino, O_RDWR), isErrno(EACCES));
  await assert.rejects(vfs.open(BOB, file.ino, O_RDONLY | O_TRUNC), isErrno(EACCES));
  await vfs.release(ROOT, await vfs.open(ROOT, file.ino, O_RDWR));
});

Deno.test("sticky directories: only the owner of the entry or the directory, or root, removes", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const tmp = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "tmp", mode: 0o777 | S_ISVTX });
  assert.equal(tmp.mode, S_IFDIR | S_ISVTX | 0o777);
  await vfs.mknod(ALICE, { parent: tmp.ino, name: "alice", mode: 0o666 });
  await vfs.mknod(ALICE, { parent: tmp.ino, name: "alice2", mode: 0o666 });
  await vfs.mknod(BOB, { parent: tmp.ino, name: "bob", mode: 0o666 });
  await assert.rejects(vfs.unlink(BOB, tmp.ino, "alice"), isErrno(EPERM));
  await assert.rejects(
    vfs.rename(BOB, { parent: tmp.ino, name: "alice", newParent: tmp.ino, newName: "x" }),
    isErrno(EPERM),
  );
  await assert.rejects(
    vfs.rename(BOB, { parent: tmp.ino, name: "bob", newParent: tmp.ino, newName: "alice" }),
    isErrno(EPERM),
    "nor replace an entry of another user",
  );
  await assert.rejects(
    vfs.rename(BOB, {
      parent: tmp.ino,
      name: "bob",
      newParent: tmp.ino,
      newName: "alice",
      flags: RENAME_EXCHANGE,
    }),
    isErrno(EPERM),
  );
  await vfs.rename(BOB, { parent: tmp.ino, name: "bob", newParent: tmp.ino, newName: "bob2" });
  await vfs.unlink(BOB, tmp.ino, "bob2");
  await vfs.unlink(ALICE, tmp.ino, "alice");
  await vfs.unlink(ROOT, tmp.ino, "alice2");
});

Deno.test("setgid directories: entries take the directory's group, subdirectories the bit", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const shared = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "s", mode: 0o777 });
  await vfs.setattr(ROOT, shared.ino, { gid: 500, mode: 0o2777 });
  const file = await vfs.mknod(ALICE, { parent: shared.ino, name: "f", mode: 0o644 });
  assert.equal(file.gid, 500);
  assert.equal(file.mode & S_ISGID, 0);
  const sub = await vfs.mkdir(ALICE, { parent: shared.ino, name: "sub", mode: 0o777 });
  assert.equal(sub.gid, 500);
  assert.equal(sub.mode & S_ISGID, S_ISGID);
  const deeper = await vfs.mknod(BOB, { parent: sub.ino, name: "g", mode: 0o644 });
  assert.equal(deeper.gid, 500);
  // A setgid file for a group its creator is not in loses the bit.
  const sgid = await vfs.mknod(ALICE, { parent: shared.ino, name: "x", mode: 0o2755 });
  assert.equal(sgid.mode & S_ISGID, 0);
  const plain = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "p", mode: 0o644 });
  assert.equal(plain.gid, ALICE.gid);
});

Deno.test("chmod(): owner or root; setgid is dropped for a group the caller is not in", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o644 });
  await assert.rejects(vfs.setattr(BOB, file.ino, { mode: 0o777 }), isErrno(EPERM));
  await vfs.setattr(ROOT, file.ino, { gid: 77 });
  const changed = await vfs.setattr(ALICE, file.ino, { mode: 0o6755 });
  assert.equal(changed.mode & 0o7777, 0o4755);
  assert.equal((await vfs.setattr(ROOT, file.ino, { mode: 0o6755 })).mode & 0o7777, 0o6755);
});

Deno.test("chown(): only root gives files away; owners pick their own groups", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const alices: CallContext = { uid: 1000, gid: 1000, groups: [2000] };
  const file = await vfs.mknod(alices, { parent: ROOT_INO, name: "f", mode: 0o755 });
  await assert.rejects(vfs.setattr(alices, file.ino, { uid: BOB.uid }), isErrno(EPERM));
  await assert.rejects(vfs.setattr(alices, file.ino, { gid: 3000 }), isErrno(EPERM));
  await assert.rejects(vfs.setattr(BOB, file.ino, { gid: BOB.gid }), isErrno(EPERM));
  assert.equal((await vfs.setattr(alices, file.ino, { gid: 2000 })).gid, 2000);
  assert.equal((await vfs.setattr(alices, file.ino, { uid: 1000 })).uid, 1000, "no change");
  await vfs.setattr(ROOT, file.ino, { mode: 0o6755 });
  const given = await vfs.setattr(ROOT, file.ino, { uid: BOB.uid, gid: BOB.gid });
  assert.deepEqual([given.uid, given.gid], [BOB.uid, BOB.gid]);
  assert.equal(given.mode & (S_ISUID | S_ISGID), 0, "chown clears setuid and exec setgid");
});

Deno.test("utimes: 'now' needs write access or ownership, given times need ownership", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o646 });
  await vfs.setattr(BOB, file.ino, { atime: "now", mtime: "now" });
  await assert.rejects(
    vfs.setattr(BOB, file.ino, { mtime: { sec: 1, nsec: 0 } }),
    isErrno(EPERM),
  );
  await vfs.setattr(ALICE, file.ino, { mode: 0o644 });
  await assert.rejects(vfs.setattr(BOB, file.ino, { mtime: "now" }), isErrno(EACCES));
  await vfs.setattr(ALICE, file.ino, { mtime: { sec: 1, nsec: 0 } });
  await vfs.setattr(ROOT, file.ino, { atime: { sec: 2, nsec: 0 } });
});

Deno.test("truncate() needs write permission; a non-root truncate clears setuid", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o4755 });
  await assert.rejects(vfs.setattr(BOB, file.ino, { sizeBytes: 0 }), isErrno(EACCES));
  const cut = await vfs.setattr(ALICE, file.ino, { sizeBytes: 10 });
  assert.equal(cut.mode & S_ISUID, 0);
  assert.equal(cut.sizeBytes, 10);
});
