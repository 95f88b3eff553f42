/**
 * tryLookup() and tryGetxattr(): a missing name or attribute is `undefined`,
 * every other error is thrown as by lookup() and getxattr().
 */

import assert from "node:assert/strict";
import { EACCES, ENODATA, ENOENT, ENOTDIR, EOPNOTSUPP } from "../errno.ts";
import { ALICE, BOB, bytes, isErrno, openTestVfs, text } from "./_testing.ts";
import { ROOT_INO } from "./constants.ts";

Deno.test("tryLookup() finds what lookup() finds; a missing name is undefined, not ENOENT", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ALICE, { parent: ROOT_INO, name: "d", mode: 0o700 });
  const file = await vfs.mknod(ALICE, { parent: dir.ino, name: "f", mode: 0o644 });
  assert.equal((await vfs.tryLookup(ALICE, dir.ino, "f"))?.ino, file.ino);
  assert.deepEqual(await vfs.tryLookup(ALICE, dir.ino, "f"), await vfs.lookup(ALICE, dir.ino, "f"));
  assert.equal((await vfs.tryLookup(ALICE, dir.ino, "."))?.ino, dir.ino);
  assert.equal((await vfs.tryLookup(ALICE, dir.ino, ".."))?.ino, ROOT_INO);
  assert.equal(await vfs.tryLookup(ALICE, dir.ino, "missing"), undefined);
  await assert.rejects(vfs.lookup(ALICE, dir.ino, "missing"), isErrno(ENOENT));
  // Other errors are errors still.
  await assert.rejects(vfs.tryLookup(BOB, dir.ino, "missing"), isErrno(EACCES));
  await assert.rejects(vfs.tryLookup(ALICE, file.ino, "x"), isErrno(ENOTDIR));
  await assert.rejects(vfs.tryLookup(ALICE, 999_999, "x"), isErrno(ENOENT));
});

Deno.test("tryGetxattr() returns the value, or undefined for a missing attribute", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const file = await vfs.mknod(ALICE, { parent: ROOT_INO, name: "f", mode: 0o600 });
  await vfs.setxattr(ALICE, { ino: file.ino, name: "user.a", value: bytes("one") });
  assert.equal(text((await vfs.tryGetxattr(ALICE, file.ino, "user.a"))!), "one");
  assert.equal(await vfs.tryGetxattr(ALICE, file.ino, "user.b"), undefined);
  assert.equal(await vfs.tryGetxattr(BOB, file.ino, "security.capability"), undefined);
  await assert.rejects(vfs.getxattr(ALICE, file.ino, "user.b"), isErrno(ENODATA));
  await assert.rejects(vfs.tryGetxattr(BOB, file.ino, "user.a"), isErrno(EACCES));
  await assert.rejects(vfs.tryGetxattr(ALICE, file.ino, "system.x"), isErrno(EOPNOTSUPP));
  await assert.rejects(vfs.tryGetxattr(ALICE, 999_999, "user.a"), isErrno(ENOENT));
});
