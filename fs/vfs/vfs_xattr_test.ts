import assert from "node:assert/strict";
import { E2BIG, EACCES, EEXIST, ENODATA, EOPNOTSUPP, EPERM, ERANGE } from "../errno.ts";
import { ALICE, BOB, bytes, isErrno, openTestVfs, ROOT, text } from "./_testing.ts";
import { ROOT_INO, S_IFIFO, S_ISVTX, XATTR_CREATE, XATTR_REPLACE } from "./constants.ts";

Deno.test("setxattr(), getxattr(), listxattr() and removexattr() round-trip values", async () => {
  let now = { sec: 1, nsec: 0 };
  await using t = await openTestVfs({ clock: () => now });
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o644 });
  now = { sec: 2, nsec: 0 };
  await vfs.setxattr(ALICE, { ino: file.ino, name: "user.b", value: bytes("two") });
  await vfs.setxattr(ALICE, { ino: file.ino, name: "user.a", value: new Uint8Array() });
  assert.deepEqual((await vfs.getattr(ALICE, file.ino)).ctime, now, "ctime changes");
  assert.equal(text(await vfs.getxattr(ALICE, file.ino, "user.b")), "two");
  assert.equal((await vfs.getxattr(ALICE, file.ino, "user.a")).length, 0);
  assert.deepEqual(await vfs.listxattr(ALICE, file.ino), ["user.a", "user.b"]);
  await vfs.setxattr(ALICE, { ino: file.ino, name: "user.b", value: bytes("2") });
  assert.equal(text(await vfs.getxattr(BOB, file.ino, "user.b")), "2");
  await vfs.removexattr(ALICE, file.ino, "user.b");
  await assert.rejects(vfs.getxattr(ALICE, file.ino, "user.b"), isErrno(ENODATA));
  await assert.rejects(vfs.removexattr(ALICE, file.ino, "user.b"), isErrno(ENODATA));
  assert.deepEqual(await vfs.listxattr(ALICE, file.ino), ["user.a"]);
});

Deno.test("setxattr() flags: XATTR_CREATE is EEXIST on a name, XATTR_REPLACE ENODATA without", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ROOT, { parent: ROOT_INO, name: "f", mode: 0o644 });
  const set = (flags: number) =>
    vfs.setxattr(ROOT, { ino: file.ino, name: "user.x", value: bytes("v"), flags });
  await assert.rejects(set(XATTR_REPLACE), isErrno(ENODATA));
  await set(XATTR_CREATE);
  await assert.rejects(set(XATTR_CREATE), isErrno(EEXIST));
  await set(XATTR_REPLACE);
});

Deno.test("xattrs: namespaces, limits and permissions as on Linux", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o644 });
  const set = (ctx: typeof ROOT, name: string, value = bytes("v")) =>
    vfs.setxattr(ctx, { ino: file.ino, name, value });
  await assert.rejects(set(BOB, "user.x"), isErrno(EACCES), "user.* needs write permission");
  await assert.rejects(set(ALICE, "trusted.x"), isErrno(EPERM));
  await set(ROOT, "trusted.x");
  await assert.rejects(vfs.getxattr(ALICE, file.ino, "trusted.x"), isErrno(ENODATA));
  assert.deepEqual(await vfs.listxattr(ALICE, file.ino), []);
  assert.deepEqual(await vfs.listxattr(ROOT, file.ino), ["trusted.x"]);
  await set(BOB, "security.x");
  await assert.rejects(set(ALICE, "system.posix_acl_access"), isErrno(EOPNOTSUPP));
  await assert.rejects(set(ALICE, "nonamespace"), isErrno(EOPNOTSUPP));
  await assert.rejects(set(ALICE, "user." + "n".repeat(251)), isErrno(ERANGE));
  await set(ALICE, "user." + "n".repeat(250));
  await assert.rejects(set(ALICE, "user.big", new Uint8Array(65537)), isErrno(E2BIG));
  await set(ALICE, "user.big", new Uint8Array(65536));
  const fifo = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "p", mode: S_IFIFO | 0o666 });
  await assert.rejects(
    vfs.setxattr(ALICE, { ino: fifo.ino, name: "user.x", value: bytes("v") }),
    isErrno(EPERM),
  );
  const sticky = await vfs.mkdir(ALICE, { parent: ROOT_INO, name: "s", mode: 0o777 | S_ISVTX });
  await assert.rejects(
    vfs.setxattr(BOB, { ino: sticky.ino, name: "user.x", value: bytes("v") }),
    isErrno(EPERM),
  );
});

Deno.test("xattrs go with the inode when its last link goes", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ROOT, { parent: ROOT_INO, name: "f", mode: 0o644 });
  await vfs.setxattr(ROOT, { ino: file.ino, name: "user.x", value: bytes("v") });
  await vfs.unlink(ROOT, ROOT_INO, "f");
  assert.deepEqual(t.store.query("SELECT * FROM xattrs"), []);
});
