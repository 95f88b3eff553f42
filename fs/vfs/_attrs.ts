/**
 * setattr: chmod, chown, truncate and utimensat semantics, with the Linux
 * rules for who may do what and when setuid/setgid bits are cleared.
 *
 * @module
 */

import { EACCES, EBADF, EINVAL, EISDIR, EPERM, FsError } from "../errno.ts";
import type { VfsCore } from "./_core.ts";
import { flushLocked } from "./_file_flush.ts";
import { checkFileSize, truncateChunks, truncateState } from "./_file_write.ts";
import { deleteChunks } from "./_garbage.ts";
import { CAPABILITY_XATTR } from "./_xattrs.ts";
import {
  isDir,
  isRegular,
  O_ACCMODE,
  O_RDONLY,
  PERMISSION_BITS,
  S_IFMT,
  S_ISGID,
  S_ISUID,
  S_IXGRP,
  W_OK,
} from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import { checkAccess, checkOwner, inGroup, isRoot, mayAccess, ownsOrRoot } from "./permissions.ts";
import type { Attr, CallContext, Ino, SetattrChanges, Timespec } from "./types.ts";

export async function setattr(
  core: VfsCore,
  ctx: CallContext,
  ino: Ino,
  changes: SetattrChanges,
): Promise<Attr> {
  const state = core.files.get(ino);
  if (state !== undefined && changes.sizeBytes !== undefined) {
    // Flush first, so no unflushed write lands past the new size.
    return await state.lock.run(async () => {
      await flushLocked(core, state);
      return await applyChanges(core, ctx, ino, changes);
    });
  }
  if (state !== undefined && changes.mtime !== undefined) {
    // The mtime given here wins over the writes before it: their pending mtime
    // goes, so their flush (at close) leaves this one. Under the file's lock, so
    // a flush running now commits its own mtime first. Flushing here instead
    // cost a small file two more commits: tar sets the times before it closes.
    return await state.lock.run(async () => {
      const pending = state.pendingMtime;
      state.pendingMtime = undefined;
      try {
        return await applyChanges(core, ctx, ino, changes);
      } catch (error) {
        state.pendingMtime ??= pending; // Refused: the writes' mtime stands.
        throw error;
      }
    });
  }
  return await applyChanges(core, ctx, ino, changes);
}

async function applyChanges(
  core: VfsCore,
  ctx: CallContext,
  ino: Ino,
  changes: SetattrChanges,
): Promise<Attr> {
  const action = `change the attributes of inode ${ino}`;
  let refs: string[] = [];
  const inode = core.store.groupedTransaction(() => {
    const inode = core.inode(ino, action);
    const now = core.now();
    if (changes.uid !== undefined || changes.gid !== undefined) {
      changeOwner(ctx, inode, changes, action);
    }
    if (changes.mode !== undefined) changeMode(ctx, inode, changes.mode, action);
    if (changes.sizeBytes !== undefined) {
      refs = changeSize(core, ctx, inode, changes, action);
      inode.mtime = now;
    }
    changeTimes(ctx, inode, changes, now, action);
    if (changes.killSuidgid === true) killSuidgid(inode);
    const owner = changes.uid !== undefined || changes.gid !== undefined;
    if ((owner || changes.sizeBytes !== undefined) && !isDir(inode.mode)) {
      // Linux removes a file's capability on chown and truncation too.
      core.store.xattrs.remove(ino, CAPABILITY_XATTR);
    }
    inode.ctime = now;
    core.store.inodes.update(inode);
    return inode;
  });
  const state = core.files.get(ino);
  if (changes.sizeBytes !== undefined && state !== undefined) {
    truncateState(core, state, changes.sizeBytes);
  }
  await deleteChunks(core, refs);
  return core.attrOf(inode);
}

/** chown(2): only root gives a file away; the owner may pick one of its groups. */
function changeOwner(ctx: CallContext, inode: Inode, changes: SetattrChanges, action: string) {
  const { uid, gid } = changes;
  const owner = ctx.uid === inode.uid;
  if (uid !== undefined && !isRoot(ctx) && !(owner && uid === inode.uid)) {
    throw new FsError(EPERM, `Cannot ${action}: only root changes the owner`);
  }
  if (
    gid !== undefined && !isRoot(ctx) && !(owner && (gid === inode.gid || inGroup(ctx, gid)))
  ) {
    throw new FsError(EPERM, `Cannot ${action}: not the owner, or not in group ${gid}`);
  }
  if (!isDir(inode.mode)) {
    // Linux clears setuid on every chown of a non-directory, and setgid when it
    // marks a group-executable file or the caller could not set it.
    const keepSetgid = (inode.mode & S_IXGRP) === 0 && (isRoot(ctx) || inGroup(ctx, inode.gid));
    inode.mode &= ~(S_ISUID | (keepSetgid ? 0 : S_ISGID));
  }
  if (uid !== undefined) inode.uid = uid;
  if (gid !== undefined) inode.gid = gid;
}

/** chmod(2): owner or root; setgid is dropped for a group the caller is not in. */
function changeMode(ctx: CallContext, inode: Inode, mode: number, action: string): void {
  checkOwner(ctx, inode, action);
  let permissions = mode & PERMISSION_BITS;
  if (!isRoot(ctx) && !inGroup(ctx, inode.gid)) permissions &= ~S_ISGID;
  inode.mode = (inode.mode & S_IFMT) | permissions;
}

/** truncate(2) / ftruncate(2). Returns the chunk refs to delete. */
function changeSize(
  core: VfsCore,
  ctx: CallContext,
  inode: Inode,
  changes: SetattrChanges,
  action: string,
): string[] {
  if (isDir(inode.mode)) throw new FsError(EISDIR, `Cannot ${action}: it is a directory`);
  if (!isRegular(inode.mode)) throw new FsError(EINVAL, `Cannot ${action}: not a regular file`);
  const sizeBytes = changes.sizeBytes!;
  if (!Number.isInteger(sizeBytes) || sizeBytes < 0) {
    throw new FsError(EINVAL, `Cannot ${action}: size ${sizeBytes} is not valid`);
  }
  checkFileSize(inode.ino, sizeBytes, "truncate");
  if (changes.fh !== undefined) {
    const handle = core.handle(changes.fh, "file", action);
    if ((handle.flags & O_ACCMODE) === O_RDONLY) {
      throw new FsError(EBADF, `Cannot ${action}: handle ${changes.fh} is read-only`);
    }
  } else {
    checkAccess(ctx, inode, W_OK, action);
  }
  if (!isRoot(ctx)) killSuidgid(inode);
  return truncateChunks(core, inode, sizeBytes);
}

/**
 * utimensat(2): "now" for both needs ownership or write permission (EACCES);
 * any given time needs ownership (EPERM). Absent is UTIME_OMIT.
 */
function changeTimes(
  ctx: CallContext,
  inode: Inode,
  changes: SetattrChanges,
  now: Timespec,
  action: string,
): void {
  const { atime, mtime } = changes;
  if (atime === undefined && mtime === undefined) return;
  const given = (atime !== undefined && atime !== "now") ||
    (mtime !== undefined && mtime !== "now");
  if (!ownsOrRoot(ctx, inode)) {
    if (given) throw new FsError(EPERM, `Cannot ${action}: only the owner sets given times`);
    if (!mayAccess(ctx, inode, W_OK)) {
      throw new FsError(EACCES, `Cannot ${action}: permission denied`);
    }
  }
  if (atime !== undefined) inode.atime = atime === "now" ? now : checkTime(atime, action);
  if (mtime !== undefined) inode.mtime = mtime === "now" ? now : checkTime(mtime, action);
}

function checkTime(time: Timespec, action: string): Timespec {
  if (!Number.isSafeInteger(time.sec) || !Number.isInteger(time.nsec)) {
    throw new FsError(EINVAL, `Cannot ${action}: ${time.sec}.${time.nsec} is not a time`);
  }
  if (time.nsec < 0 || time.nsec > 999_999_999) {
    throw new FsError(EINVAL, `Cannot ${action}: ${time.nsec} ns is out of range`);
  }
  return { sec: time.sec, nsec: time.nsec };
}

/**
 * Clears setuid, and setgid when it marks a group-executable file, as a write
 * by an unprivileged user does. Returns whether the mode changed.
 */
export function killSuidgid(inode: Inode): boolean {
  const before = inode.mode;
  inode.mode &= ~S_ISUID;
  if ((inode.mode & S_IXGRP) !== 0) inode.mode &= ~S_ISGID;
  return inode.mode !== before;
}
