import assert from "node:assert/strict";
import { EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY } from "../errno.ts";
import { isErrno, openTestVfs, ROOT } from "./_testing.ts";
import { RENAME_EXCHANGE, RENAME_NOREPLACE, RENAME_WHITEOUT, ROOT_INO } from "./constants.ts";
import { checkMetadata } from "./meta_check.ts";
import type { Vfs } from "./vfs.ts";

/** Makes /a (dir) with /a/f, /a/sub (dir), /b (dir, empty), /g (file). */
async function tree(vfs: Vfs) {
  const a = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "a", mode: 0o755 });
  const f = await vfs.mknod(ROOT, { parent: a.ino, name: "f", mode: 0o644 });
  const sub = await vfs.mkdir(ROOT, { parent: a.ino, name: "sub", mode: 0o755 });
  const b = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "b", mode: 0o755 });
  const g = await vfs.mknod(ROOT, { parent: ROOT_INO, name: "g", mode: 0o644 });
  return { a: a.ino, f: f.ino, sub: sub.ino, b: b.ino, g: g.ino };
}

Deno.test("rename() moves files and directories between directories", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const n = await tree(vfs);
  await vfs.rename(ROOT, { parent: n.a, name: "f", newParent: n.b, newName: "f2" });
  assert.equal((await vfs.lookup(ROOT, n.b, "f2")).ino, n.f);
  await assert.rejects(vfs.lookup(ROOT, n.a, "f"), isErrno(ENOENT));
  await vfs.rename(ROOT, { parent: n.a, name: "sub", newParent: n.b, newName: "sub" });
  assert.equal((await vfs.getattr(ROOT, n.a)).nlink, 2);
  assert.equal((await vfs.getattr(ROOT, n.b)).nlink, 3);
  assert.equal((await vfs.lookup(ROOT, n.sub, "..")).ino, n.b);
  await vfs.rename(ROOT, { parent: ROOT_INO, name: "g", newParent: ROOT_INO, newName: "h" });
  assert.equal((await vfs.lookup(ROOT, ROOT_INO, "h")).ino, n.g);
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("rename() over existing entries follows POSIX", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const n = await tree(vfs);
  // A file replaces a file: the old one loses its link.
  await vfs.rename(ROOT, { parent: ROOT_INO, name: "g", newParent: n.a, newName: "f" });
  assert.equal((await vfs.lookup(ROOT, n.a, "f")).ino, n.g);
  await assert.rejects(vfs.getattr(ROOT, n.f), isErrno(ENOENT));
  // A directory replaces an empty directory.
  await vfs.rename(ROOT, { parent: n.a, name: "sub", newParent: ROOT_INO, newName: "b" });
  assert.equal((await vfs.lookup(ROOT, ROOT_INO, "b")).ino, n.sub);
  await assert.rejects(vfs.getattr(ROOT, n.b), isErrno(ENOENT));
  assert.equal((await vfs.getattr(ROOT, ROOT_INO)).nlink, 4, "a and b(sub) under root");
  // Not over a non-empty directory, not a dir over a file, not a file over a dir.
  await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "e", mode: 0o755 });
  await assert.rejects(
    vfs.rename(ROOT, { parent: ROOT_INO, name: "e", newParent: ROOT_INO, newName: "a" }),
    isErrno(ENOTEMPTY),
  );
  await assert.rejects(
    vfs.rename(ROOT, { parent: ROOT_INO, name: "e", newParent: n.a, newName: "f" }),
    isErrno(ENOTDIR),
  );
  await assert.rejects(
    vfs.rename(ROOT, { parent: n.a, name: "f", newParent: ROOT_INO, newName: "e" }),
    isErrno(EISDIR),
  );
  await assert.rejects(
    vfs.rename(ROOT, { parent: n.a, name: "nope", newParent: ROOT_INO, newName: "x" }),
    isErrno(ENOENT),
  );
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("rename() of a directory into its own subtree is EINVAL", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const n = await tree(vfs);
  const deep = await vfs.mkdir(ROOT, { parent: n.sub, name: "deep", mode: 0o755 });
  for (const target of [n.a, n.sub, deep.ino]) {
    await assert.rejects(
      vfs.rename(ROOT, { parent: ROOT_INO, name: "a", newParent: target, newName: "x" }),
      isErrno(EINVAL),
    );
  }
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("rename() between two names of one inode does nothing", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const n = await tree(vfs);
  await vfs.link(ROOT, { ino: n.g, newParent: ROOT_INO, newName: "g2" });
  await vfs.rename(ROOT, { parent: ROOT_INO, name: "g", newParent: ROOT_INO, newName: "g2" });
  assert.equal((await vfs.lookup(ROOT, ROOT_INO, "g")).nlink, 2);
  assert.equal((await vfs.lookup(ROOT, ROOT_INO, "g2")).ino, n.g);
  await vfs.rename(ROOT, { parent: ROOT_INO, name: "g", newParent: ROOT_INO, newName: "g" });
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("rename() with RENAME_NOREPLACE refuses an existing target", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const n = await tree(vfs);
  await assert.rejects(
    vfs.rename(ROOT, {
      parent: ROOT_INO,
      name: "g",
      newParent: n.a,
      newName: "f",
      flags: RENAME_NOREPLACE,
    }),
    isErrno(EEXIST),
  );
  await vfs.rename(ROOT, {
    parent: ROOT_INO,
    name: "g",
    newParent: n.a,
    newName: "new",
    flags: RENAME_NOREPLACE,
  });
  assert.equal((await vfs.lookup(ROOT, n.a, "new")).ino, n.g);
});

Deno.test("rename() with RENAME_EXCHANGE swaps two entries, fixing directory link counts", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const n = await tree(vfs);
  const exchange = { flags: RENAME_EXCHANGE };
  await vfs.rename(ROOT, {
    parent: n.a,
    name: "sub",
    newParent: ROOT_INO,
    newName: "g",
    ...exchange,
  });
  assert.equal((await vfs.lookup(ROOT, ROOT_INO, "g")).ino, n.sub);
  assert.equal((await vfs.lookup(ROOT, n.a, "sub")).ino, n.g);
  assert.equal((await vfs.getattr(ROOT, n.a)).nlink, 2);
  assert.equal((await vfs.getattr(ROOT, ROOT_INO)).nlink, 5);
  assert.equal((await vfs.lookup(ROOT, n.sub, "..")).ino, ROOT_INO);
  await assert.rejects(
    vfs.rename(ROOT, { parent: n.a, name: "f", newParent: ROOT_INO, newName: "zz", ...exchange }),
    isErrno(ENOENT),
  );
  await assert.rejects(
    vfs.rename(ROOT, { parent: n.a, name: "f", newParent: ROOT_INO, newName: "a", ...exchange }),
    isErrno(EINVAL),
    "a cannot move into itself",
  );
  await assert.rejects(
    vfs.rename(ROOT, {
      parent: n.a,
      name: "f",
      newParent: ROOT_INO,
      newName: "b",
      flags: RENAME_EXCHANGE | RENAME_NOREPLACE,
    }),
    isErrno(EINVAL),
  );
  await assert.rejects(
    vfs.rename(ROOT, {
      parent: n.a,
      name: "f",
      newParent: ROOT_INO,
      newName: "q",
      flags: RENAME_WHITEOUT,
    }),
    isErrno(EINVAL),
  );
  assert.deepEqual(checkMetadata(t.store), []);
});

Deno.test("rename() changes ctime of the moved inode and times of both directories", async () => {
  let now = { sec: 10, nsec: 0 };
  await using t = await openTestVfs({ clock: () => now });
  const { vfs } = t;
  const n = await tree(vfs);
  now = { sec: 20, nsec: 5 };
  await vfs.rename(ROOT, { parent: n.a, name: "f", newParent: n.b, newName: "f" });
  assert.deepEqual((await vfs.getattr(ROOT, n.f)).ctime, now);
  assert.deepEqual((await vfs.getattr(ROOT, n.f)).mtime, { sec: 10, nsec: 0 });
  for (const dir of [n.a, n.b]) {
    const attr = await vfs.getattr(ROOT, dir);
    assert.deepEqual([attr.mtime, attr.ctime], [now, now]);
  }
});
