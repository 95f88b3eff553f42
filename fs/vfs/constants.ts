/**
 * The POSIX numbers the vfs speaks (Linux values, the same on x86_64 and
 * aarch64): file type and permission bits, open(2) flags, renameat2(2),
 * setxattr(2), fallocate(2) and lseek(2) flags, access(2) masks, d_type values,
 * and the limits the vfs enforces. Kept here, not taken from fs/fuse, because
 * the vfs knows nothing of the wire.
 *
 * @module
 */

/** File type bits of st_mode. */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** Permission bits of st_mode. */
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
export const S_IXGRP = 0o0010;
/** Every bit chmod(2) may change. */
export const PERMISSION_BITS = 0o7777;
/** Any execute bit (owner, group or other). */
export const ANY_EXEC_BITS = 0o111;

/** open(2) flags. */
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
/**
 * __FMODE_EXEC: the kernel's mark on the open(2) flags of a file opened to be
 * executed (execve, uselib). FUSE passes it on in OPEN's flags.
 */
export const FMODE_EXEC = 0o40;

/** renameat2(2) flags. */
export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;

/** setxattr(2) flags. */
export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;

/** fallocate(2) modes. */
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;

/** lseek(2) whence values the vfs answers (the others never leave the kernel). */
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

/** access(2) masks. */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

/** d_type values of readdir entries. */
export const DT_UNKNOWN = 0;
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;
export const DT_REG = 8;
export const DT_LNK = 10;
export const DT_SOCK = 12;

/** The root directory's inode number (FUSE's FUSE_ROOT_ID). */
export const ROOT_INO = 1;
/** NAME_MAX: the longest name in a directory, in bytes. */
export const NAME_BYTES_MAX = 255;
/** PATH_MAX minus the NUL: the longest symlink target, in bytes. */
export const SYMLINK_TARGET_BYTES_MAX = 4095;
/** XATTR_NAME_MAX and XATTR_SIZE_MAX of Linux. */
export const XATTR_NAME_BYTES_MAX = 255;
export const XATTR_VALUE_BYTES_MAX = 65536;
/** The most hard links a non-directory may have (ext4's EXT4_LINK_MAX). */
export const LINK_COUNT_MAX = 65000;
/**
 * The largest file size: offsets stay exact in JS numbers below 2^53, so every
 * `offset + length` the vfs computes is exact (Linux refuses with EFBIG past it).
 */
export const FILE_SIZE_BYTES_MAX = Number.MAX_SAFE_INTEGER;
/** st_blksize: the I/O size programs are told to use (cp reads and writes this much). */
export const PREFERRED_IO_BYTES = 128 * 1024;

/** The file type bits of a mode. */
export function fileType(mode: number): number {
  return mode & S_IFMT;
}

export function isDir(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}

export function isRegular(mode: number): boolean {
  return (mode & S_IFMT) === S_IFREG;
}

export function isSymlink(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}

/** The d_type of a mode, for readdir. */
export function direntType(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return DT_REG;
    case S_IFDIR:
      return DT_DIR;
    case S_IFLNK:
      return DT_LNK;
    case S_IFIFO:
      return DT_FIFO;
    case S_IFCHR:
      return DT_CHR;
    case S_IFBLK:
      return DT_BLK;
    case S_IFSOCK:
      return DT_SOCK;
    default:
      return DT_UNKNOWN;
  }
}
