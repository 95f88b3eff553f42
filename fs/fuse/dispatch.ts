/**
 * The dispatch table: one decoded request -> one {@link RawFileSystem} call ->
 * the encoded reply body. No I/O: the session reads, calls {@link dispatch}
 * and writes what it returns. INIT, FORGET, BATCH_FORGET, INTERRUPT and
 * DESTROY change session state and are handled by the session itself.
 *
 * @module
 */

import { ENOSYS, ERANGE, FsError } from "../errno.ts";
import { Opcode, opcodeName } from "./abi.ts";
import { DirentBuffer, DirentPlusBuffer } from "./dirent_buffer.ts";
import {
  encodeAttrReply,
  encodeCreateReply,
  encodeEntry,
  encodeLseekReply,
  encodeOpenReply,
  encodeStatfsReply,
  encodeWriteReply,
  encodeXattrNames,
  encodeXattrSizeReply,
} from "./encode.ts";
import { encodeName } from "./names.ts";
import type { RawFileSystem, RequestContext } from "./raw_fs.ts";
import type { FileHandle, FuseRequest, KnownOpcode, RequestBodies, StatfsReply } from "./types.ts";

/** A reply body; null for a reply with a header only. */
export type ReplyBody = Uint8Array | null;

type Handler<K extends KnownOpcode> = (
  fs: RawFileSystem,
  ctx: RequestContext,
  body: RequestBodies[K],
) => Promise<ReplyBody>;

/** libfuse's answer when a filesystem has no statfs: empty, 255-byte names. */
const DEFAULT_STATFS: StatfsReply = {
  blocks: 0,
  bfree: 0,
  bavail: 0,
  files: 0,
  ffree: 0,
  bsize: 512,
  namelen: 255,
  frsize: 512,
};

/**
 * Serves one request and returns the reply body. Throws FsError (ENOSYS when
 * the filesystem lacks the method or the opcode is not served here).
 */
export function dispatch(
  fs: RawFileSystem,
  ctx: RequestContext,
  request: FuseRequest,
): Promise<ReplyBody> {
  const handler = HANDLERS[request.opcode] as Handler<KnownOpcode> | undefined;
  if (handler === undefined) return Promise.reject(enosys(request.opcode));
  return handler(fs, ctx, request.body);
}

function enosys(opcode: number): FsError {
  return new FsError(
    ENOSYS,
    `Cannot serve ${opcodeName(opcode)}: the filesystem does not implement it`,
  );
}

function missing(opcode: number): Promise<never> {
  return Promise.reject(enosys(opcode));
}

/** Answers a size query (size 0), refuses a too small buffer, else returns the bytes. */
function sized(bytes: Uint8Array, sizeBytes: number): Uint8Array {
  if (sizeBytes === 0) return encodeXattrSizeReply(bytes.length);
  if (bytes.length > sizeBytes) {
    throw new FsError(ERANGE, `Cannot return ${bytes.length} bytes into a buffer of ${sizeBytes}`);
  }
  return bytes;
}

const OPEN_DEFAULT = encodeOpenReply({ fh: 0 as FileHandle });

const HANDLERS: { [K in KnownOpcode]?: Handler<K> } = {
  [Opcode.LOOKUP]: async (fs, ctx, b) =>
    fs.lookup ? encodeEntry(await fs.lookup(ctx, b)) : missing(Opcode.LOOKUP),
  [Opcode.GETATTR]: async (fs, ctx, b) =>
    fs.getattr ? encodeAttrReply(await fs.getattr(ctx, b)) : missing(Opcode.GETATTR),
  [Opcode.SETATTR]: async (fs, ctx, b) =>
    fs.setattr ? encodeAttrReply(await fs.setattr(ctx, b)) : missing(Opcode.SETATTR),
  [Opcode.READLINK]: async (fs, ctx, b) =>
    fs.readlink ? encodeName(await fs.readlink(ctx, b)) : missing(Opcode.READLINK),
  [Opcode.SYMLINK]: async (fs, ctx, b) =>
    fs.symlink ? encodeEntry(await fs.symlink(ctx, b)) : missing(Opcode.SYMLINK),
  [Opcode.MKNOD]: async (fs, ctx, b) =>
    fs.mknod ? encodeEntry(await fs.mknod(ctx, b)) : missing(Opcode.MKNOD),
  [Opcode.MKDIR]: async (fs, ctx, b) =>
    fs.mkdir ? encodeEntry(await fs.mkdir(ctx, b)) : missing(Opcode.MKDIR),
  [Opcode.LINK]: async (fs, ctx, b) =>
    fs.link ? encodeEntry(await fs.link(ctx, b)) : missing(Opcode.LINK),
  [Opcode.UNLINK]: async (fs, ctx, b) =>
    fs.unlink ? (await fs.unlink(ctx, b), null) : missing(Opcode.UNLINK),
  [Opcode.RMDIR]: async (fs, ctx, b) =>
    fs.rmdir ? (await fs.rmdir(ctx, b), null) : missing(Opcode.RMDIR),
  [Opcode.RENAME]: async (fs, ctx, b) =>
    fs.rename ? (await fs.rename(ctx, b), null) : missing(Opcode.RENAME),
  [Opcode.RENAME2]: async (fs, ctx, b) =>
    fs.rename ? (await fs.rename(ctx, b), null) : missing(Opcode.RENAME2),
  [Opcode.OPEN]: async (fs, ctx, b) =>
    fs.open ? encodeOpenReply(await fs.open(ctx, b)) : OPEN_DEFAULT,
  [Opcode.CREATE]: async (fs, ctx, b) =>
    fs.create ? encodeCreateReply(await fs.create(ctx, b)) : missing(Opcode.CREATE),
  [Opcode.READ]: async (fs, ctx, b) => {
    if (!fs.read) return missing(Opcode.READ);
    const data = await fs.read(ctx, b);
    return data.length > b.size ? data.subarray(0, b.size) : data;
  },
  [Opcode.WRITE]: async (fs, ctx, b) =>
    fs.write ? encodeWriteReply(await fs.write(ctx, b)) : missing(Opcode.WRITE),
  [Opcode.FLUSH]: async (fs, ctx, b) =>
    fs.flush ? (await fs.flush(ctx, b), null) : missing(Opcode.FLUSH),
  [Opcode.FSYNC]: async (fs, ctx, b) =>
    fs.fsync ? (await fs.fsync(ctx, b), null) : missing(Opcode.FSYNC),
  [Opcode.RELEASE]: async (fs, ctx, b) => (await fs.release?.(ctx, b), null),
  [Opcode.FALLOCATE]: async (fs, ctx, b) =>
    fs.fallocate ? (await fs.fallocate(ctx, b), null) : missing(Opcode.FALLOCATE),
  [Opcode.LSEEK]: async (fs, ctx, b) =>
    fs.lseek ? encodeLseekReply(await fs.lseek(ctx, b)) : missing(Opcode.LSEEK),
  [Opcode.COPY_FILE_RANGE]: async (fs, ctx, b) =>
    fs.copyFileRange
      ? encodeWriteReply(await fs.copyFileRange(ctx, b))
      : missing(Opcode.COPY_FILE_RANGE),
  [Opcode.OPENDIR]: async (fs, ctx, b) =>
    fs.opendir ? encodeOpenReply(await fs.opendir(ctx, b)) : OPEN_DEFAULT,
  [Opcode.READDIR]: async (fs, ctx, b) => {
    if (!fs.readdir) return missing(Opcode.READDIR);
    const out = new DirentBuffer(b.size);
    await fs.readdir(ctx, b, out);
    return out.bytes();
  },
  [Opcode.READDIRPLUS]: async (fs, ctx, b) => {
    if (!fs.readdirplus) return missing(Opcode.READDIRPLUS);
    const out = new DirentPlusBuffer(b.size);
    await fs.readdirplus(ctx, b, out);
    return out.bytes();
  },
  [Opcode.RELEASEDIR]: async (fs, ctx, b) => (await fs.releasedir?.(ctx, b), null),
  [Opcode.FSYNCDIR]: async (fs, ctx, b) =>
    fs.fsyncdir ? (await fs.fsyncdir(ctx, b), null) : missing(Opcode.FSYNCDIR),
  [Opcode.STATFS]: async (fs, ctx, b) =>
    encodeStatfsReply(fs.statfs ? await fs.statfs(ctx, b) : DEFAULT_STATFS),
  [Opcode.ACCESS]: async (fs, ctx, b) =>
    fs.access ? (await fs.access(ctx, b), null) : missing(Opcode.ACCESS),
  [Opcode.GETXATTR]: async (fs, ctx, b) =>
    fs.getxattr ? sized(await fs.getxattr(ctx, b), b.size) : missing(Opcode.GETXATTR),
  [Opcode.LISTXATTR]: async (fs, ctx, b) =>
    fs.listxattr
      ? sized(encodeXattrNames(await fs.listxattr(ctx, b)), b.size)
      : missing(Opcode.LISTXATTR),
  [Opcode.SETXATTR]: async (fs, ctx, b) =>
    fs.setxattr ? (await fs.setxattr(ctx, b), null) : missing(Opcode.SETXATTR),
  [Opcode.REMOVEXATTR]: async (fs, ctx, b) =>
    fs.removexattr ? (await fs.removexattr(ctx, b), null) : missing(Opcode.REMOVEXATTR),
};
