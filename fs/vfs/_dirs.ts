/**
 * Directory listings. Offsets: 1 after ".", 2 after "..", then an entry's
 * cookie + 2. Cookies only grow (SQLite AUTOINCREMENT), so a listing resumed
 * at an offset never repeats or skips an entry that stayed in place while
 * others were added or removed; an entry renamed meanwhile may show up once,
 * twice or not at all, as POSIX allows.
 *
 * @module
 */

import type { VfsCore } from "./_core.ts";
import { direntType, R_OK, ROOT_INO } from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import { checkAccess } from "./permissions.ts";
import type { CallContext, DirEntry, Fh, Ino, ReaddirInput } from "./types.ts";

/** Entries returned per readdir call unless the caller asks for fewer. */
export const READDIR_ENTRIES_DEFAULT = 128;
const DOT = new Uint8Array([0x2e]);
const DOT_DOT = new Uint8Array([0x2e, 0x2e]);
/** Offsets below this are "." and ".."; entries follow at cookie + this. */
const FIRST_ENTRY_OFFSET = 2;

export function opendir(core: VfsCore, ctx: CallContext, ino: Ino): Fh {
  const action = `open directory ${ino}`;
  checkAccess(ctx, core.dir(ino, action), R_OK, action);
  return core.addHandle({ kind: "dir", ino });
}

export function readdir(core: VfsCore, input: ReaddirInput): DirEntry[] {
  const handle = core.handle(input.fh, "dir", `read directory handle ${input.fh}`);
  const limit = Math.max(1, input.limit ?? READDIR_ENTRIES_DEFAULT);
  const dir = core.store.inodes.get(handle.ino);
  // A directory removed while open lists nothing, not even "." and "..".
  if (dir === undefined) return [];
  const entries: DirEntry[] = [];
  if (input.offset < 1) entries.push(dotEntry(core, DOT, dir, 1));
  if (input.offset < 2 && entries.length < limit) {
    const parentIno = core.store.dentries.parentOf(dir.ino) ?? ROOT_INO;
    const parent = core.store.inodes.get(parentIno) ?? dir;
    entries.push(dotEntry(core, DOT_DOT, parent, 2));
  }
  if (entries.length >= limit) return entries;
  const afterCookie = Math.max(0, input.offset - FIRST_ENTRY_OFFSET);
  for (const row of core.store.dentries.list(dir.ino, afterCookie, limit - entries.length)) {
    entries.push({
      ino: row.inode.ino,
      name: row.name,
      type: direntType(row.inode.mode),
      offset: row.cookie + FIRST_ENTRY_OFFSET,
      attr: core.attrOf(row.inode),
    });
  }
  return entries;
}

function dotEntry(core: VfsCore, name: Uint8Array, inode: Inode, offset: number): DirEntry {
  return {
    ino: inode.ino,
    name,
    type: direntType(inode.mode),
    offset,
    attr: core.attrOf(inode),
  };
}

export function releasedir(core: VfsCore, fh: Fh): void {
  core.handle(fh, "dir", `release directory handle ${fh}`);
  core.handles.delete(fh);
}
