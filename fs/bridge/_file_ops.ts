/**
 * The bridge's operations on open handles: files (open, create, read, write,
 * flush, fsync, release, fallocate, lseek, copy_file_range) and directories
 * (opendir, readdir, readdirplus, releasedir, fsyncdir). FUSE handles are the
 * vfs handles, unchanged.
 *
 * @module
 */

import { abi, type FileHandle, type RawFileSystem } from "../fuse/mod.ts";
import { encodeName } from "../fuse/mod.ts";
import { entryOf } from "./_attr.ts";
import type { BridgeCore } from "./_core.ts";
import { listDirectory } from "./_readdir.ts";

type FileOps = Required<
  Pick<
    RawFileSystem,
    | "open"
    | "create"
    | "read"
    | "write"
    | "flush"
    | "fsync"
    | "release"
    | "fallocate"
    | "lseek"
    | "copyFileRange"
    | "opendir"
    | "readdir"
    | "readdirplus"
    | "releasedir"
    | "fsyncdir"
  >
>;

/** O_ACCMODE and O_RDONLY of open(2). */
const O_ACCMODE = 0o3;
const O_RDONLY = 0;

export function fileOps(core: BridgeCore): FileOps {
  const { vfs, timeouts, openFlags } = core;
  // close(2) of a read-only handle has nothing to store (and qsfs has no locks
  // to release): FOPEN_NOFLUSH spares it the FLUSH round trip.
  const readOnlyFlags = openFlags | abi.FOPEN_NOFLUSH;
  return {
    open: (ctx, { nodeId, flags }) =>
      core.guard("OPEN", vfs.open(core.caller(ctx), nodeId, flags))
        .then((fh) => ({
          fh: fh as FileHandle,
          openFlags: (flags & O_ACCMODE) === O_RDONLY ? readOnlyFlags : openFlags,
        })),
    create: (ctx, { parent, name, mode, flags, umask }) =>
      core.call("CREATE", async () => {
        const input = { parent, name: encodeName(name), mode, flags, umask };
        const created = await vfs.create(core.caller(ctx), input);
        return {
          entry: entryOf(created.attr, timeouts),
          open: { fh: created.fh as FileHandle, openFlags },
        };
      }),
    // The hot paths: the vfs's bytes go to the wire without a copy, and the vfs
    // copies a WRITE's view of the request buffer before its promise settles.
    read: (ctx, { fh, offset, size }) =>
      core.guard("READ", vfs.read(core.caller(ctx), { fh, offset, sizeBytes: size })),
    write: (ctx, { fh, offset, data }) =>
      core.guard("WRITE", vfs.write(core.caller(ctx), { fh, offset, data })),
    flush: (ctx, { fh }) => core.guard("FLUSH", vfs.flush(core.caller(ctx), fh)),
    fsync: (ctx, { fh }) => core.guard("FSYNC", vfs.fsync(core.caller(ctx), fh)),
    release: (ctx, { fh }) => core.guard("RELEASE", vfs.release(core.caller(ctx), fh)),
    fallocate: (ctx, { fh, offset, length, mode }) =>
      core.guard(
        "FALLOCATE",
        vfs.fallocate(core.caller(ctx), { fh, offset, lengthBytes: length, mode }),
      ),
    lseek: (ctx, { fh, offset, whence }) =>
      core.guard("LSEEK", vfs.lseek(core.caller(ctx), { fh, offset, whence })),
    copyFileRange: (ctx, input) =>
      core.guard(
        "COPY_FILE_RANGE",
        vfs.copyFileRange(core.caller(ctx), {
          fhIn: input.fhIn,
          offsetIn: input.offsetIn,
          fhOut: input.fhOut,
          offsetOut: input.offsetOut,
          lengthBytes: input.length,
          flags: input.flags,
        }),
      ),
    opendir: (ctx, { nodeId }) =>
      core.guard("OPENDIR", vfs.opendir(core.caller(ctx), nodeId))
        .then((fh) => ({ fh: fh as FileHandle })),
    readdir: (ctx, input, out) =>
      core.call(
        "READDIR",
        () => listDirectory(vfs, core.caller(ctx), input, { plain: out }, timeouts),
      ),
    readdirplus: (ctx, input, out) =>
      core.call(
        "READDIRPLUS",
        () => listDirectory(vfs, core.caller(ctx), input, { plus: out }, timeouts),
      ),
    releasedir: (ctx, { fh }) => core.guard("RELEASEDIR", vfs.releasedir(core.caller(ctx), fh)),
    fsyncdir: (ctx, { fh }) => core.guard("FSYNCDIR", vfs.fsyncdir(core.caller(ctx), fh)),
  };
}
