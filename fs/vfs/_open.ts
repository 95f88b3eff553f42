/**
 * Opening and closing files: open (with O_TRUNC), create (with O_EXCL),
 * flush, fsync and release. The last release of a file with no name left
 * deletes it.
 *
 * @module
 */

import { EEXIST, EISDIR, ELOOP, ENOTDIR, FsError } from "../errno.ts";
import { type FileHandle, nameBytes, showName, type VfsCore } from "./_core.ts";
import { flushFile, flushLocked } from "./_file_flush.ts";
import { truncateChunks, truncateState } from "./_file_write.ts";
import { deleteChunks } from "./_garbage.ts";
import { createNode, lookup, touch } from "./_names.ts";
import { killSuidgid } from "./_attrs.ts";
import { CAPABILITY_XATTR } from "./_xattrs.ts";
import {
  FMODE_EXEC,
  isDir,
  isSymlink,
  O_ACCMODE,
  O_DIRECTORY,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  R_OK,
  S_IFMT,
  S_IFREG,
  W_OK,
  X_OK,
} from "./constants.ts";
import type { Inode } from "./meta_inodes.ts";
import { checkAccess, isRoot } from "./permissions.ts";
import type { CallContext, CreateInput, Fh, Ino } from "./types.ts";

/** The access an open(2) with `flags` asks for. */
function accessMask(flags: number): number {
  const mode = flags & O_ACCMODE;
  // execve(2) opens read-only but asks for execute permission only.
  if ((flags & FMODE_EXEC) !== 0 && mode === O_RDONLY) return X_OK;
  let mask = mode === O_RDONLY ? R_OK : mode === O_WRONLY ? W_OK : R_OK | W_OK;
  if ((flags & O_TRUNC) !== 0) mask |= W_OK;
  return mask;
}

export async function open(core: VfsCore, ctx: CallContext, ino: Ino, flags: number) {
  const action = `open inode ${ino}`;
  const inode = core.inode(ino, action);
  if (isDir(inode.mode) && ((flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0)) {
    throw new FsError(EISDIR, `Cannot ${action} for writing: it is a directory`);
  }
  if (isSymlink(inode.mode)) throw new FsError(ELOOP, `Cannot ${action}: it is a symlink`);
  if ((flags & O_DIRECTORY) !== 0 && !isDir(inode.mode)) {
    throw new FsError(ENOTDIR, `Cannot ${action}: not a directory`);
  }
  checkAccess(ctx, inode, accessMask(flags), action);
  if (isDir(inode.mode)) return core.addHandle({ kind: "dir", ino });
  const fh = openHandle(core, inode, flags);
  if ((flags & O_TRUNC) !== 0 && (inode.mode & S_IFMT) === S_IFREG) {
    await truncateOnOpen(core, ctx, core.handle(fh, "file", action));
  }
  return fh;
}

function openHandle(core: VfsCore, inode: Inode, flags: number): Fh {
  const state = core.fileState(inode);
  state.openCount++;
  return core.addHandle({ kind: "file", ino: inode.ino, flags, state });
}

/** O_TRUNC: the file becomes empty; mtime and ctime change even if it was. */
async function truncateOnOpen(core: VfsCore, ctx: CallContext, handle: FileHandle) {
  const { state } = handle;
  await state.lock.run(async () => {
    // Unflushed writes of other handles are dropped by the truncation anyway,
    // but a flush may be running: the lock waits for it.
    const refs = core.store.transaction(() => {
      const inode = core.inode(handle.ino, `truncate inode ${handle.ino}`);
      const refs = truncateChunks(core, inode, 0);
      if (!isRoot(ctx)) killSuidgid(inode);
      core.store.xattrs.remove(handle.ino, CAPABILITY_XATTR);
      touch(inode, core.now());
      core.store.inodes.update(inode);
      return refs;
    });
    state.pendingMtime = undefined;
    state.pendingCtime = undefined;
    truncateState(core, state, 0);
    await deleteChunks(core, refs);
  });
}

/**
 * Creates and opens a regular file; with O_EXCL an existing name is EEXIST,
 * without it the existing file is opened. A new file is opened with `flags`
 * whatever its permission bits say (open(2) with O_CREAT does the same).
 */
export async function create(
  core: VfsCore,
  ctx: CallContext,
  input: CreateInput,
): Promise<{ inode: Inode; fh: Fh }> {
  const action = `create "${showName(input.name)}" in inode ${input.parent}`;
  const bytes = nameBytes(input.name, action);
  let inode: Inode;
  try {
    inode = createNode(core, ctx, {
      parent: input.parent,
      name: bytes,
      mode: S_IFREG | (input.mode & ~S_IFMT),
      umask: input.umask,
    });
  } catch (error) {
    // The name exists: rare here, since the kernel looks a name up before it
    // sends CREATE and opens a name it found. Not looked up first, because
    // createNode looks it up anyway (one lookup less per create).
    if (!(error instanceof FsError) || error.errno !== EEXIST || (input.flags & O_EXCL) !== 0) {
      throw error;
    }
    const existing = lookup(core, ctx, input.parent, bytes);
    const fh = await open(core, ctx, existing.ino, input.flags);
    return { inode: core.inode(existing.ino, action), fh };
  }
  return { inode, fh: openHandle(core, inode, input.flags) };
}

/** close(2) of one descriptor: writes the file's unflushed bytes. */
export async function flush(core: VfsCore, fh: Fh): Promise<void> {
  const handle = core.handles.get(fh);
  if (handle?.kind === "file") {
    await flushFile(core, handle.state);
    // A backend that holds chunks in memory for upload puts them on disk (or has them on its
    // nodes) before close(2) returns.
    await core.backend.persist?.();
  }
  // A closed file survives a kill -9 of this process (README's promise): its
  // create and every other grouped change so far are committed before close returns.
  core.store.commitPending();
}

/** fsync(2): the file's data and all metadata committed so far survive a power loss. */
export async function fsync(core: VfsCore, fh: Fh): Promise<void> {
  const handle = core.handle(fh, "file", `sync handle ${fh}`);
  await flushFile(core, handle.state);
  await core.backend.sync();
  core.store.commitDurably();
  await core.afterDurableCommit();
}

/** The last close of a handle. The file's last handle flushes it, or deletes it if unlinked. */
export async function release(core: VfsCore, fh: Fh): Promise<void> {
  const handle = core.handle(fh, "file", `release handle ${fh}`);
  core.handles.delete(fh);
  const { state } = handle;
  state.openCount--;
  if (state.openCount > 0) return;
  await state.lock.run(async () => {
    if (state.openCount > 0) return;
    const inode = core.store.inodes.get(state.ino);
    if (inode === undefined || inode.nlink === 0) {
      core.dirtyBytes -= state.dirty.bytes;
      core.files.delete(state.ino);
      const refs = inode === undefined ? [] : core.store.transaction(() =>
        // Unlinked while open: listed as an orphan (dropLink).
        core.store.deleteInode(state.ino, { dataBytes: inode.dataBytes, orphan: true })
      );
      await deleteChunks(core, refs);
      return;
    }
    await flushLocked(core, state);
    if (state.openCount === 0 && !state.hasUnflushed()) core.files.delete(state.ino);
  });
}

/** Whether a handle was opened with write access. */
export function writable(flags: number): boolean {
  const mode = flags & O_ACCMODE;
  return mode === O_WRONLY || mode === O_RDWR;
}
