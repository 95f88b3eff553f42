/**
 * Typed FUSE requests and replies: what `decode.ts` produces, what
 * `encode.ts` consumes and what a {@link RawFileSystem} sees. Ids are branded
 * numbers: the kernel only sends back node ids and handles we gave it, and we
 * give out only safe integers, so a JS number holds them exactly.
 *
 * @module
 */

/** A node id as the kernel knows it (fuse_in_header.nodeid). The root is 1. */
export type NodeId = number & { readonly __brand: "NodeId" };
/** A file or directory handle returned by OPEN, CREATE or OPENDIR. */
export type FileHandle = number & { readonly __brand: "FileHandle" };

/** Seconds and nanoseconds since the epoch; `sec` may be negative. */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** struct fuse_in_header, decoded. */
export interface RequestHeader {
  /** Request length in bytes, header included. */
  len: number;
  opcode: number;
  /** Request id, echoed by the reply. */
  unique: number;
  /** The node the request is about. */
  nodeId: NodeId;
  uid: number;
  gid: number;
  pid: number;
}

/** The attributes of a node (struct fuse_attr). */
export interface FuseAttr {
  ino: number;
  size: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  /** File type (S_IF*) and permission bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  /** Preferred I/O size; 0 lets the kernel pick. */
  blksize: number;
  /** FUSE_ATTR_* flags; usually 0. */
  flags?: number;
}

/** A name resolved to a node (struct fuse_entry_out). */
export interface Entry {
  /** 0 replies a negative entry the kernel may cache for `entryTimeoutMs`. */
  nodeId: NodeId;
  generation: number;
  /** How long the kernel may trust the name. */
  entryTimeoutMs: number;
  /** How long the kernel may trust the attributes. */
  attrTimeoutMs: number;
  attr: FuseAttr;
}

/** Reply to GETATTR and SETATTR (struct fuse_attr_out). */
export interface AttrReply {
  attr: FuseAttr;
  attrTimeoutMs: number;
}

/** Reply to OPEN and OPENDIR (struct fuse_open_out). */
export interface OpenReply {
  fh: FileHandle;
  /** FOPEN_* bits. @default 0 */
  openFlags?: number;
}

/** Reply to CREATE: the new entry and its open handle. */
export interface CreateReply {
  entry: Entry;
  open: OpenReply;
}

/** Reply to STATFS (struct fuse_kstatfs). Block counts are in `frsize` units. */
export interface StatfsReply {
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  bsize: number;
  namelen: number;
  frsize: number;
}

/** One directory entry for READDIR/READDIRPLUS. */
export interface DirEntry {
  ino: number;
  /** Cookie of the entry after this one: a later READDIR with this offset resumes there. Not 0. */
  offset: number;
  name: string;
  /** DT_* type, `(mode & S_IFMT) >> 12`. */
  type: number;
}

/** Our answer to INIT (struct fuse_init_out). */
export interface InitReply {
  major: number;
  minor: number;
  maxReadaheadBytes: number;
  /** INIT flags we enable. */
  flags: number;
  maxBackground: number;
  congestionThreshold: number;
  maxWriteBytes: number;
  /** Timestamp granularity; 1 keeps nanoseconds. */
  timeGranNs: number;
  /** Largest request in pages (with FUSE_MAX_PAGES). */
  maxPages: number;
}

export type * from "./request_types.ts";
