import assert from "node:assert/strict";
import { EBADF, ENOTDIR } from "../errno.ts";
import { isErrno, openTestVfs, ROOT, text } from "./_testing.ts";
import { DT_DIR, DT_LNK, DT_REG, ROOT_INO } from "./constants.ts";
import type { Vfs } from "./vfs.ts";

/** Lists a whole directory in calls of `limit` entries. */
async function listAll(vfs: Vfs, fh: number, limit: number): Promise<string[]> {
  const names: string[] = [];
  let offset = 0;
  while (true) {
    const entries = await vfs.readdir(ROOT, { fh, offset, limit });
    if (entries.length === 0) return names;
    for (const entry of entries) names.push(text(entry.name));
    offset = entries[entries.length - 1]!.offset;
  }
}

Deno.test("readdir() lists '.', '..' and every entry with its type and attributes", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "d", mode: 0o755 });
  await vfs.mknod(ROOT, { parent: dir.ino, name: "f", mode: 0o644 });
  await vfs.mkdir(ROOT, { parent: dir.ino, name: "s", mode: 0o755 });
  await vfs.symlink(ROOT, { parent: dir.ino, name: "l", target: "f" });
  const fh = await vfs.opendir(ROOT, dir.ino);
  const entries = await vfs.readdir(ROOT, { fh, offset: 0 });
  assert.deepEqual(
    entries.map((entry) => [text(entry.name), entry.type]),
    [[".", DT_DIR], ["..", DT_DIR], ["f", DT_REG], ["s", DT_DIR], ["l", DT_LNK]],
  );
  assert.equal(entries[0]!.ino, dir.ino);
  assert.equal(entries[1]!.ino, ROOT_INO);
  assert.equal(entries[3]!.attr.nlink, 2);
  assert.deepEqual(await vfs.readdir(ROOT, { fh, offset: entries[4]!.offset }), []);
  await vfs.releasedir(ROOT, fh);
  await assert.rejects(vfs.readdir(ROOT, { fh, offset: 0 }), isErrno(EBADF));
  const file = await vfs.lookup(ROOT, dir.ino, "f");
  await assert.rejects(vfs.opendir(ROOT, file.ino), isErrno(ENOTDIR));
});

Deno.test("readdir() offsets stay valid while entries are added and removed", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "d", mode: 0o755 });
  const names = Array.from({ length: 300 }, (_, i) => `n${i}`);
  for (const name of names) await vfs.mknod(ROOT, { parent: dir.ino, name, mode: 0o644 });
  const fh = await vfs.opendir(ROOT, dir.ino);
  const seen: string[] = [];
  let offset = 0;
  const removed = new Set<string>();
  const added: string[] = [];
  for (let round = 0;; round++) {
    const entries = await vfs.readdir(ROOT, { fh, offset, limit: 17 });
    if (entries.length === 0) break;
    for (const entry of entries) seen.push(text(entry.name));
    offset = entries[entries.length - 1]!.offset;
    // Between calls: remove one entry already listed and one not yet listed,
    // and add a new one.
    const listed = names[round];
    const ahead = names[299 - round];
    for (const name of [listed, ahead]) {
      if (name === undefined || removed.has(name)) continue;
      await vfs.unlink(ROOT, dir.ino, name);
      removed.add(name);
    }
    // Entries added during a listing may be listed: add only a few, or it never ends.
    if (round < 10) {
      await vfs.mknod(ROOT, { parent: dir.ino, name: `new${round}`, mode: 0o644 });
      added.push(`new${round}`);
    }
  }
  const counts = new Map<string, number>();
  for (const name of seen) counts.set(name, (counts.get(name) ?? 0) + 1);
  assert.ok([...counts.values()].every((count) => count === 1), "no entry twice");
  for (const name of names) {
    if (!removed.has(name)) assert.ok(counts.has(name), `${name} stayed and was listed`);
  }
  const fresh = await vfs.opendir(ROOT, dir.ino);
  const expected = [".", "..", ...names.filter((name) => !removed.has(name)), ...added];
  assert.deepEqual((await listAll(vfs, fresh, 50)).toSorted(), expected.toSorted());
});

Deno.test("readdir() of a directory removed while open lists nothing", async () => {
  await using t = await openTestVfs();
  const { vfs } = t;
  const dir = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "d", mode: 0o755 });
  const fh = await vfs.opendir(ROOT, dir.ino);
  await vfs.rmdir(ROOT, ROOT_INO, "d");
  assert.deepEqual(await vfs.readdir(ROOT, { fh, offset: 0 }), []);
});
