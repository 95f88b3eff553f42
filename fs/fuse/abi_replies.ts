/**
 * Byte layouts of FUSE reply bodies (after fuse_out_header), including the
 * INIT pair. Field offsets, C types and meanings; see `abi.ts`.
 *
 * @module
 */

// ---- Attributes and entries (replies) ----

/** struct fuse_attr: what stat(2) shows. Times are signed seconds since the epoch. */
export const Attr = {
  /** u64: inode number shown as st_ino. */
  ino: 0,
  /** u64: size in bytes. */
  size: 8,
  /** u64: allocated 512-byte blocks. */
  blocks: 16,
  /** u64 (signed): last access, seconds. */
  atime: 24,
  /** u64 (signed): last modification, seconds. */
  mtime: 32,
  /** u64 (signed): last status change, seconds. */
  ctime: 40,
  /** u32: nanoseconds of atime. */
  atimensec: 48,
  /** u32: nanoseconds of mtime. */
  mtimensec: 52,
  /** u32: nanoseconds of ctime. */
  ctimensec: 56,
  /** u32: file type and permission bits (st_mode). */
  mode: 60,
  /** u32: hard link count. */
  nlink: 64,
  /** u32: owner. */
  uid: 68,
  /** u32: group. */
  gid: 72,
  /** u32: device number for character and block devices. */
  rdev: 76,
  /** u32: preferred I/O size (st_blksize). */
  blksize: 80,
  /** u32: FUSE_ATTR_* flags (submount, DAX). */
  flags: 84,
  sizeBytes: 88,
} as const;

/** struct fuse_entry_out: reply to LOOKUP, MKNOD, MKDIR, SYMLINK, LINK and part of CREATE. */
export const EntryOut = {
  /** u64: node id of the entry; 0 means a cacheable negative entry. */
  nodeid: 0,
  /** u64: generation; (nodeid, generation) is unique for the filesystem's life. */
  generation: 8,
  /** u64: seconds the kernel may cache the name. */
  entryValid: 16,
  /** u64: seconds the kernel may cache the attributes. */
  attrValid: 24,
  /** u32: nanoseconds of entryValid. */
  entryValidNsec: 32,
  /** u32: nanoseconds of attrValid. */
  attrValidNsec: 36,
  /** struct fuse_attr: the attributes. */
  attr: 40,
  sizeBytes: 128,
} as const;

/** struct fuse_attr_out: reply to GETATTR and SETATTR. */
export const AttrOut = {
  /** u64: seconds the kernel may cache the attributes. */
  attrValid: 0,
  /** u32: nanoseconds of attrValid. */
  attrValidNsec: 8,
  /** u32: padding. */
  dummy: 12,
  /** struct fuse_attr: the attributes. */
  attr: 16,
  sizeBytes: 104,
} as const;

/** struct fuse_open_out: reply to OPEN and OPENDIR, and the tail of CREATE's reply. */
export const OpenOut = {
  /** u64: file handle, passed back in READ, WRITE, RELEASE, ... */
  fh: 0,
  /** u32: FOPEN_* flags. */
  openFlags: 8,
  /** i32: backing file id for passthrough (7.40); padding for us. */
  padding: 12,
  sizeBytes: 16,
} as const;

/** struct fuse_write_out: reply to WRITE and COPY_FILE_RANGE. */
export const WriteOut = {
  /** u32: bytes written. */
  size: 0,
  /** u32: padding. */
  padding: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_getxattr_out: reply to GETXATTR/LISTXATTR asked with size 0. */
export const GetxattrOut = {
  /** u32: bytes needed for the value (or the name list). */
  size: 0,
  /** u32: padding. */
  padding: 4,
  sizeBytes: 8,
} as const;

/** struct fuse_lseek_out: reply to LSEEK. */
export const LseekOut = {
  /** u64: the resulting offset. */
  offset: 0,
  sizeBytes: 8,
} as const;

/** struct fuse_statfs_out (struct fuse_kstatfs): reply to STATFS. */
export const StatfsOut = {
  /** u64: total blocks of `frsize` bytes. */
  blocks: 0,
  /** u64: free blocks. */
  bfree: 8,
  /** u64: free blocks for unprivileged users. */
  bavail: 16,
  /** u64: total inodes. */
  files: 24,
  /** u64: free inodes. */
  ffree: 32,
  /** u32: preferred block size. */
  bsize: 40,
  /** u32: longest file name. */
  namelen: 44,
  /** u32: fragment size, the unit of blocks. */
  frsize: 48,
  /** u32: padding, then u32 spare[6]. */
  padding: 52,
  sizeBytes: 80,
} as const;

/** struct fuse_dirent: one READDIR record, followed by the name, padded to 8 bytes. */
export const Dirent = {
  /** u64: inode number (st_ino). */
  ino: 0,
  /** u64: cookie of the next entry; the next READDIR starts there. */
  off: 8,
  /** u32: name length in bytes (no NUL). */
  namelen: 16,
  /** u32: DT_* type. */
  type: 20,
  /** char[namelen]: the name. */
  name: 24,
  sizeBytes: 24,
} as const;

/** struct fuse_direntplus: one READDIRPLUS record: fuse_entry_out then fuse_dirent. */
export const Direntplus = {
  /** struct fuse_entry_out; a nodeid of 0 means "no attributes for this entry". */
  entryOut: 0,
  /** struct fuse_dirent. */
  dirent: 128,
  sizeBytes: 152,
} as const;

// ---- INIT (request and reply) ----

/** struct fuse_init_in: the first request of a connection (16 bytes before 7.36). */
export const InitIn = {
  /** u32: kernel's major version. */
  major: 0,
  /** u32: kernel's minor version. */
  minor: 4,
  /** u32: largest readahead the kernel allows, bytes. */
  maxReadahead: 8,
  /** u32: INIT flags the kernel supports. */
  flags: 12,
  /** u32: flags bits 32..63, valid with FUSE_INIT_EXT (7.36). */
  flags2: 16,
  sizeBytes: 64,
} as const;

/** struct fuse_init_out: our answer to INIT. */
export const InitOut = {
  /** u32: our major version (7). */
  major: 0,
  /** u32: our minor version; the kernel speaks min(kernel, ours). */
  minor: 4,
  /** u32: readahead we want, bytes (at most what the kernel offered). */
  maxReadahead: 8,
  /** u32: INIT flags we enable (a subset of what the kernel offered). */
  flags: 12,
  /** u16: most background requests (readahead, async writes) queued at once. */
  maxBackground: 16,
  /** u16: background requests above which the kernel reports congestion. */
  congestionThreshold: 18,
  /** u32: largest WRITE payload, bytes. */
  maxWrite: 20,
  /** u32: timestamp granularity in nanoseconds (1 = full precision). */
  timeGran: 24,
  /** u16: largest request in pages, with FUSE_MAX_PAGES (7.28). */
  maxPages: 28,
  /** u16: DAX mapping alignment (log2), with FUSE_MAP_ALIGNMENT. */
  mapAlignment: 30,
  /** u32: flags bits 32..63, with FUSE_INIT_EXT (7.36). */
  flags2: 32,
  sizeBytes: 64,
} as const;
