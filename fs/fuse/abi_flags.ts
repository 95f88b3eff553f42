/**
 * Flag bits carried on the FUSE wire: INIT capabilities, SETATTR validity,
 * OPEN reply flags, per-request flags, and the Linux values (file types, open
 * flags, rename, lseek, xattr, fallocate) the kernel passes through unchanged.
 * Mirrors `include/uapi/linux/fuse.h`; the protocol minor that added each group
 * is noted where it is later than 7.9. Re-exported by `abi.ts`.
 *
 * @module
 */

// ---- INIT flags (fuse_init_in.flags / fuse_init_out.flags) ----

/** Reads may be sent in parallel and out of order (readahead runs asynchronously). */
export const FUSE_ASYNC_READ = 1 << 0;
/** The filesystem implements POSIX locks (GETLK/SETLK). Not requested by qsfs. */
export const FUSE_POSIX_LOCKS = 1 << 1;
/** Kernel sends a file handle for fstat and friends (never implemented by Linux). */
export const FUSE_FILE_OPS = 1 << 2;
/** OPEN carries O_TRUNC instead of a separate SETATTR(size=0). */
export const FUSE_ATOMIC_O_TRUNC = 1 << 3;
/** The filesystem handles LOOKUP of "." and ".." (NFS export). */
export const FUSE_EXPORT_SUPPORT = 1 << 4;
/** WRITE may carry more than 4 KiB. */
export const FUSE_BIG_WRITES = 1 << 5;
/** The kernel does not apply the umask; the filesystem does (umask fields). */
export const FUSE_DONT_MASK = 1 << 6;
/** The kernel can splice writes into the device. */
export const FUSE_SPLICE_WRITE = 1 << 7;
/** The kernel can move pages when splicing. */
export const FUSE_SPLICE_MOVE = 1 << 8;
/** The kernel can splice reads from the device. */
export const FUSE_SPLICE_READ = 1 << 9;
/** The filesystem implements BSD flock(). */
export const FUSE_FLOCK_LOCKS = 1 << 10;
/** The kernel sends ioctl on directories. */
export const FUSE_HAS_IOCTL_DIR = 1 << 11;
/** The kernel drops cached pages when it sees mtime or size change. */
export const FUSE_AUTO_INVAL_DATA = 1 << 12;
/** Directory listing uses READDIRPLUS (entries with attributes). */
export const FUSE_DO_READDIRPLUS = 1 << 13;
/** The kernel picks READDIR or READDIRPLUS adaptively. */
export const FUSE_READDIRPLUS_AUTO = 1 << 14;
/** Direct I/O may be submitted asynchronously. */
export const FUSE_ASYNC_DIO = 1 << 15;
/** Buffered writes are cached in the kernel and written back later (7.23). */
export const FUSE_WRITEBACK_CACHE = 1 << 16;
/** OPEN may be answered ENOSYS once to skip opens forever (7.23). */
export const FUSE_NO_OPEN_SUPPORT = 1 << 17;
/** LOOKUP and READDIR in one directory may run in parallel (7.25). */
export const FUSE_PARALLEL_DIROPS = 1 << 18;
/** The filesystem clears suid/sgid/caps on write, chown and truncate (7.26). */
export const FUSE_HANDLE_KILLPRIV = 1 << 19;
/** The filesystem stores POSIX ACLs (7.26). */
export const FUSE_POSIX_ACL = 1 << 20;
/** Reads after an abort fail with ECONNABORTED instead of ENODEV (7.27). */
export const FUSE_ABORT_ERROR = 1 << 21;
/** fuse_init_out.max_pages is valid (7.28). */
export const FUSE_MAX_PAGES = 1 << 22;
/** The kernel caches READLINK answers (7.28). */
export const FUSE_CACHE_SYMLINKS = 1 << 23;
/** OPENDIR may be answered ENOSYS once to skip opendirs forever (7.29). */
export const FUSE_NO_OPENDIR_SUPPORT = 1 << 24;
/** Cached pages are dropped only on explicit notification (7.30). */
export const FUSE_EXPLICIT_INVAL_DATA = 1 << 25;
/** fuse_init_out.map_alignment is valid (DAX, 7.31). */
export const FUSE_MAP_ALIGNMENT = 1 << 26;
/** The kernel supports submounts (7.32). */
export const FUSE_SUBMOUNTS = 1 << 27;
/** Like HANDLE_KILLPRIV with Linux VFS rules (7.33). */
export const FUSE_HANDLE_KILLPRIV_V2 = 1 << 28;
/** fuse_setxattr_in has its 16-byte form (7.33). Not requested: qsfs decodes the 8-byte form. */
export const FUSE_SETXATTR_EXT = 1 << 29;
/** fuse_init_in.flags2 / fuse_init_out.flags2 are valid (7.36). */
export const FUSE_INIT_EXT = 1 << 30;

// ---- SETATTR validity (fuse_setattr_in.valid) ----

export const FATTR_MODE = 1 << 0;
export const FATTR_UID = 1 << 1;
export const FATTR_GID = 1 << 2;
export const FATTR_SIZE = 1 << 3;
export const FATTR_ATIME = 1 << 4;
export const FATTR_MTIME = 1 << 5;
/** fuse_setattr_in.fh is valid (ftruncate and friends). */
export const FATTR_FH = 1 << 6;
/** Set atime to the current time (utimensat UTIME_NOW). */
export const FATTR_ATIME_NOW = 1 << 7;
/** Set mtime to the current time (utimensat UTIME_NOW). */
export const FATTR_MTIME_NOW = 1 << 8;
export const FATTR_LOCKOWNER = 1 << 9;
export const FATTR_CTIME = 1 << 10;
/** Clear suid/sgid (only with HANDLE_KILLPRIV_V2, 7.33). */
export const FATTR_KILL_SUIDGID = 1 << 11;

// ---- OPEN/CREATE/OPENDIR reply flags (fuse_open_out.open_flags) ----

/** Bypass the page cache for this open file. */
export const FOPEN_DIRECT_IO = 1 << 0;
/** Keep cached pages from earlier opens. */
export const FOPEN_KEEP_CACHE = 1 << 1;
/** The file is not seekable. */
export const FOPEN_NONSEEKABLE = 1 << 2;
/** The kernel may cache this directory's listing (7.28). */
export const FOPEN_CACHE_DIR = 1 << 3;
/** The file is a stream without positions (7.31). */
export const FOPEN_STREAM = 1 << 4;
/** Do not FLUSH on close (7.35). */
export const FOPEN_NOFLUSH = 1 << 5;

// ---- Per-request flags ----

/** fuse_getattr_in.getattr_flags: fh is valid (fstat). */
export const FUSE_GETATTR_FH = 1 << 0;
/** fuse_release_in.release_flags: flush before release. */
export const FUSE_RELEASE_FLUSH = 1 << 0;
/** fuse_release_in.release_flags: drop flock locks of this owner. */
export const FUSE_RELEASE_FLOCK_UNLOCK = 1 << 1;
/** fuse_write_in.write_flags: write-back from the page cache; fh is a guess. */
export const FUSE_WRITE_CACHE = 1 << 0;
/** fuse_write_in.write_flags: lock_owner is valid. */
export const FUSE_WRITE_LOCKOWNER = 1 << 1;
/** fuse_write_in.write_flags: clear suid/sgid (7.31). */
export const FUSE_WRITE_KILL_SUIDGID = 1 << 2;
/** fuse_read_in.read_flags: lock_owner is valid. */
export const FUSE_READ_LOCKOWNER = 1 << 1;
/** fuse_fsync_in.fsync_flags: fdatasync (data only). */
export const FUSE_FSYNC_FDATASYNC = 1 << 0;
/** fuse_open_in.open_flags / fuse_create_in.open_flags: kill suid/sgid (7.38). */
export const FUSE_OPEN_KILL_SUIDGID = 1 << 0;

// ---- Linux values passed through the wire unchanged ----

/** File type mask and types of a mode (st_mode). */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** Directory entry types (fuse_dirent.type): `(mode & S_IFMT) >> 12`. */
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** open(2) flags as carried in fuse_open_in.flags and fuse_create_in.flags. */
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECT = 0o40000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;

/** renameat2(2) flags (fuse_rename2_in.flags). */
export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;

/** lseek(2) whence (fuse_lseek_in.whence). Only SEEK_DATA and SEEK_HOLE reach the filesystem. */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

/** setxattr(2) flags (fuse_setxattr_in.flags). */
export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;

/** access(2) mask bits (fuse_access_in.mask). */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

/** fallocate(2) modes (fuse_fallocate_in.mode). */
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_COLLAPSE_RANGE = 0x08;
export const FALLOC_FL_ZERO_RANGE = 0x10;
export const FALLOC_FL_INSERT_RANGE = 0x20;
