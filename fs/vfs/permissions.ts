/**
 * POSIX permission checks: owner, group and other bits against the caller's
 * uid, gid and supplementary groups; root passes every check except execute,
 * which needs some execute bit on a non-directory; the sticky bit on
 * directories. Pure functions over an inode and a {@link CallContext}.
 *
 * @module
 */

import { EACCES, EPERM, FsError } from "../errno.ts";
import { ANY_EXEC_BITS, isDir, R_OK, S_ISVTX, W_OK, X_OK } from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import type { CallContext } from "./types.ts";

/** Whether the caller is root (CAP_FOWNER, CAP_DAC_OVERRIDE and friends). */
export function isRoot(ctx: CallContext): boolean {
  return ctx.uid === 0;
}

/** Whether `gid` is the caller's group or one of its supplementary groups. */
export function inGroup(ctx: CallContext, gid: number): boolean {
  return ctx.gid === gid || (ctx.groups?.includes(gid) ?? false);
}

/** Whether the caller may access `inode` for every bit of `mask` (R_OK | W_OK | X_OK). */
export function mayAccess(ctx: CallContext, inode: Inode, mask: number): boolean {
  if (isRoot(ctx)) {
    return (mask & X_OK) === 0 || isDir(inode.mode) || (inode.mode & ANY_EXEC_BITS) !== 0;
  }
  let granted: number;
  if (ctx.uid === inode.uid) granted = (inode.mode >> 6) & 7;
  else if (inGroup(ctx, inode.gid)) granted = (inode.mode >> 3) & 7;
  else granted = inode.mode & 7;
  return (mask & (R_OK | W_OK | X_OK) & ~granted) === 0;
}

/** Throws EACCES unless the caller may access `inode` for `mask`. */
export function checkAccess(ctx: CallContext, inode: Inode, mask: number, action: string): void {
  if (!mayAccess(ctx, inode, mask)) {
    throw new FsError(EACCES, `Cannot ${action}: permission denied`);
  }
}

/** Whether the caller owns `inode` or is root (may chmod, utimes to a given time, ...). */
export function ownsOrRoot(ctx: CallContext, inode: Inode): boolean {
  return isRoot(ctx) || ctx.uid === inode.uid;
}

/** Throws EPERM unless the caller owns `inode` or is root. */
export function checkOwner(ctx: CallContext, inode: Inode, action: string): void {
  if (!ownsOrRoot(ctx, inode)) {
    throw new FsError(EPERM, `Cannot ${action}: only the owner may`);
  }
}

/**
 * The sticky-bit rule for removing or renaming `victim` out of `dir`: in a
 * sticky directory only the owner of the entry, the owner of the directory or
 * root may. Throws EPERM otherwise.
 */
export function checkSticky(ctx: CallContext, dir: Inode, victim: Inode, action: string): void {
  if ((dir.mode & S_ISVTX) === 0 || isRoot(ctx)) return;
  if (ctx.uid === dir.uid || ctx.uid === victim.uid) return;
  throw new FsError(EPERM, `Cannot ${action}: the directory is sticky and not yours`);
}
