/**
 * The vfs vocabulary: who calls, what an inode looks like, and the inputs and
 * results of the {@link Vfs} methods that take more than a couple of values.
 *
 * @module
 */

/** An inode number: a safe integer, never reused (1 is the root). */
export type Ino = number;

/** A file handle handed out by open, create and opendir: a safe integer. */
export type Fh = number;

/**
 * A name in a directory. Bytes are kept as given; a string is encoded as UTF-8.
 * A caller with names that are not valid UTF-8 passes bytes.
 */
export type Name = string | Uint8Array;

/** A point in time: seconds since the epoch and nanoseconds (0..999,999,999). */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** Who asks: the caller's identity for permission checks, per call. */
export interface CallContext {
  uid: number;
  gid: number;
  /** Supplementary groups; the primary `gid` need not be repeated. */
  groups?: readonly number[];
  /** The calling process, for logs. */
  pid?: number;
}

/** The attributes of an inode, as stat(2) reports them. */
export interface Attr {
  ino: Ino;
  /** Type and permission bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Device number of character and block devices, else 0. */
  rdev: number;
  sizeBytes: number;
  /** 512-byte blocks holding data (holes take none). */
  blocks: number;
  /** The preferred I/O size. */
  blksizeBytes: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** With `ino`, names the inode uniquely for the life of the filesystem. */
  generation: number;
}

/** A time for setattr: a value, or "now" (utimensat's UTIME_NOW). Absent is UTIME_OMIT. */
export type TimeChange = Timespec | "now";

/** setattr: only the fields present change. */
export interface SetattrChanges {
  mode?: number;
  uid?: number;
  gid?: number;
  sizeBytes?: number;
  atime?: TimeChange;
  mtime?: TimeChange;
  /** An open handle of the file (ftruncate, fchmod): its write access counts for truncation. */
  fh?: Fh;
  /** Clear setuid/setgid as an unprivileged write would (FATTR_KILL_SUIDGID). */
  killSuidgid?: boolean;
}

export interface MknodInput {
  parent: Ino;
  name: Name;
  /** Type and permission bits (S_IFREG, S_IFIFO, ...). */
  mode: number;
  rdev?: number;
  /** Bits cleared from `mode`; the kernel usually applies it already. */
  umask?: number;
}

export interface MkdirInput {
  parent: Ino;
  name: Name;
  mode: number;
  umask?: number;
}

export interface SymlinkInput {
  parent: Ino;
  name: Name;
  target: Name;
}

export interface RenameInput {
  parent: Ino;
  name: Name;
  newParent: Ino;
  newName: Name;
  /** RENAME_NOREPLACE or RENAME_EXCHANGE. */
  flags?: number;
}

export interface LinkInput {
  /** The existing file. */
  ino: Ino;
  newParent: Ino;
  newName: Name;
}

export interface CreateInput {
  parent: Ino;
  name: Name;
  mode: number;
  /** open(2) flags. */
  flags: number;
  umask?: number;
}

export interface CreateResult {
  attr: Attr;
  fh: Fh;
}

export interface ReadInput {
  fh: Fh;
  offset: number;
  sizeBytes: number;
}

export interface WriteInput {
  fh: Fh;
  offset: number;
  /** Copied before the promise settles, so the caller may reuse it afterwards. */
  data: Uint8Array;
}

export interface ReaddirInput {
  fh: Fh;
  /** 0 to start, else the `offset` of the last entry the caller used. */
  offset: number;
  /** At most this many entries. */
  limit?: number;
}

/** One readdir entry. */
export interface DirEntry {
  ino: Ino;
  name: Uint8Array;
  /** DT_* */
  type: number;
  /** The offset to pass to continue after this entry. */
  offset: number;
  attr: Attr;
}

export interface SetxattrInput {
  ino: Ino;
  name: string;
  value: Uint8Array;
  /** XATTR_CREATE or XATTR_REPLACE. */
  flags?: number;
}

export interface FallocateInput {
  fh: Fh;
  offset: number;
  lengthBytes: number;
  /** 0, FALLOC_FL_KEEP_SIZE, or FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE. */
  mode?: number;
}

export interface LseekInput {
  fh: Fh;
  offset: number;
  /** SEEK_DATA or SEEK_HOLE. */
  whence: number;
}

export interface CopyFileRangeInput {
  fhIn: Fh;
  offsetIn: number;
  fhOut: Fh;
  offsetOut: number;
  lengthBytes: number;
  flags?: number;
}

/** statfs(2). */
export interface StatFs {
  blockSizeBytes: number;
  blocks: number;
  blocksFree: number;
  blocksAvailable: number;
  files: number;
  filesFree: number;
  nameBytesMax: number;
}
