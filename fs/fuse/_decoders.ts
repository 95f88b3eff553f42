/**
 * The body decoder of each opcode: field by field from the layouts in
 * `abi_requests.ts`. Used by `decode.ts`.
 *
 * @module
 */

import * as abi from "./abi.ts";
import type { BodyReader } from "./_body_reader.ts";
import type {
  FileHandle,
  KnownOpcode,
  NodeId,
  RequestBodies,
  RequestHeader,
  SetattrIn,
  Timespec,
} from "./types.ts";

export type BodyDecoder<K extends KnownOpcode> = (
  header: RequestHeader,
  r: BodyReader,
) => RequestBodies[K];

function nameIn(h: RequestHeader, r: BodyReader) {
  return { parent: h.nodeId, name: r.name(0)[0] };
}

function nodeIn(h: RequestHeader) {
  return { nodeId: h.nodeId };
}

function openIn(h: RequestHeader, r: BodyReader) {
  r.need(abi.OpenIn.sizeBytes);
  return {
    nodeId: h.nodeId,
    flags: r.u32(abi.OpenIn.flags),
    openFlags: r.u32(abi.OpenIn.openFlags),
  };
}

function readIn(h: RequestHeader, r: BodyReader) {
  r.need(abi.ReadIn.sizeBytes);
  return {
    nodeId: h.nodeId,
    fh: r.id(abi.ReadIn.fh) as FileHandle,
    offset: r.clamped(abi.ReadIn.offset),
    size: r.u32(abi.ReadIn.size),
    readFlags: r.u32(abi.ReadIn.readFlags),
    flags: r.u32(abi.ReadIn.flags),
  };
}

function releaseIn(h: RequestHeader, r: BodyReader) {
  r.need(abi.ReleaseIn.sizeBytes);
  return {
    nodeId: h.nodeId,
    fh: r.id(abi.ReleaseIn.fh) as FileHandle,
    flags: r.u32(abi.ReleaseIn.flags),
    releaseFlags: r.u32(abi.ReleaseIn.releaseFlags),
    lockOwner: r.view.getBigUint64(abi.ReleaseIn.lockOwner, true),
  };
}

function fsyncIn(h: RequestHeader, r: BodyReader) {
  r.need(abi.FsyncIn.sizeBytes);
  const flags = r.u32(abi.FsyncIn.fsyncFlags);
  return {
    nodeId: h.nodeId,
    fh: r.id(abi.FsyncIn.fh) as FileHandle,
    datasync: (flags & abi.FUSE_FSYNC_FDATASYNC) !== 0,
  };
}

function renameIn(h: RequestHeader, r: BodyReader, structBytes: number, flags: number) {
  r.need(structBytes);
  const [name, next] = r.name(structBytes);
  return {
    parent: h.nodeId,
    name,
    newParent: r.id(abi.RenameIn.newdir) as NodeId,
    newName: r.name(next)[0],
    flags,
  };
}

function setattrIn(h: RequestHeader, r: BodyReader): SetattrIn {
  r.need(abi.SetattrIn.sizeBytes);
  const valid = r.u32(abi.SetattrIn.valid);
  const has = (bit: number) => (valid & bit) !== 0;
  const time = (secAt: number, nsecAt: number): Timespec => ({
    sec: r.seconds(secAt),
    nsec: r.u32(nsecAt),
  });
  const out: SetattrIn = {
    nodeId: h.nodeId,
    valid,
    fh: has(abi.FATTR_FH) ? r.id(abi.SetattrIn.fh) as FileHandle : null,
    killSuidgid: has(abi.FATTR_KILL_SUIDGID),
  };
  if (has(abi.FATTR_MODE)) out.mode = r.u32(abi.SetattrIn.mode);
  if (has(abi.FATTR_UID)) out.uid = r.u32(abi.SetattrIn.uid);
  if (has(abi.FATTR_GID)) out.gid = r.u32(abi.SetattrIn.gid);
  if (has(abi.FATTR_SIZE)) out.size = r.position(abi.SetattrIn.size);
  if (has(abi.FATTR_ATIME_NOW)) out.atime = "now";
  else if (has(abi.FATTR_ATIME)) out.atime = time(abi.SetattrIn.atime, abi.SetattrIn.atimensec);
  if (has(abi.FATTR_MTIME_NOW)) out.mtime = "now";
  else if (has(abi.FATTR_MTIME)) out.mtime = time(abi.SetattrIn.mtime, abi.SetattrIn.mtimensec);
  if (has(abi.FATTR_CTIME)) out.ctime = time(abi.SetattrIn.ctime, abi.SetattrIn.ctimensec);
  return out;
}

export const DECODERS: { [K in KnownOpcode]: BodyDecoder<K> } = {
  [abi.Opcode.LOOKUP]: nameIn,
  [abi.Opcode.UNLINK]: nameIn,
  [abi.Opcode.RMDIR]: nameIn,
  [abi.Opcode.READLINK]: nodeIn,
  [abi.Opcode.STATFS]: nodeIn,
  [abi.Opcode.DESTROY]: nodeIn,
  [abi.Opcode.OPEN]: openIn,
  [abi.Opcode.OPENDIR]: openIn,
  [abi.Opcode.READ]: readIn,
  [abi.Opcode.READDIR]: readIn,
  [abi.Opcode.READDIRPLUS]: readIn,
  [abi.Opcode.RELEASE]: releaseIn,
  [abi.Opcode.RELEASEDIR]: releaseIn,
  [abi.Opcode.FSYNC]: fsyncIn,
  [abi.Opcode.FSYNCDIR]: fsyncIn,
  [abi.Opcode.SETATTR]: setattrIn,
  [abi.Opcode.RENAME]: (h, r) => renameIn(h, r, abi.RenameIn.sizeBytes, 0),
  [abi.Opcode.RENAME2]: (h, r) => {
    r.need(abi.Rename2In.sizeBytes);
    return renameIn(h, r, abi.Rename2In.sizeBytes, r.u32(abi.Rename2In.flags));
  },
  [abi.Opcode.FORGET]: (h, r) => {
    r.need(abi.ForgetIn.sizeBytes);
    return { nodeId: h.nodeId, nlookup: r.clamped(abi.ForgetIn.nlookup) };
  },
  [abi.Opcode.BATCH_FORGET]: (_h, r) => {
    r.need(abi.BatchForgetIn.sizeBytes);
    const count = r.u32(abi.BatchForgetIn.count);
    r.need(abi.BatchForgetIn.sizeBytes + count * abi.ForgetOne.sizeBytes);
    const items = [];
    for (let i = 0; i < count; i++) {
      const at = abi.BatchForgetIn.sizeBytes + i * abi.ForgetOne.sizeBytes;
      items.push({
        nodeId: r.id(at + abi.ForgetOne.nodeid) as NodeId,
        nlookup: r.clamped(at + abi.ForgetOne.nlookup),
      });
    }
    return { items };
  },
  [abi.Opcode.GETATTR]: (h, r) => {
    r.need(abi.GetattrIn.sizeBytes);
    const withFh = (r.u32(abi.GetattrIn.getattrFlags) & abi.FUSE_GETATTR_FH) !== 0;
    return { nodeId: h.nodeId, fh: withFh ? r.id(abi.GetattrIn.fh) as FileHandle : null };
  },
  [abi.Opcode.SYMLINK]: (h, r) => {
    const [name, next] = r.name(0);
    return { parent: h.nodeId, name, target: r.name(next)[0] };
  },
  [abi.Opcode.MKNOD]: (h, r) => {
    r.need(abi.MknodIn.sizeBytes);
    return {
      parent: h.nodeId,
      name: r.name(abi.MknodIn.sizeBytes)[0],
      mode: r.u32(abi.MknodIn.mode),
      rdev: r.u32(abi.MknodIn.rdev),
      umask: r.u32(abi.MknodIn.umask),
    };
  },
  [abi.Opcode.MKDIR]: (h, r) => {
    r.need(abi.MkdirIn.sizeBytes);
    return {
      parent: h.nodeId,
      name: r.name(abi.MkdirIn.sizeBytes)[0],
      mode: r.u32(abi.MkdirIn.mode),
      umask: r.u32(abi.MkdirIn.umask),
    };
  },
  [abi.Opcode.LINK]: (h, r) => {
    r.need(abi.LinkIn.sizeBytes);
    return {
      nodeId: r.id(abi.LinkIn.oldnodeid) as NodeId,
      newParent: h.nodeId,
      newName: r.name(abi.LinkIn.sizeBytes)[0],
    };
  },
  [abi.Opcode.CREATE]: (h, r) => {
    r.need(abi.CreateIn.sizeBytes);
    return {
      parent: h.nodeId,
      name: r.name(abi.CreateIn.sizeBytes)[0],
      flags: r.u32(abi.CreateIn.flags),
      mode: r.u32(abi.CreateIn.mode),
      umask: r.u32(abi.CreateIn.umask),
      openFlags: r.u32(abi.CreateIn.openFlags),
    };
  },
  [abi.Opcode.WRITE]: (h, r) => {
    r.need(abi.WriteIn.sizeBytes);
    const size = r.u32(abi.WriteIn.size);
    r.need(abi.WriteIn.sizeBytes + size);
    return {
      nodeId: h.nodeId,
      fh: r.id(abi.WriteIn.fh) as FileHandle,
      offset: r.position(abi.WriteIn.offset),
      data: r.body.subarray(abi.WriteIn.sizeBytes, abi.WriteIn.sizeBytes + size),
      writeFlags: r.u32(abi.WriteIn.writeFlags),
      flags: r.u32(abi.WriteIn.flags),
    };
  },
  [abi.Opcode.FLUSH]: (h, r) => {
    r.need(abi.FlushIn.sizeBytes);
    return {
      nodeId: h.nodeId,
      fh: r.id(abi.FlushIn.fh) as FileHandle,
      lockOwner: r.view.getBigUint64(abi.FlushIn.lockOwner, true),
    };
  },
  [abi.Opcode.SETXATTR]: (h, r) => {
    r.need(abi.SetxattrIn.sizeBytes);
    const size = r.u32(abi.SetxattrIn.size);
    const [name, next] = r.name(abi.SetxattrIn.sizeBytes);
    r.need(next + size);
    return {
      nodeId: h.nodeId,
      name,
      value: r.body.slice(next, next + size),
      flags: r.u32(abi.SetxattrIn.flags),
    };
  },
  [abi.Opcode.GETXATTR]: (h, r) => {
    r.need(abi.GetxattrIn.sizeBytes);
    return {
      nodeId: h.nodeId,
      name: r.name(abi.GetxattrIn.sizeBytes)[0],
      size: r.u32(abi.GetxattrIn.size),
    };
  },
  [abi.Opcode.LISTXATTR]: (h, r) => {
    r.need(abi.GetxattrIn.sizeBytes);
    return { nodeId: h.nodeId, size: r.u32(abi.GetxattrIn.size) };
  },
  [abi.Opcode.REMOVEXATTR]: (h, r) => ({ nodeId: h.nodeId, name: r.name(0)[0] }),
  [abi.Opcode.ACCESS]: (h, r) => {
    r.need(abi.AccessIn.sizeBytes);
    return { nodeId: h.nodeId, mask: r.u32(abi.AccessIn.mask) };
  },
  [abi.Opcode.INTERRUPT]: (_h, r) => {
    r.need(abi.InterruptIn.sizeBytes);
    return { unique: r.id(abi.InterruptIn.unique) };
  },
  [abi.Opcode.INIT]: (_h, r) => {
    r.need(abi.InitIn.flags + 4);
    const extended = r.body.length >= abi.InitIn.flags2 + 4;
    return {
      major: r.u32(abi.InitIn.major),
      minor: r.u32(abi.InitIn.minor),
      maxReadaheadBytes: r.u32(abi.InitIn.maxReadahead),
      flags: r.u32(abi.InitIn.flags),
      flags2: extended ? r.u32(abi.InitIn.flags2) : 0,
    };
  },
  [abi.Opcode.FALLOCATE]: (h, r) => {
    r.need(abi.FallocateIn.sizeBytes);
    return {
      nodeId: h.nodeId,
      fh: r.id(abi.FallocateIn.fh) as FileHandle,
      offset: r.position(abi.FallocateIn.offset),
      length: r.position(abi.FallocateIn.length),
      mode: r.u32(abi.FallocateIn.mode),
    };
  },
  [abi.Opcode.LSEEK]: (h, r) => {
    r.need(abi.LseekIn.sizeBytes);
    return {
      nodeId: h.nodeId,
      fh: r.id(abi.LseekIn.fh) as FileHandle,
      offset: r.clamped(abi.LseekIn.offset),
      whence: r.u32(abi.LseekIn.whence),
    };
  },
  [abi.Opcode.COPY_FILE_RANGE]: (h, r) => {
    r.need(abi.CopyFileRangeIn.sizeBytes);
    return {
      nodeIdIn: h.nodeId,
      fhIn: r.id(abi.CopyFileRangeIn.fhIn) as FileHandle,
      offsetIn: r.clamped(abi.CopyFileRangeIn.offIn),
      nodeIdOut: r.id(abi.CopyFileRangeIn.nodeidOut) as NodeId,
      fhOut: r.id(abi.CopyFileRangeIn.fhOut) as FileHandle,
      offsetOut: r.position(abi.CopyFileRangeIn.offOut),
      length: r.clamped(abi.CopyFileRangeIn.len),
      flags: r.clamped(abi.CopyFileRangeIn.flags),
    };
  },
};
