/**
 * Byte layouts of FUSE request bodies (after fuse_in_header). Field offsets,
 * C types and meanings; see `abi.ts`.
 *
 * @module
 */

// ---- Request bodies (after fuse_in_header) ----

/** struct fuse_forget_in: FORGET body. */
export const ForgetIn = {
  /** u64: how many lookups of the node the kernel drops. */
  nlookup: 0,
  sizeBytes: 8,
} as const;

/** struct fuse_batch_forget_in: BATCH_FORGET body, followed by `count` fuse_forget_one. */
export const BatchForgetIn = {
  /** u32: number of fuse_forget_one records that follow. */
  count: 0,
  /** u32: padding. */
  dummy: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_forget_one: one BATCH_FORGET record. */
export const ForgetOne = {
  /** u64: the node. */
  nodeid: 0,
  /** u64: lookups dropped. */
  nlookup: 8,
  sizeBytes: 16,
} as const;

/** struct fuse_getattr_in: GETATTR body. */
export const GetattrIn = {
  /** u32: FUSE_GETATTR_FH when `fh` is valid. */
  getattrFlags: 0,
  /** u32: padding. */
  dummy: 4,
  /** u64: file handle (fstat). */
  fh: 8,
  sizeBytes: 16,
} as const;

/** struct fuse_setattr_in: SETATTR body; `valid` says which fields count. */
export const SetattrIn = {
  /** u32: FATTR_* bits. */
  valid: 0,
  /** u32: padding. */
  padding: 4,
  /** u64: file handle, with FATTR_FH. */
  fh: 8,
  /** u64: new size, with FATTR_SIZE. */
  size: 16,
  /** u64: lock owner, with FATTR_LOCKOWNER. */
  lockOwner: 24,
  /** u64 (signed): atime seconds, with FATTR_ATIME. */
  atime: 32,
  /** u64 (signed): mtime seconds, with FATTR_MTIME. */
  mtime: 40,
  /** u64 (signed): ctime seconds, with FATTR_CTIME. */
  ctime: 48,
  /** u32: atime nanoseconds. */
  atimensec: 56,
  /** u32: mtime nanoseconds. */
  mtimensec: 60,
  /** u32: ctime nanoseconds. */
  ctimensec: 64,
  /** u32: new mode, with FATTR_MODE. */
  mode: 68,
  /** u32: unused. */
  unused4: 72,
  /** u32: new owner, with FATTR_UID. */
  uid: 76,
  /** u32: new group, with FATTR_GID. */
  gid: 80,
  /** u32: unused. */
  unused5: 84,
  sizeBytes: 88,
} as const;

/** struct fuse_mknod_in: MKNOD body, followed by the NUL-terminated name. */
export const MknodIn = {
  /** u32: file type and permissions. */
  mode: 0,
  /** u32: device number. */
  rdev: 4,
  /** u32: the caller's umask (already applied unless FUSE_DONT_MASK). */
  umask: 8,
  /** u32: padding. */
  padding: 12,
  sizeBytes: 16,
} as const;

/** struct fuse_mkdir_in: MKDIR body, followed by the NUL-terminated name. */
export const MkdirIn = {
  /** u32: permissions (the kernel adds S_IFDIR). */
  mode: 0,
  /** u32: the caller's umask. */
  umask: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_rename_in: RENAME body, followed by old and new NUL-terminated names. */
export const RenameIn = {
  /** u64: node id of the target directory. */
  newdir: 0,
  sizeBytes: 8,
} as const;

/** struct fuse_rename2_in: RENAME2 body, followed by old and new names. */
export const Rename2In = {
  /** u64: node id of the target directory. */
  newdir: 0,
  /** u32: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
  flags: 8,
  /** u32: padding. */
  padding: 12,
  sizeBytes: 16,
} as const;

/** struct fuse_link_in: LINK body, followed by the new NUL-terminated name. */
export const LinkIn = {
  /** u64: node id of the existing file. */
  oldnodeid: 0,
  sizeBytes: 8,
} as const;

/** struct fuse_open_in: OPEN and OPENDIR body. */
export const OpenIn = {
  /** u32: open(2) flags (O_CREAT, O_EXCL, O_NOCTTY removed by the kernel). */
  flags: 0,
  /** u32: FUSE_OPEN_* flags (7.38). */
  openFlags: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_create_in: CREATE body, followed by the NUL-terminated name. */
export const CreateIn = {
  /** u32: open(2) flags. */
  flags: 0,
  /** u32: file type and permissions. */
  mode: 4,
  /** u32: the caller's umask. */
  umask: 8,
  /** u32: FUSE_OPEN_* flags (7.38). */
  openFlags: 12,
  sizeBytes: 16,
} as const;

/** struct fuse_read_in: READ, READDIR and READDIRPLUS body. */
export const ReadIn = {
  /** u64: file handle. */
  fh: 0,
  /** u64: offset (for directories, the cookie of the first entry wanted). */
  offset: 8,
  /** u32: bytes wanted at most. */
  size: 16,
  /** u32: FUSE_READ_* flags. */
  readFlags: 20,
  /** u64: lock owner, with FUSE_READ_LOCKOWNER. */
  lockOwner: 24,
  /** u32: the file's open(2) flags. */
  flags: 32,
  /** u32: padding. */
  padding: 36,
  sizeBytes: 40,
} as const;

/** struct fuse_write_in: WRITE body, followed by `size` bytes of data. */
export const WriteIn = {
  /** u64: file handle. */
  fh: 0,
  /** u64: file offset. */
  offset: 8,
  /** u32: bytes of data that follow. */
  size: 16,
  /** u32: FUSE_WRITE_* flags. */
  writeFlags: 20,
  /** u64: lock owner, with FUSE_WRITE_LOCKOWNER. */
  lockOwner: 24,
  /** u32: the file's open(2) flags. */
  flags: 32,
  /** u32: padding. */
  padding: 36,
  sizeBytes: 40,
} as const;

/** struct fuse_release_in: RELEASE and RELEASEDIR body. */
export const ReleaseIn = {
  /** u64: file handle. */
  fh: 0,
  /** u32: the file's open(2) flags. */
  flags: 8,
  /** u32: FUSE_RELEASE_* flags. */
  releaseFlags: 12,
  /** u64: lock owner. */
  lockOwner: 16,
  sizeBytes: 24,
} as const;

/** struct fuse_flush_in: FLUSH body (one per close(2) of a descriptor). */
export const FlushIn = {
  /** u64: file handle. */
  fh: 0,
  /** u32: unused. */
  unused: 8,
  /** u32: padding. */
  padding: 12,
  /** u64: lock owner of the closing descriptor. */
  lockOwner: 16,
  sizeBytes: 24,
} as const;

/** struct fuse_fsync_in: FSYNC and FSYNCDIR body. */
export const FsyncIn = {
  /** u64: file handle. */
  fh: 0,
  /** u32: FUSE_FSYNC_FDATASYNC for fdatasync. */
  fsyncFlags: 8,
  /** u32: padding. */
  padding: 12,
  sizeBytes: 16,
} as const;

/** struct fuse_setxattr_in, 8-byte form (no FUSE_SETXATTR_EXT): then name\0, then value. */
export const SetxattrIn = {
  /** u32: value length in bytes. */
  size: 0,
  /** u32: XATTR_CREATE / XATTR_REPLACE. */
  flags: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_getxattr_in: GETXATTR (then name\0) and LISTXATTR body. */
export const GetxattrIn = {
  /** u32: buffer size of the caller; 0 asks for the size only. */
  size: 0,
  /** u32: padding. */
  padding: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_access_in: ACCESS body. */
export const AccessIn = {
  /** u32: R_OK, W_OK, X_OK bits (F_OK is 0). */
  mask: 0,
  /** u32: padding. */
  padding: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_interrupt_in: INTERRUPT body. */
export const InterruptIn = {
  /** u64: `unique` of the request to interrupt. */
  unique: 0,
  sizeBytes: 8,
} as const;

/** struct fuse_fallocate_in: FALLOCATE body. */
export const FallocateIn = {
  /** u64: file handle. */
  fh: 0,
  /** u64: start of the range. */
  offset: 8,
  /** u64: length of the range. */
  length: 16,
  /** u32: FALLOC_FL_* mode. */
  mode: 24,
  /** u32: padding. */
  padding: 28,
  sizeBytes: 32,
} as const;

/** struct fuse_lseek_in: LSEEK body. */
export const LseekIn = {
  /** u64: file handle. */
  fh: 0,
  /** u64: starting offset. */
  offset: 8,
  /** u32: SEEK_DATA or SEEK_HOLE (the kernel answers the others itself). */
  whence: 16,
  /** u32: padding. */
  padding: 20,
  sizeBytes: 24,
} as const;

/** struct fuse_copy_file_range_in: COPY_FILE_RANGE body (the source is the header's node). */
export const CopyFileRangeIn = {
  /** u64: source file handle. */
  fhIn: 0,
  /** u64: source offset. */
  offIn: 8,
  /** u64: node id of the destination file. */
  nodeidOut: 16,
  /** u64: destination file handle. */
  fhOut: 24,
  /** u64: destination offset. */
  offOut: 32,
  /** u64: bytes to copy. */
  len: 40,
  /** u64: copy_file_range(2) flags (0). */
  flags: 48,
  sizeBytes: 56,
} as const;
