/**
 * The FUSE kernel ABI as qsfs speaks it: protocol version, opcodes and the
 * byte layout of every struct we read or write, mirrored from
 * `include/uapi/linux/fuse.h`. All integers are little-endian (host order on
 * x86_64 and aarch64). Each layout object maps a field to its byte offset and
 * has `sizeBytes`; the comment on a field gives its C type and meaning.
 *
 * We answer INIT with minor {@link FUSE_MINOR_VERSION} (7.31), so the kernel
 * uses the 7.31 forms: no request extensions, the 8-byte fuse_setxattr_in,
 * no flags2. Flag bits live in `abi_flags.ts`, reply layouts in
 * `abi_replies.ts`, request layouts in `abi_requests.ts`; all are re-exported here.
 *
 * @module
 */

export * from "./abi_flags.ts";
export * from "./abi_replies.ts";
export * from "./abi_requests.ts";

/** Major protocol version; a kernel with another major is refused. */
export const FUSE_KERNEL_VERSION = 7;
/** The minor version qsfs implements and answers INIT with. */
export const FUSE_MINOR_VERSION = 31;
/** The oldest kernel minor qsfs accepts (Linux 5.4). */
export const FUSE_MINOR_VERSION_MIN = 31;
/** The node id of the mount's root directory. */
export const FUSE_ROOT_ID = 1;
/** The kernel refuses reads into a smaller buffer (EINVAL). */
export const FUSE_MIN_READ_BUFFER_BYTES = 8192;
/** Bit set in the `unique` of an INTERRUPT request (its own id, not the target's). */
export const FUSE_INT_REQ_BIT = 1;

/** Request opcodes (fuse_in_header.opcode). */
export const Opcode = {
  LOOKUP: 1,
  /** No reply. */
  FORGET: 2,
  GETATTR: 3,
  SETATTR: 4,
  READLINK: 5,
  SYMLINK: 6,
  MKNOD: 8,
  MKDIR: 9,
  UNLINK: 10,
  RMDIR: 11,
  RENAME: 12,
  LINK: 13,
  OPEN: 14,
  READ: 15,
  WRITE: 16,
  STATFS: 17,
  RELEASE: 18,
  FSYNC: 20,
  SETXATTR: 21,
  GETXATTR: 22,
  LISTXATTR: 23,
  REMOVEXATTR: 24,
  FLUSH: 25,
  INIT: 26,
  OPENDIR: 27,
  READDIR: 28,
  RELEASEDIR: 29,
  FSYNCDIR: 30,
  GETLK: 31,
  SETLK: 32,
  SETLKW: 33,
  ACCESS: 34,
  CREATE: 35,
  INTERRUPT: 36,
  BMAP: 37,
  DESTROY: 38,
  IOCTL: 39,
  POLL: 40,
  NOTIFY_REPLY: 41,
  /** No reply. */
  BATCH_FORGET: 42,
  FALLOCATE: 43,
  READDIRPLUS: 44,
  RENAME2: 45,
  LSEEK: 46,
  COPY_FILE_RANGE: 47,
  SETUPMAPPING: 48,
  REMOVEMAPPING: 49,
  SYNCFS: 50,
  TMPFILE: 51,
  STATX: 52,
} as const;

export type Opcode = typeof Opcode[keyof typeof Opcode];

const OPCODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Opcode).map(([name, value]) => [value, name]),
);

/** The name of an opcode for logs: `opcodeName(1) === "LOOKUP"`. */
export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `OPCODE_${opcode}`;
}

// ---- Headers ----

/** struct fuse_in_header: prefixes every request. */
export const InHeader = {
  /** u32: length of the whole request, this header included. */
  len: 0,
  /** u32: the {@link Opcode}. */
  opcode: 4,
  /** u64: request id, echoed in the reply; steps by 2 (bit 0 marks INTERRUPTs). */
  unique: 8,
  /** u64: the node the request is about (parent directory for name operations). */
  nodeid: 16,
  /** u32: fsuid of the calling process. */
  uid: 24,
  /** u32: fsgid of the calling process. */
  gid: 28,
  /** u32: thread group id of the calling process (0 for kernel-internal requests). */
  pid: 32,
  /** u16: length of request extensions at the end, in 8-byte units (7.38; 0 for us). */
  totalExtlen: 36,
  /** u16: padding. */
  padding: 38,
  sizeBytes: 40,
} as const;

/** struct fuse_out_header: prefixes every reply. */
export const OutHeader = {
  /** u32: length of the whole reply, this header included. */
  len: 0,
  /** i32: 0, or a negative errno (then no body follows). */
  error: 4,
  /** u64: the `unique` of the request answered. */
  unique: 8,
  sizeBytes: 16,
} as const;
