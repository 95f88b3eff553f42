/**
 * Extended attributes with the namespace rules of Linux (fs/xattr.c):
 * `user.` on regular files and directories only, checked like the file's
 * data, owner-only on sticky directories; `trusted.` for root only (hidden
 * from others); `security.` unchecked; `system.` (POSIX ACLs) and unknown
 * namespaces are not supported.
 *
 * @module
 */

import { E2BIG, EEXIST, EINVAL, ENODATA, EOPNOTSUPP, EPERM, ERANGE, FsError } from "../errno.ts";
import { answerError, type VfsCore } from "./_core.ts";
import {
  isDir,
  isRegular,
  R_OK,
  S_ISVTX,
  W_OK,
  XATTR_CREATE,
  XATTR_NAME_BYTES_MAX,
  XATTR_REPLACE,
  XATTR_VALUE_BYTES_MAX,
} from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import { checkAccess, isRoot, ownsOrRoot } from "./permissions.ts";
import type { CallContext, Ino, SetxattrInput } from "./types.ts";

const encoder = new TextEncoder();
const NAMESPACES = ["user.", "trusted.", "security."];

function checkName(name: string, action: string): void {
  const length = encoder.encode(name).length;
  if (length > XATTR_NAME_BYTES_MAX) {
    throw new FsError(ERANGE, `Cannot ${action}: the name has ${length} bytes`);
  }
  const namespace = NAMESPACES.find((prefix) => name.startsWith(prefix));
  if (namespace === undefined) {
    throw new FsError(EOPNOTSUPP, `Cannot ${action}: namespace not supported`);
  }
  if (name.length === namespace.length) {
    throw new FsError(EINVAL, `Cannot ${action}: empty name`);
  }
}

/** Linux's xattr_permission for `name` on `inode`. */
function checkPermission(
  ctx: CallContext,
  inode: Inode,
  name: string,
  write: boolean,
  action: string,
): void {
  if (name.startsWith("security.")) return;
  if (name.startsWith("trusted.")) {
    if (isRoot(ctx)) return;
    if (write) throw new FsError(EPERM, `Cannot ${action}: trusted attributes are root's`);
    throw new FsError(ENODATA, `Cannot ${action}: no such attribute`);
  }
  if (!isRegular(inode.mode) && !isDir(inode.mode)) {
    if (write) throw new FsError(EPERM, `Cannot ${action}: user attributes need a file or dir`);
    throw new FsError(ENODATA, `Cannot ${action}: no such attribute`);
  }
  if (write && isDir(inode.mode) && (inode.mode & S_ISVTX) !== 0 && !ownsOrRoot(ctx, inode)) {
    throw new FsError(EPERM, `Cannot ${action}: the directory is sticky and not yours`);
  }
  checkAccess(ctx, inode, write ? W_OK : R_OK, action);
}

export function getxattr(core: VfsCore, ctx: CallContext, ino: Ino, name: string): Uint8Array {
  const value = findXattr(core, ctx, ino, name);
  if (value !== undefined) return value;
  throw answerError(ENODATA, `Cannot get attribute "${name}" of inode ${ino}: no such attribute`);
}

/** {@link getxattr}, but a missing attribute is `undefined` rather than ENODATA. */
export function findXattr(
  core: VfsCore,
  ctx: CallContext,
  ino: Ino,
  name: string,
): Uint8Array | undefined {
  const action = `get attribute "${name}" of inode ${ino}`;
  checkName(name, action);
  const inode = core.inode(ino, action);
  checkPermission(ctx, inode, name, false, action);
  return core.store.xattrs.get(ino, name);
}

export function setxattr(core: VfsCore, ctx: CallContext, input: SetxattrInput): void {
  const { ino, name, value } = input;
  const flags = input.flags ?? 0;
  const action = `set attribute "${name}" of inode ${ino}`;
  checkName(name, action);
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) !== 0 || flags === 3) {
    throw new FsError(EINVAL, `Cannot ${action}: bad flags ${flags}`);
  }
  if (value.length > XATTR_VALUE_BYTES_MAX) {
    throw new FsError(E2BIG, `Cannot ${action}: the value has ${value.length} bytes`);
  }
  core.store.transaction(() => {
    const inode = core.inode(ino, action);
    checkPermission(ctx, inode, name, true, action);
    const exists = core.store.xattrs.get(ino, name) !== undefined;
    if (exists && flags === XATTR_CREATE) {
      throw new FsError(EEXIST, `Cannot ${action}: it exists`);
    }
    if (!exists && flags === XATTR_REPLACE) {
      throw new FsError(ENODATA, `Cannot ${action}: no such attribute`);
    }
    core.store.xattrs.put(ino, name, value.slice());
    if (name === CAPABILITY_XATTR) core.capabilityFree.delete(ino);
    inode.ctime = core.now();
    core.store.inodes.update(inode);
  });
}

/** The names the caller may see: trusted ones only for root. */
export function listxattr(core: VfsCore, ctx: CallContext, ino: Ino): string[] {
  core.inode(ino, `list the attributes of inode ${ino}`);
  const names = core.store.xattrs.list(ino);
  return isRoot(ctx) ? names : names.filter((name) => !name.startsWith("trusted."));
}

export function removexattr(core: VfsCore, ctx: CallContext, ino: Ino, name: string): void {
  const action = `remove attribute "${name}" of inode ${ino}`;
  checkName(name, action);
  core.store.transaction(() => {
    const inode = core.inode(ino, action);
    checkPermission(ctx, inode, name, true, action);
    if (!core.store.xattrs.remove(ino, name)) {
      throw new FsError(ENODATA, `Cannot ${action}: no such attribute`);
    }
    inode.ctime = core.now();
    core.store.inodes.update(inode);
  });
}

/** The file capability attribute, removed by writes, truncation and chown (as Linux does). */
export const CAPABILITY_XATTR = "security.capability";
/** Files remembered as capability-free at most; forgotten all at once when full. */
const CAPABILITY_FREE_MAX = 65_536;

/**
 * Removes a regular file's security.capability before a write, as Linux's
 * file_remove_privs does for every writer. The mount leaves this to us
 * (FUSE_HANDLE_KILLPRIV_V2, which spares the kernel a GETXATTR per write), and
 * we look only once per file until the attribute is set again.
 */
export function dropCapabilityForWrite(core: VfsCore, ino: Ino): void {
  if (core.capabilityFree.has(ino)) return;
  if (core.store.xattrs.get(ino, CAPABILITY_XATTR) !== undefined) {
    core.store.groupedTransaction(() => core.store.xattrs.remove(ino, CAPABILITY_XATTR));
  }
  if (core.capabilityFree.size >= CAPABILITY_FREE_MAX) core.capabilityFree.clear();
  core.capabilityFree.add(ino);
}
