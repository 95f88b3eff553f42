/**
 * {@link RawFileSystem}: what a filesystem implements to be served over FUSE.
 * One method per opcode, named after the opcode, in the spirit of go-fuse's
 * `fuse.RawFileSystem`. Methods get the request's context and its decoded body
 * and return the reply (the session encodes it), or throw `FsError(errno)`.
 * Anything else thrown replies EIO and is logged once with the opcode.
 *
 * Every method is optional. A missing method replies ENOSYS, except where
 * libfuse's defaults are kinder and the kernel relies on them: OPEN and
 * OPENDIR succeed with handle 0, RELEASE and RELEASEDIR succeed, STATFS
 * answers an empty filesystem with 255-byte names, FORGET is dropped.
 * For most optional opcodes (FLUSH, FSYNC, ACCESS, xattrs, FALLOCATE, LSEEK,
 * COPY_FILE_RANGE) the kernel remembers ENOSYS and stops asking.
 *
 * The wire layer knows nothing of storage: node ids and handles are whatever
 * the filesystem hands out (safe integers; node id 1 is the root).
 *
 * @module
 */

import type { DirentBuffer, DirentPlusBuffer } from "./dirent_buffer.ts";
import type {
  AccessIn,
  AttrReply,
  BatchForgetIn,
  CopyFileRangeIn,
  CreateIn,
  CreateReply,
  Entry,
  FallocateIn,
  FlushIn,
  ForgetIn,
  FsyncIn,
  GetattrIn,
  GetxattrIn,
  InitReply,
  InterruptIn,
  LinkIn,
  ListxattrIn,
  LseekIn,
  MkdirIn,
  MknodIn,
  NameIn,
  NodeIn,
  OpenIn,
  OpenReply,
  ReadIn,
  ReleaseIn,
  RemovexattrIn,
  RenameIn,
  SetattrIn,
  SetxattrIn,
  StatfsReply,
  SymlinkIn,
  WriteIn,
} from "./types.ts";

/** Who asked, and a signal for INTERRUPT. */
export interface RequestContext {
  /** The request id (fuse_in_header.unique). */
  readonly unique: number;
  /** fsuid, fsgid and thread group id of the calling process. */
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
  /**
   * Aborted when the kernel interrupts the request (the caller got a signal).
   * A method may ignore it and finish, or stop and throw: anything thrown
   * after the abort replies EINTR.
   */
  readonly signal: AbortSignal;
}

/** What INIT settled: handed to {@link RawFileSystem.init} before the first request. */
export interface InitInfo {
  /** The kernel's protocol minor version. */
  kernelMinor: number;
  /** The INIT flags the kernel offered. */
  kernelFlags: number;
  /** Our reply: the enabled flags, max_write and the rest. */
  reply: InitReply;
}

/** A filesystem served over FUSE. See the module doc for defaults and errors. */
export interface RawFileSystem {
  /** Called once INIT is negotiated, before the kernel sends anything else. */
  init?(info: InitInfo): void | Promise<void>;
  /** Called once when the session ends (DESTROY, unmount or abort). */
  destroy?(): void | Promise<void>;

  /** Resolve `name` in directory `parent`. Counts one lookup on the returned node. */
  lookup?(ctx: RequestContext, input: NameIn): Promise<Entry>;
  /** The kernel drops `nlookup` lookups of a node. No reply; errors are logged. */
  forget?(input: ForgetIn): void | Promise<void>;
  /** Several forgets at once; without it, {@link forget} is called for each. */
  batchForget?(input: BatchForgetIn): void | Promise<void>;
  /** Interrupt notice for a request in flight; its context's signal is already aborted. */
  interrupt?(input: InterruptIn): void;

  getattr?(ctx: RequestContext, input: GetattrIn): Promise<AttrReply>;
  setattr?(ctx: RequestContext, input: SetattrIn): Promise<AttrReply>;
  readlink?(ctx: RequestContext, input: NodeIn): Promise<string>;
  /** Each of these counts one lookup on the returned node. */
  symlink?(ctx: RequestContext, input: SymlinkIn): Promise<Entry>;
  mknod?(ctx: RequestContext, input: MknodIn): Promise<Entry>;
  mkdir?(ctx: RequestContext, input: MkdirIn): Promise<Entry>;
  link?(ctx: RequestContext, input: LinkIn): Promise<Entry>;
  unlink?(ctx: RequestContext, input: NameIn): Promise<void>;
  rmdir?(ctx: RequestContext, input: NameIn): Promise<void>;
  /** RENAME (flags 0) and RENAME2 (RENAME_NOREPLACE, RENAME_EXCHANGE). */
  rename?(ctx: RequestContext, input: RenameIn): Promise<void>;

  open?(ctx: RequestContext, input: OpenIn): Promise<OpenReply>;
  /** Create and open; counts one lookup on the new node. */
  create?(ctx: RequestContext, input: CreateIn): Promise<CreateReply>;
  /** Up to `input.size` bytes; fewer means end of file. The bytes are not copied. */
  read?(ctx: RequestContext, input: ReadIn): Promise<Uint8Array>;
  /** Returns the bytes written. `input.data` is only valid until the promise settles. */
  write?(ctx: RequestContext, input: WriteIn): Promise<number>;
  /** One per close(2) of a descriptor; may report a deferred write error. */
  flush?(ctx: RequestContext, input: FlushIn): Promise<void>;
  fsync?(ctx: RequestContext, input: FsyncIn): Promise<void>;
  /** The last descriptor of an open is gone; errors are not seen by anyone. */
  release?(ctx: RequestContext, input: ReleaseIn): Promise<void>;
  fallocate?(ctx: RequestContext, input: FallocateIn): Promise<void>;
  /** SEEK_DATA / SEEK_HOLE; ENXIO past the end. Returns the new offset. */
  lseek?(ctx: RequestContext, input: LseekIn): Promise<number>;
  /** Returns the bytes copied. */
  copyFileRange?(ctx: RequestContext, input: CopyFileRangeIn): Promise<number>;

  opendir?(ctx: RequestContext, input: OpenIn): Promise<OpenReply>;
  /** Add entries from cookie `input.offset` on until `out.add` returns false or the end. */
  readdir?(ctx: RequestContext, input: ReadIn, out: DirentBuffer): Promise<void>;
  /**
   * Like readdir, with attributes. Count a lookup only for entries `out.add`
   * accepted and for which `takesLookup(name, found)` is true. Having this
   * method enables FUSE_DO_READDIRPLUS.
   */
  readdirplus?(ctx: RequestContext, input: ReadIn, out: DirentPlusBuffer): Promise<void>;
  releasedir?(ctx: RequestContext, input: ReleaseIn): Promise<void>;
  fsyncdir?(ctx: RequestContext, input: FsyncIn): Promise<void>;

  statfs?(ctx: RequestContext, input: NodeIn): Promise<StatfsReply>;
  /** Only called without default_permissions; mask 0 (F_OK) checks existence. */
  access?(ctx: RequestContext, input: AccessIn): Promise<void>;
  /** The value; the session answers size queries and ERANGE itself. ENODATA if absent. */
  getxattr?(ctx: RequestContext, input: GetxattrIn): Promise<Uint8Array>;
  setxattr?(ctx: RequestContext, input: SetxattrIn): Promise<void>;
  /** The names; the session answers size queries and ERANGE itself. */
  listxattr?(ctx: RequestContext, input: ListxattrIn): Promise<string[]>;
  removexattr?(ctx: RequestContext, input: RemovexattrIn): Promise<void>;
}
