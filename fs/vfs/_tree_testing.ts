/**
 * Test support: what a user can observe of a tree, as one comparable map, so a test can
 * prove two filesystems (before and after a recovery) hold the same thing; and writing a file.
 */
import { O_RDONLY, O_RDWR } from "./constants.ts";
import { ROOT } from "./_testing.ts";
import type { Ino } from "./types.ts";
import type { Vfs } from "./vfs.ts";

/** Every path under `ino` with what a user can observe of it. */
export async function describeTree(vfs: Vfs, ino: Ino, path = ""): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const fh = await vfs.opendir(ROOT, ino);
  const entries = await vfs.readdir(ROOT, { fh, offset: 0 });
  await vfs.releasedir(ROOT, fh);
  for (const entry of entries) {
    const name = new TextDecoder().decode(entry.name);
    if (name === "." || name === "..") continue;
    const attr = await vfs.getattr(ROOT, entry.ino);
    const here = `${path}/${name}`;
    const xattrs = await vfs.listxattr(ROOT, entry.ino).catch(() => []);
    let content = "";
    if ((attr.mode & 0o170000) === 0o100000) {
      const file = await vfs.open(ROOT, entry.ino, O_RDONLY);
      const data = await vfs.read(ROOT, { fh: file, offset: 0, sizeBytes: attr.sizeBytes + 1 });
      await vfs.release(ROOT, file);
      content = String(data.reduce((hash, byte) => (hash * 31 + byte) >>> 0, 7));
    } else if ((attr.mode & 0o170000) === 0o120000) {
      content = new TextDecoder().decode(await vfs.readlink(ROOT, entry.ino));
    }
    const { mode, nlink, uid, gid, sizeBytes, mtime } = attr;
    seen.set(here, JSON.stringify({ mode, nlink, uid, gid, sizeBytes, mtime, xattrs, content }));
    if ((attr.mode & 0o170000) === 0o040000) {
      for (const [key, value] of await describeTree(vfs, entry.ino, here)) seen.set(key, value);
    }
  }
  return seen;
}

/** Creates `name` under `parent` holding `data` (mode 0640), fsynced if asked; its inode. */
export async function writeTestFile(
  vfs: Vfs,
  parent: Ino,
  name: string,
  data: Uint8Array,
  sync = false,
): Promise<Ino> {
  const { fh, attr } = await vfs.create(ROOT, { parent, name, mode: 0o640, flags: O_RDWR });
  await vfs.write(ROOT, { fh, offset: 0, data });
  if (sync) await vfs.fsync(ROOT, fh);
  await vfs.release(ROOT, fh);
  return attr.ino;
}
