/**
 * Typed request bodies, one interface per request struct, and the map from
 * opcode to body type. Re-exported by `types.ts`.
 *
 * @module
 */

import type { Opcode } from "./abi.ts";
import type { FileHandle, NodeId, RequestHeader, Timespec } from "./types.ts";

/** LOOKUP, UNLINK, RMDIR: a name in a directory. */
export interface NameIn {
  parent: NodeId;
  name: string;
}
export interface ForgetIn {
  nodeId: NodeId;
  nlookup: number;
}
export interface BatchForgetIn {
  items: ForgetIn[];
}
export interface NodeIn {
  nodeId: NodeId;
}
export interface GetattrIn {
  nodeId: NodeId;
  /** The handle for fstat(2), else null. */
  fh: FileHandle | null;
}
/** SETATTR: only the fields present change. `"now"` is utimensat's UTIME_NOW. */
export interface SetattrIn {
  nodeId: NodeId;
  /** The raw FATTR_* bits. */
  valid: number;
  fh: FileHandle | null;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: Timespec | "now";
  mtime?: Timespec | "now";
  ctime?: Timespec;
  /** FATTR_KILL_SUIDGID: clear suid/sgid as a write by an unprivileged user would. */
  killSuidgid: boolean;
}
export interface MknodIn {
  parent: NodeId;
  name: string;
  mode: number;
  rdev: number;
  umask: number;
}
export interface MkdirIn {
  parent: NodeId;
  name: string;
  /** Permission bits; the kernel sends S_IFDIR too. */
  mode: number;
  umask: number;
}
export interface SymlinkIn {
  parent: NodeId;
  name: string;
  target: string;
}
/** RENAME and RENAME2 (RENAME has flags 0). */
export interface RenameIn {
  parent: NodeId;
  name: string;
  newParent: NodeId;
  newName: string;
  /** RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
  flags: number;
}
export interface LinkIn {
  /** The existing file. */
  nodeId: NodeId;
  newParent: NodeId;
  newName: string;
}
/** OPEN and OPENDIR. */
export interface OpenIn {
  nodeId: NodeId;
  /** open(2) flags. */
  flags: number;
  /** FUSE_OPEN_* flags. */
  openFlags: number;
}
export interface CreateIn {
  parent: NodeId;
  name: string;
  flags: number;
  mode: number;
  umask: number;
  openFlags: number;
}
/** READ, READDIR, READDIRPLUS. */
export interface ReadIn {
  nodeId: NodeId;
  fh: FileHandle;
  offset: number;
  /** Bytes wanted at most. */
  size: number;
  readFlags: number;
  /** The file's open(2) flags. */
  flags: number;
}
export interface WriteIn {
  nodeId: NodeId;
  fh: FileHandle;
  offset: number;
  /** A view into the request buffer, valid until the write's promise settles. */
  data: Uint8Array;
  writeFlags: number;
  flags: number;
}
export interface FlushIn {
  nodeId: NodeId;
  fh: FileHandle;
  lockOwner: bigint;
}
/** RELEASE and RELEASEDIR. */
export interface ReleaseIn {
  nodeId: NodeId;
  fh: FileHandle;
  flags: number;
  releaseFlags: number;
  lockOwner: bigint;
}
/** FSYNC and FSYNCDIR. */
export interface FsyncIn {
  nodeId: NodeId;
  fh: FileHandle;
  /** fdatasync(2): data only. */
  datasync: boolean;
}
export interface AccessIn {
  nodeId: NodeId;
  mask: number;
}
export interface SetxattrIn {
  nodeId: NodeId;
  name: string;
  /** A copy; the filesystem may keep it. */
  value: Uint8Array;
  /** XATTR_CREATE, XATTR_REPLACE. */
  flags: number;
}
export interface GetxattrIn {
  nodeId: NodeId;
  name: string;
  /** The caller's buffer size; 0 asks for the size only (the session handles it). */
  size: number;
}
export interface ListxattrIn {
  nodeId: NodeId;
  size: number;
}
export interface RemovexattrIn {
  nodeId: NodeId;
  name: string;
}
export interface InterruptIn {
  /** The `unique` of the request to interrupt. */
  unique: number;
}
export interface FallocateIn {
  nodeId: NodeId;
  fh: FileHandle;
  offset: number;
  length: number;
  /** FALLOC_FL_* bits. */
  mode: number;
}
export interface LseekIn {
  nodeId: NodeId;
  fh: FileHandle;
  offset: number;
  /** SEEK_DATA or SEEK_HOLE. */
  whence: number;
}
export interface CopyFileRangeIn {
  nodeIdIn: NodeId;
  fhIn: FileHandle;
  offsetIn: number;
  nodeIdOut: NodeId;
  fhOut: FileHandle;
  offsetOut: number;
  length: number;
  flags: number;
}
export interface InitIn {
  major: number;
  minor: number;
  maxReadaheadBytes: number;
  /** INIT flags bits 0..31. */
  flags: number;
  /** INIT flags bits 32..63 (0 unless FUSE_INIT_EXT). */
  flags2: number;
}
/** Requests without a body (READLINK, STATFS, DESTROY, ...). */
export type EmptyIn = NodeIn;

/** The body type of each opcode qsfs decodes. */
export interface RequestBodies {
  [Opcode.LOOKUP]: NameIn;
  [Opcode.FORGET]: ForgetIn;
  [Opcode.GETATTR]: GetattrIn;
  [Opcode.SETATTR]: SetattrIn;
  [Opcode.READLINK]: NodeIn;
  [Opcode.SYMLINK]: SymlinkIn;
  [Opcode.MKNOD]: MknodIn;
  [Opcode.MKDIR]: MkdirIn;
  [Opcode.UNLINK]: NameIn;
  [Opcode.RMDIR]: NameIn;
  [Opcode.RENAME]: RenameIn;
  [Opcode.LINK]: LinkIn;
  [Opcode.OPEN]: OpenIn;
  [Opcode.READ]: ReadIn;
  [Opcode.WRITE]: WriteIn;
  [Opcode.STATFS]: NodeIn;
  [Opcode.RELEASE]: ReleaseIn;
  [Opcode.FSYNC]: FsyncIn;
  [Opcode.SETXATTR]: SetxattrIn;
  [Opcode.GETXATTR]: GetxattrIn;
  [Opcode.LISTXATTR]: ListxattrIn;
  [Opcode.REMOVEXATTR]: RemovexattrIn;
  [Opcode.FLUSH]: FlushIn;
  [Opcode.INIT]: InitIn;
  [Opcode.OPENDIR]: OpenIn;
  [Opcode.READDIR]: ReadIn;
  [Opcode.RELEASEDIR]: ReleaseIn;
  [Opcode.FSYNCDIR]: FsyncIn;
  [Opcode.ACCESS]: AccessIn;
  [Opcode.CREATE]: CreateIn;
  [Opcode.INTERRUPT]: InterruptIn;
  [Opcode.DESTROY]: NodeIn;
  [Opcode.BATCH_FORGET]: BatchForgetIn;
  [Opcode.FALLOCATE]: FallocateIn;
  [Opcode.READDIRPLUS]: ReadIn;
  [Opcode.RENAME2]: RenameIn;
  [Opcode.LSEEK]: LseekIn;
  [Opcode.COPY_FILE_RANGE]: CopyFileRangeIn;
}

/** An opcode qsfs decodes. */
export type KnownOpcode = keyof RequestBodies;

/** A decoded request: its header and its typed body. */
export type FuseRequest = {
  [K in KnownOpcode]: { opcode: K; header: RequestHeader; body: RequestBodies[K] };
}[KnownOpcode];

/** A request whose opcode qsfs does not decode (answered ENOSYS). */
export interface UnknownRequest {
  opcode: "unknown";
  header: RequestHeader;
}
