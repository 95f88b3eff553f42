/**
 * Typed replies -> bytes for /dev/fuse. Pure: no I/O, no state.
 *
 * Each `encodeX` returns the reply body (what follows fuse_out_header);
 * `writeX` writes into a caller's buffer so hot paths can avoid a copy.
 * Directory listings are built in `dirent_buffer.ts`.
 *
 * @module
 */

import * as abi from "./abi.ts";
import { encodeName } from "./names.ts";
import type {
  AttrReply,
  CreateReply,
  Entry,
  FuseAttr,
  InitReply,
  OpenReply,
  StatfsReply,
} from "./types.ts";

const TWO_POW_32 = 0x1_0000_0000;

/** Writes a u64 from a non-negative safe integer. */
export function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % TWO_POW_32, true);
  view.setUint32(at + 4, Math.floor(value / TWO_POW_32), true);
}

/** Writes an i64 (two's complement) from a safe integer, e.g. seconds before 1970. */
export function writeI64(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  view.setUint32(at, value - high * TWO_POW_32, true);
  view.setInt32(at + 4, high, true);
}

/** Writes a timeout in milliseconds as u64 seconds at `secAt` and u32 nanoseconds at `nsecAt`. */
function writeTimeout(view: DataView, secAt: number, nsecAt: number, timeoutMs: number): void {
  const ms = Math.max(0, timeoutMs);
  const sec = Math.floor(ms / 1000);
  const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
  writeU64(view, secAt, sec);
  view.setUint32(nsecAt, nsec, true);
}

/** Writes struct fuse_out_header. `errno` is positive (0 for success); the wire carries -errno. */
export function writeOutHeader(
  view: DataView,
  at: number,
  lenBytes: number,
  errno: number,
  unique: number,
): void {
  view.setUint32(at + abi.OutHeader.len, lenBytes, true);
  view.setInt32(at + abi.OutHeader.error, -errno, true);
  writeU64(view, at + abi.OutHeader.unique, unique);
}

/** A complete error reply: a header with -errno and no body. */
export function encodeErrorReply(unique: number, errno: number): Uint8Array {
  const bytes = new Uint8Array(abi.OutHeader.sizeBytes);
  writeOutHeader(new DataView(bytes.buffer), 0, bytes.length, errno, unique);
  return bytes;
}

/** Writes struct fuse_attr. */
export function writeAttr(view: DataView, at: number, attr: FuseAttr): void {
  writeU64(view, at + abi.Attr.ino, attr.ino);
  writeU64(view, at + abi.Attr.size, attr.size);
  writeU64(view, at + abi.Attr.blocks, attr.blocks);
  writeI64(view, at + abi.Attr.atime, attr.atimeSec);
  writeI64(view, at + abi.Attr.mtime, attr.mtimeSec);
  writeI64(view, at + abi.Attr.ctime, attr.ctimeSec);
  view.setUint32(at + abi.Attr.atimensec, attr.atimeNsec, true);
  view.setUint32(at + abi.Attr.mtimensec, attr.mtimeNsec, true);
  view.setUint32(at + abi.Attr.ctimensec, attr.ctimeNsec, true);
  view.setUint32(at + abi.Attr.mode, attr.mode, true);
  view.setUint32(at + abi.Attr.nlink, attr.nlink, true);
  view.setUint32(at + abi.Attr.uid, attr.uid, true);
  view.setUint32(at + abi.Attr.gid, attr.gid, true);
  view.setUint32(at + abi.Attr.rdev, attr.rdev, true);
  view.setUint32(at + abi.Attr.blksize, attr.blksize, true);
  view.setUint32(at + abi.Attr.flags, attr.flags ?? 0, true);
}

/** Writes struct fuse_entry_out. */
export function writeEntry(view: DataView, at: number, entry: Entry): void {
  writeU64(view, at + abi.EntryOut.nodeid, entry.nodeId);
  writeU64(view, at + abi.EntryOut.generation, entry.generation);
  writeTimeout(
    view,
    at + abi.EntryOut.entryValid,
    at + abi.EntryOut.entryValidNsec,
    entry.entryTimeoutMs,
  );
  writeTimeout(
    view,
    at + abi.EntryOut.attrValid,
    at + abi.EntryOut.attrValidNsec,
    entry.attrTimeoutMs,
  );
  writeAttr(view, at + abi.EntryOut.attr, entry.attr);
}

/** Writes struct fuse_open_out. */
export function writeOpen(view: DataView, at: number, open: OpenReply): void {
  writeU64(view, at + abi.OpenOut.fh, open.fh);
  view.setUint32(at + abi.OpenOut.openFlags, open.openFlags ?? 0, true);
  view.setUint32(at + abi.OpenOut.padding, 0, true);
}

function body(sizeBytes: number): [Uint8Array, DataView] {
  const bytes = new Uint8Array(sizeBytes);
  return [bytes, new DataView(bytes.buffer)];
}

/** Body of a LOOKUP, MKNOD, MKDIR, SYMLINK or LINK reply. */
export function encodeEntry(entry: Entry): Uint8Array {
  const [bytes, view] = body(abi.EntryOut.sizeBytes);
  writeEntry(view, 0, entry);
  return bytes;
}

/** Body of a GETATTR or SETATTR reply. */
export function encodeAttrReply(reply: AttrReply): Uint8Array {
  const [bytes, view] = body(abi.AttrOut.sizeBytes);
  writeTimeout(view, abi.AttrOut.attrValid, abi.AttrOut.attrValidNsec, reply.attrTimeoutMs);
  writeAttr(view, abi.AttrOut.attr, reply.attr);
  return bytes;
}

/** Body of an OPEN or OPENDIR reply. */
export function encodeOpenReply(open: OpenReply): Uint8Array {
  const [bytes, view] = body(abi.OpenOut.sizeBytes);
  writeOpen(view, 0, open);
  return bytes;
}

/** Body of a CREATE reply: fuse_entry_out then fuse_open_out. */
export function encodeCreateReply(reply: CreateReply): Uint8Array {
  const [bytes, view] = body(abi.EntryOut.sizeBytes + abi.OpenOut.sizeBytes);
  writeEntry(view, 0, reply.entry);
  writeOpen(view, abi.EntryOut.sizeBytes, reply.open);
  return bytes;
}

/** Body of a WRITE or COPY_FILE_RANGE reply (struct fuse_write_out). */
export function encodeWriteReply(sizeBytes: number): Uint8Array {
  const [bytes, view] = body(abi.WriteOut.sizeBytes);
  view.setUint32(abi.WriteOut.size, sizeBytes, true);
  return bytes;
}

/** Body of a GETXATTR/LISTXATTR reply to a size query (struct fuse_getxattr_out). */
export function encodeXattrSizeReply(sizeBytes: number): Uint8Array {
  const [bytes, view] = body(abi.GetxattrOut.sizeBytes);
  view.setUint32(abi.GetxattrOut.size, sizeBytes, true);
  return bytes;
}

/** The LISTXATTR list: every name followed by a NUL. */
export function encodeXattrNames(names: readonly string[]): Uint8Array {
  const parts = names.map(encodeName);
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length + 1, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length + 1;
  }
  return bytes;
}

/** Body of an LSEEK reply. */
export function encodeLseekReply(offset: number): Uint8Array {
  const [bytes, view] = body(abi.LseekOut.sizeBytes);
  writeU64(view, abi.LseekOut.offset, offset);
  return bytes;
}

/** Body of a STATFS reply. */
export function encodeStatfsReply(st: StatfsReply): Uint8Array {
  const [bytes, view] = body(abi.StatfsOut.sizeBytes);
  writeU64(view, abi.StatfsOut.blocks, st.blocks);
  writeU64(view, abi.StatfsOut.bfree, st.bfree);
  writeU64(view, abi.StatfsOut.bavail, st.bavail);
  writeU64(view, abi.StatfsOut.files, st.files);
  writeU64(view, abi.StatfsOut.ffree, st.ffree);
  view.setUint32(abi.StatfsOut.bsize, st.bsize, true);
  view.setUint32(abi.StatfsOut.namelen, st.namelen, true);
  view.setUint32(abi.StatfsOut.frsize, st.frsize, true);
  return bytes;
}

/** Body of the INIT reply (64 bytes, the 7.23+ form). */
export function encodeInitReply(init: InitReply): Uint8Array {
  const [bytes, view] = body(abi.InitOut.sizeBytes);
  view.setUint32(abi.InitOut.major, init.major, true);
  view.setUint32(abi.InitOut.minor, init.minor, true);
  view.setUint32(abi.InitOut.maxReadahead, init.maxReadaheadBytes, true);
  view.setUint32(abi.InitOut.flags, init.flags, true);
  view.setUint16(abi.InitOut.maxBackground, init.maxBackground, true);
  view.setUint16(abi.InitOut.congestionThreshold, init.congestionThreshold, true);
  view.setUint32(abi.InitOut.maxWrite, init.maxWriteBytes, true);
  view.setUint32(abi.InitOut.timeGran, init.timeGranNs, true);
  view.setUint16(abi.InitOut.maxPages, init.maxPages, true);
  return bytes;
}
