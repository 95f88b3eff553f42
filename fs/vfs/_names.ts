/**
 * Operations on names: lookup, creating nodes (mknod, mkdir, symlink, the
 * create half of create), link, unlink and rmdir, with the permission, sticky
 * bit, setgid-directory and timestamp rules of POSIX and Linux.
 *
 * @module
 */

import {
  EEXIST,
  EINVAL,
  EISDIR,
  EMLINK,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  FsError,
} from "../errno.ts";
import { answerError, nameBytes, showName, type VfsCore } from "./_core.ts";
import { deleteChunks } from "./_garbage.ts";
import {
  fileType,
  isDir,
  LINK_COUNT_MAX,
  PERMISSION_BITS,
  ROOT_INO,
  S_IFBLK,
  S_IFCHR,
  S_IFLNK,
  S_ISGID,
  SYMLINK_TARGET_BYTES_MAX,
  W_OK,
  X_OK,
} from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import { checkAccess, checkSticky, inGroup, isRoot } from "./permissions.ts";
import type { CallContext, Ino, LinkInput, Name, Timespec } from "./types.ts";

const encoder = new TextEncoder();

/** The inode `name` names in directory `parent`; "." and ".." resolve too. */
export function lookup(core: VfsCore, ctx: CallContext, parent: Ino, name: Name): Inode {
  const inode = findEntry(core, ctx, parent, name);
  if (inode !== undefined) return inode;
  throw answerError(ENOENT, `Cannot look up "${showName(name)}" in inode ${parent}: no such entry`);
}

/** {@link lookup}, but a missing name is `undefined` rather than ENOENT (other errors throw). */
export function findEntry(
  core: VfsCore,
  ctx: CallContext,
  parent: Ino,
  name: Name,
): Inode | undefined {
  const shown = showName(name);
  const action = `look up "${shown}" in inode ${parent}`;
  const dir = core.dir(parent, action);
  checkAccess(ctx, dir, X_OK, action);
  if (shown === ".") return dir;
  if (shown === "..") return core.inode(core.store.dentries.parentOf(parent) ?? ROOT_INO, action);
  const ino = core.store.dentries.lookup(parent, nameBytes(name, action));
  return ino === undefined ? undefined : core.inode(ino, action);
}

/** What a new node is made of. */
export interface NodeSpec {
  parent: Ino;
  name: Name;
  /** Type and permission bits, before the umask. */
  mode: number;
  umask?: number;
  rdev?: number;
  symlinkTarget?: Uint8Array;
}

/**
 * Makes a node and its entry in one transaction: EEXIST if the name is taken;
 * the group and setgid bit follow a setgid parent. Needs write and search
 * permission on the parent.
 */
export function createNode(core: VfsCore, ctx: CallContext, spec: NodeSpec): Inode {
  const action = `create "${showName(spec.name)}" in inode ${spec.parent}`;
  const bytes = nameBytes(spec.name, action);
  const type = fileType(spec.mode);
  if ((type === S_IFCHR || type === S_IFBLK) && !isRoot(ctx)) {
    throw new FsError(EPERM, `Cannot ${action}: only root makes device nodes`);
  }
  const { store } = core;
  return store.groupedTransaction(() => {
    const dir = core.dir(spec.parent, action);
    checkAccess(ctx, dir, X_OK, action);
    if (store.dentries.lookup(spec.parent, bytes) !== undefined) {
      throw new FsError(EEXIST, `Cannot ${action}: the name exists`);
    }
    checkAccess(ctx, dir, W_OK | X_OK, action);
    const now = core.now();
    const inode = store.inodes.insert({
      mode: type | newPermissions(ctx, dir, spec),
      uid: ctx.uid,
      gid: (dir.mode & S_ISGID) !== 0 ? dir.gid : ctx.gid,
      nlink: isDir(type) ? 2 : 1,
      sizeBytes: isDir(type) ? 4096 : spec.symlinkTarget?.length ?? 0,
      dataBytes: 0,
      rdev: spec.rdev ?? 0,
      generation: 0,
      atime: now,
      mtime: now,
      ctime: now,
    });
    store.dentries.insert(spec.parent, bytes, inode.ino);
    if (spec.symlinkTarget !== undefined) store.symlinks.put(inode.ino, spec.symlinkTarget);
    if (isDir(type)) dir.nlink++;
    touch(dir, now);
    store.inodes.update(dir);
    return inode;
  });
}

function newPermissions(ctx: CallContext, dir: Inode, spec: NodeSpec): number {
  let permissions = spec.mode & PERMISSION_BITS & ~(spec.umask ?? 0);
  const dirIsSetgid = (dir.mode & S_ISGID) !== 0;
  if (isDir(spec.mode)) {
    if (dirIsSetgid) permissions |= S_ISGID;
  } else if ((permissions & S_ISGID) !== 0 && !isRoot(ctx)) {
    // Linux (inode_init_owner): no setgid file for a group the creator is not in.
    const gid = dirIsSetgid ? dir.gid : ctx.gid;
    if (!inGroup(ctx, gid)) permissions &= ~S_ISGID;
  }
  return permissions;
}

/** The bytes of a symlink target: ENOENT when empty, ENAMETOOLONG past 4095 bytes. */
export function symlinkTarget(target: Name, action: string): Uint8Array {
  const bytes = typeof target === "string" ? encoder.encode(target) : target;
  if (bytes.length === 0) throw new FsError(ENOENT, `Cannot ${action}: the target is empty`);
  if (bytes.length > SYMLINK_TARGET_BYTES_MAX) {
    throw new FsError(ENAMETOOLONG, `Cannot ${action}: the target has ${bytes.length} bytes`);
  }
  return bytes;
}

/** Sets mtime and ctime, as a change of a directory's entries does. */
export function touch(inode: Inode, now: Timespec): void {
  inode.mtime = now;
  inode.ctime = now;
}

export function link(core: VfsCore, ctx: CallContext, input: LinkInput): Inode {
  const action = `link inode ${input.ino} as "${showName(input.newName)}"`;
  const bytes = nameBytes(input.newName, action);
  const { store } = core;
  return store.groupedTransaction(() => {
    // Linux's order: the new name's directory, then EEXIST, then what the inode allows.
    const inode = core.inode(input.ino, action);
    const dir = core.dir(input.newParent, action);
    checkAccess(ctx, dir, X_OK, action);
    if (store.dentries.lookup(input.newParent, bytes) !== undefined) {
      throw new FsError(EEXIST, `Cannot ${action}: the name exists`);
    }
    checkAccess(ctx, dir, W_OK | X_OK, action);
    if (isDir(inode.mode)) throw new FsError(EPERM, `Cannot ${action}: it is a directory`);
    if (inode.nlink === 0) throw new FsError(ENOENT, `Cannot ${action}: it was removed`);
    if (inode.nlink >= LINK_COUNT_MAX) {
      throw new FsError(EMLINK, `Cannot ${action}: it has ${inode.nlink} links already`);
    }
    const now = core.now();
    store.dentries.insert(input.newParent, bytes, inode.ino);
    inode.nlink++;
    inode.ctime = now;
    store.inodes.update(inode);
    touch(dir, now);
    store.inodes.update(dir);
    return inode;
  });
}

/** The directory, the victim and the name bytes of an unlink or rmdir, checked. */
function findVictim(core: VfsCore, ctx: CallContext, parent: Ino, name: Name, action: string) {
  const bytes = nameBytes(name, action);
  const dir = core.dir(parent, action);
  checkAccess(ctx, dir, X_OK, action);
  const ino = core.store.dentries.lookup(parent, bytes);
  if (ino === undefined) throw new FsError(ENOENT, `Cannot ${action}: no such entry`);
  const victim = core.inode(ino, action);
  checkAccess(ctx, dir, W_OK | X_OK, action);
  checkSticky(ctx, dir, victim, action);
  return { bytes, dir, victim };
}

export async function unlink(
  core: VfsCore,
  ctx: CallContext,
  parent: Ino,
  name: Name,
): Promise<void> {
  const action = `unlink "${showName(name)}" in inode ${parent}`;
  const { store } = core;
  const refs = store.groupedTransaction(() => {
    const { bytes, dir, victim } = findVictim(core, ctx, parent, name, action);
    if (isDir(victim.mode)) throw new FsError(EISDIR, `Cannot ${action}: it is a directory`);
    const now = core.now();
    store.dentries.remove(parent, bytes);
    touch(dir, now);
    store.inodes.update(dir);
    return dropLink(core, victim, now);
  });
  await deleteChunks(core, refs);
}

/**
 * Takes one link from `inode` (in the caller's transaction). At zero links it
 * is deleted, or recorded as an orphan while a handle has it open. Returns the
 * chunk refs to delete.
 */
export function dropLink(core: VfsCore, inode: Inode, now: Timespec): string[] {
  inode.nlink = isDir(inode.mode) ? 0 : inode.nlink - 1;
  inode.ctime = now;
  if (inode.nlink > 0) {
    core.store.inodes.update(inode);
    return [];
  }
  const state = core.files.get(inode.ino);
  if (state !== undefined && state.openCount > 0) {
    core.store.inodes.update(inode);
    core.store.orphans.add(inode.ino);
    return [];
  }
  if (state !== undefined) {
    // Closed, but kept for writes a failed flush could not store: they go too.
    core.dirtyBytes -= state.dirty.bytes;
    state.dirty.truncate(0);
    core.files.delete(inode.ino);
  }
  // Never an orphan: orphans have no names left to unlink.
  return core.store.deleteInode(inode.ino, { dataBytes: inode.dataBytes, orphan: false });
}

export function rmdir(core: VfsCore, ctx: CallContext, parent: Ino, name: Name): void {
  const action = `remove directory "${showName(name)}" in inode ${parent}`;
  const { store } = core;
  store.groupedTransaction(() => {
    const { bytes, dir, victim } = findVictim(core, ctx, parent, name, action);
    if (!isDir(victim.mode)) throw new FsError(ENOTDIR, `Cannot ${action}: not a directory`);
    if (store.dentries.hasChildren(victim.ino)) {
      throw new FsError(ENOTEMPTY, `Cannot ${action}: it is not empty`);
    }
    const now = core.now();
    store.dentries.remove(parent, bytes);
    store.deleteInode(victim.ino, { dataBytes: 0, orphan: false });
    dir.nlink--;
    touch(dir, now);
    store.inodes.update(dir);
  });
}

/** The target of symlink `ino`. */
export function readlink(core: VfsCore, ino: Ino): Uint8Array {
  const action = `read link ${ino}`;
  const inode = core.inode(ino, action);
  const target = core.store.symlinks.get(ino);
  if (fileType(inode.mode) !== S_IFLNK || target === undefined) {
    throw new FsError(EINVAL, `Cannot ${action}: not a symlink`);
  }
  return target;
}
