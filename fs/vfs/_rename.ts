/**
 * rename(2) and renameat2(2): over existing entries with the POSIX rules
 * (a directory only over an empty directory, ENOTDIR / EISDIR otherwise), no
 * directory into its own subtree (EINVAL), RENAME_NOREPLACE and
 * RENAME_EXCHANGE. One transaction each; no EXDEV anywhere in the tree.
 *
 * @module
 */

import { EEXIST, EINVAL, EIO, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, FsError } from "../errno.ts";
import { nameBytes, showName, type VfsCore } from "./_core.ts";
import { deleteChunks } from "./_garbage.ts";
import { dropLink, touch } from "./_names.ts";
import { isDir, RENAME_EXCHANGE, RENAME_NOREPLACE, ROOT_INO, W_OK, X_OK } from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import { checkAccess, checkSticky } from "./permissions.ts";
import type { CallContext, Ino, RenameInput, Timespec } from "./types.ts";

/** Deeper trees than this are taken as a corrupt parent chain. */
const TREE_DEPTH_MAX = 1 << 16;

/** Both ends of a rename, looked up and checked. */
interface RenameEnds {
  action: string;
  srcDir: Inode;
  /** The same object as `srcDir` when both names are in one directory. */
  dstDir: Inode;
  src: Inode;
  dst: Inode | undefined;
  srcName: Uint8Array;
  dstName: Uint8Array;
}

export async function rename(core: VfsCore, ctx: CallContext, input: RenameInput): Promise<void> {
  const flags = input.flags ?? 0;
  const action = `rename "${showName(input.name)}" in inode ${input.parent} to "${
    showName(input.newName)
  }" in inode ${input.newParent}`;
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0) {
    throw new FsError(EINVAL, `Cannot ${action}: unsupported flags ${flags}`);
  }
  if (flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
    throw new FsError(EINVAL, `Cannot ${action}: NOREPLACE and EXCHANGE exclude each other`);
  }
  const srcName = nameBytes(input.name, action);
  const dstName = nameBytes(input.newName, action);
  const refs = core.store.groupedTransaction(() => {
    const ends = findEnds(core, ctx, input, { action, srcName, dstName });
    const now = core.now();
    if ((flags & RENAME_EXCHANGE) !== 0) {
      exchange(core, ctx, ends, now);
      return [];
    }
    if (ends.dst !== undefined && (flags & RENAME_NOREPLACE) !== 0) {
      throw new FsError(EEXIST, `Cannot ${action}: the target exists`);
    }
    return move(core, ctx, ends, now);
  });
  await deleteChunks(core, refs);
}

function findEnds(
  core: VfsCore,
  ctx: CallContext,
  input: RenameInput,
  names: { action: string; srcName: Uint8Array; dstName: Uint8Array },
): RenameEnds {
  const { action, srcName, dstName } = names;
  const { dentries } = core.store;
  const srcDir = core.dir(input.parent, action);
  const dstDir = input.newParent === input.parent ? srcDir : core.dir(input.newParent, action);
  checkAccess(ctx, srcDir, X_OK, action);
  checkAccess(ctx, dstDir, X_OK, action);
  const srcIno = dentries.lookup(input.parent, srcName);
  if (srcIno === undefined) throw new FsError(ENOENT, `Cannot ${action}: no such entry`);
  const src = core.inode(srcIno, action);
  const dstIno = dentries.lookup(input.newParent, dstName);
  const dst = dstIno === undefined
    ? undefined
    : dstIno === srcIno
    ? src
    : core.inode(dstIno, action);
  checkAccess(ctx, srcDir, W_OK | X_OK, action);
  checkAccess(ctx, dstDir, W_OK | X_OK, action);
  checkSticky(ctx, srcDir, src, action);
  if (dst !== undefined) checkSticky(ctx, dstDir, dst, action);
  return { action, srcDir, dstDir, src, dst, srcName, dstName };
}

/** A plain rename, replacing the target if there is one. Returns chunk refs to delete. */
function move(core: VfsCore, ctx: CallContext, ends: RenameEnds, now: Timespec): string[] {
  const { action, srcDir, dstDir, src, dst, srcName, dstName } = ends;
  const { store } = core;
  // Two names of one inode: POSIX says rename does nothing.
  if (dst?.ino === src.ino) return [];
  if (isDir(src.mode)) {
    checkDirMove(core, ctx, src, dstDir, ends);
    if (dst !== undefined && !isDir(dst.mode)) {
      throw new FsError(ENOTDIR, `Cannot ${action}: the target is not a directory`);
    }
    if (dst !== undefined && store.dentries.hasChildren(dst.ino)) {
      throw new FsError(ENOTEMPTY, `Cannot ${action}: the target directory is not empty`);
    }
  } else if (dst !== undefined && isDir(dst.mode)) {
    throw new FsError(EISDIR, `Cannot ${action}: the target is a directory`);
  }
  let refs: string[] = [];
  if (dst === undefined) {
    store.dentries.insert(dstDir.ino, dstName, src.ino);
  } else {
    // The target's entry keeps its readdir position and now names the source.
    store.dentries.setIno(dstDir.ino, dstName, src.ino);
    refs = dropLink(core, dst, now);
    if (isDir(dst.mode)) dstDir.nlink--;
  }
  store.dentries.remove(srcDir.ino, srcName);
  if (isDir(src.mode) && srcDir !== dstDir) {
    srcDir.nlink--;
    dstDir.nlink++;
  }
  finish(core, ends, [src], now);
  return refs;
}

/** RENAME_EXCHANGE: both names exist and swap inodes. */
function exchange(core: VfsCore, ctx: CallContext, ends: RenameEnds, now: Timespec): void {
  const { action, srcDir, dstDir, src, dst, srcName, dstName } = ends;
  if (dst === undefined) throw new FsError(ENOENT, `Cannot ${action}: the target does not exist`);
  if (dst.ino === src.ino) return;
  if (isDir(src.mode)) checkDirMove(core, ctx, src, dstDir, ends);
  if (isDir(dst.mode)) checkDirMove(core, ctx, dst, srcDir, ends);
  core.store.dentries.setIno(srcDir.ino, srcName, dst.ino);
  core.store.dentries.setIno(dstDir.ino, dstName, src.ino);
  if (srcDir !== dstDir && isDir(src.mode) !== isDir(dst.mode)) {
    const delta = isDir(src.mode) ? 1 : -1;
    srcDir.nlink -= delta;
    dstDir.nlink += delta;
  }
  finish(core, ends, [src, dst], now);
}

/**
 * A directory may move to `newDir` only if that is not inside it (EINVAL),
 * and, when it changes parents, only with write permission on itself (its
 * ".." changes).
 */
function checkDirMove(
  core: VfsCore,
  ctx: CallContext,
  dir: Inode,
  newDir: Inode,
  ends: RenameEnds,
): void {
  if (ends.srcDir === ends.dstDir) return;
  if (isInside(core, newDir.ino, dir.ino)) {
    throw new FsError(EINVAL, `Cannot ${ends.action}: a directory cannot move into itself`);
  }
  checkAccess(ctx, dir, W_OK, ends.action);
}

/** Whether `ino` is `ancestor` or lies below it. */
function isInside(core: VfsCore, ino: Ino, ancestor: Ino): boolean {
  let current = ino;
  for (let depth = 0; depth < TREE_DEPTH_MAX; depth++) {
    if (current === ancestor) return true;
    if (current === ROOT_INO) return false;
    current = core.store.dentries.parentOf(current) ?? ROOT_INO;
  }
  throw new FsError(EIO, `Cannot check the ancestors of inode ${ino}: the tree is too deep`);
}

/** Writes the changed inodes: the moved ones get a new ctime, the directories new times. */
function finish(core: VfsCore, ends: RenameEnds, moved: Inode[], now: Timespec): void {
  for (const inode of moved) {
    inode.ctime = now;
    core.store.inodes.update(inode);
  }
  touch(ends.srcDir, now);
  core.store.inodes.update(ends.srcDir);
  if (ends.dstDir !== ends.srcDir) {
    touch(ends.dstDir, now);
    core.store.inodes.update(ends.dstDir);
  }
}
