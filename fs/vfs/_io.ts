/**
 * Data operations on open handles: read, write (O_APPEND, clearing
 * setuid/setgid), fallocate, lseek SEEK_DATA / SEEK_HOLE and copy_file_range.
 *
 * @module
 */

import { EBADF, EINVAL, ENOSPC, ENXIO, EOPNOTSUPP, FsError } from "../errno.ts";
import type { FileHandle, VfsCore } from "./_core.ts";
import { killSuidgid } from "./_attrs.ts";
import { dropCapabilityForWrite } from "./_xattrs.ts";
import { flushLocked } from "./_file_flush.ts";
import { readData, seekData, seekHole } from "./_file_read.ts";
import { checkFileSize, punchHole, writeData } from "./_file_write.ts";
import { writable } from "./_open.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  isRegular,
  O_ACCMODE,
  O_APPEND,
  O_WRONLY,
  S_ISGID,
  S_ISUID,
  SEEK_DATA,
  SEEK_HOLE,
} from "./constants.ts";
import { isRoot } from "./permissions.ts";
import { compareTimes } from "./time.ts";
import type {
  CallContext,
  CopyFileRangeInput,
  FallocateInput,
  LseekInput,
  ReadInput,
  WriteInput,
} from "./types.ts";

/** relatime: atime moves when it is not after mtime/ctime, or is a day old. */
const ATIME_AGE_SEC_MAX = 24 * 60 * 60;

function readableHandle(core: VfsCore, fh: number, action: string): FileHandle {
  const handle = core.handle(fh, "file", action);
  if ((handle.flags & O_ACCMODE) === O_WRONLY) {
    throw new FsError(EBADF, `Cannot ${action}: handle ${fh} is write-only`);
  }
  return handle;
}

function writableHandle(core: VfsCore, fh: number, action: string): FileHandle {
  const handle = core.handle(fh, "file", action);
  if (!writable(handle.flags)) {
    throw new FsError(EBADF, `Cannot ${action}: handle ${fh} is read-only`);
  }
  return handle;
}

function checkRange(offset: number, lengthBytes: number, action: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(lengthBytes)) {
    throw new FsError(EINVAL, `Cannot ${action}: bad range ${offset}+${lengthBytes}`);
  }
}

export async function read(core: VfsCore, input: ReadInput): Promise<Uint8Array> {
  const action = `read handle ${input.fh}`;
  const handle = readableHandle(core, input.fh, action);
  checkRange(input.offset, input.sizeBytes, action);
  const data = await readData(core, handle.state, input.offset, input.sizeBytes);
  touchAtime(core, handle.ino);
  return data;
}

function touchAtime(core: VfsCore, ino: number): void {
  const inode = core.store.inodes.get(ino);
  if (inode === undefined) return;
  const now = core.now();
  const stale = compareTimes(inode.atime, inode.mtime) <= 0 ||
    compareTimes(inode.atime, inode.ctime) <= 0 || now.sec - inode.atime.sec >= ATIME_AGE_SEC_MAX;
  if (!stale) return;
  inode.atime = now;
  core.store.inodes.update(inode);
}

export async function write(core: VfsCore, ctx: CallContext, input: WriteInput): Promise<number> {
  const action = `write handle ${input.fh}`;
  const handle = writableHandle(core, input.fh, action);
  checkRange(input.offset, input.data.length, action);
  if (input.data.length === 0) return 0;
  dropPrivileges(core, ctx, handle.ino);
  dropCapabilityForWrite(core, handle.ino);
  const append = (handle.flags & O_APPEND) !== 0;
  await writeData(core, handle.state, { offset: input.offset, data: input.data, append });
  return input.data.length;
}

/** A write by anyone but root clears setuid (and group-exec setgid) at once. */
function dropPrivileges(core: VfsCore, ctx: CallContext, ino: number): void {
  if (isRoot(ctx)) return;
  const inode = core.store.inodes.get(ino);
  if (inode === undefined || (inode.mode & (S_ISUID | S_ISGID)) === 0) return;
  if (!killSuidgid(inode)) return;
  inode.ctime = core.now();
  core.store.inodes.update(inode);
}

export async function fallocate(core: VfsCore, input: FallocateInput): Promise<void> {
  const action = `allocate in handle ${input.fh}`;
  const handle = writableHandle(core, input.fh, action);
  const mode = input.mode ?? 0;
  checkRange(input.offset, input.lengthBytes, action);
  if (input.lengthBytes <= 0) throw new FsError(EINVAL, `Cannot ${action}: empty range`);
  if (!isRegular(core.inode(handle.ino, action).mode)) {
    throw new FsError(EOPNOTSUPP, `Cannot ${action}: not a regular file`);
  }
  const end = input.offset + input.lengthBytes;
  checkFileSize(handle.ino, end, "allocate in");
  dropCapabilityForWrite(core, handle.ino);
  if (mode === (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
    return await punchHole(core, handle.state, input.offset, input.lengthBytes);
  }
  if (mode !== 0 && mode !== FALLOC_FL_KEEP_SIZE) {
    throw new FsError(EOPNOTSUPP, `Cannot ${action}: mode ${mode} is not supported`);
  }
  const { usedBytes, capacityBytes } = core.backend.usage();
  if (capacityBytes - usedBytes < input.lengthBytes) {
    throw new FsError(ENOSPC, `Cannot ${action}: ${input.lengthBytes} bytes do not fit`);
  }
  if (mode !== 0) return;
  const { state } = handle;
  await state.lock.run(async () => {
    await flushLocked(core, state);
    if (end <= state.sizeBytes) return;
    core.store.transaction(() => {
      const inode = core.inode(handle.ino, action);
      const now = core.now();
      inode.sizeBytes = end;
      inode.mtime = now;
      inode.ctime = now;
      core.store.inodes.update(inode);
    });
    state.sizeBytes = end;
  });
}

export async function lseek(core: VfsCore, input: LseekInput): Promise<number> {
  const action = `seek in handle ${input.fh}`;
  const handle = core.handle(input.fh, "file", action);
  if (input.whence !== SEEK_DATA && input.whence !== SEEK_HOLE) {
    throw new FsError(EINVAL, `Cannot ${action}: whence ${input.whence} is not supported`);
  }
  if (!Number.isSafeInteger(input.offset) || input.offset < 0) {
    throw new FsError(ENXIO, `Cannot ${action}: offset ${input.offset}`);
  }
  const { state } = handle;
  return await state.lock.run(async () => {
    await flushLocked(core, state);
    const find = input.whence === SEEK_DATA ? seekData : seekHole;
    return find(core, handle.ino, input.offset, state.sizeBytes);
  });
}

/** copy_file_range(2): copies through the buffers, a chunk at a time. */
export async function copyFileRange(
  core: VfsCore,
  ctx: CallContext,
  input: CopyFileRangeInput,
): Promise<number> {
  const action = `copy from handle ${input.fhIn} to handle ${input.fhOut}`;
  if ((input.flags ?? 0) !== 0) throw new FsError(EINVAL, `Cannot ${action}: flags must be 0`);
  const source = readableHandle(core, input.fhIn, action);
  const target = writableHandle(core, input.fhOut, action);
  if ((target.flags & O_APPEND) !== 0) {
    throw new FsError(EBADF, `Cannot ${action}: the target is open for appending`);
  }
  checkRange(input.offsetIn, input.lengthBytes, action);
  checkRange(input.offsetOut, input.lengthBytes, action);
  const available = Math.max(0, source.state.sizeBytes - input.offsetIn);
  const total = Math.min(input.lengthBytes, available);
  if (
    source.ino === target.ino && input.offsetIn < input.offsetOut + total &&
    input.offsetOut < input.offsetIn + total
  ) {
    throw new FsError(EINVAL, `Cannot ${action}: the ranges overlap`);
  }
  if (total === 0) return 0;
  checkFileSize(target.ino, input.offsetOut + total, "copy into");
  dropPrivileges(core, ctx, target.ino);
  dropCapabilityForWrite(core, target.ino);
  let done = 0;
  while (done < total) {
    const piece = Math.min(core.chunkSizeBytes, total - done);
    const data = await readData(core, source.state, input.offsetIn + done, piece);
    if (data.length === 0) break;
    await writeData(core, target.state, { offset: input.offsetOut + done, data, append: false });
    done += data.length;
  }
  return done;
}
