/**
 * {@link Vfs}: the POSIX semantics of qsfs over a {@link MetaStore} and a
 * {@link ChunkBackend}. Methods are named after the syscalls, take the
 * caller's identity in a {@link CallContext}, and throw `FsError(errno)`.
 * It knows nothing of FUSE: fs/bridge.ts maps node ids, handles and errors.
 *
 * @module
 */

import { EINVAL, FsError } from "../errno.ts";
import { setattr } from "./_attrs.ts";
import { showName, VfsCore, type VfsOptions } from "./_core.ts";
import { opendir, readdir, releasedir } from "./_dirs.ts";
import { flushFile, releaseReservedRefs } from "./_file_flush.ts";
import { collectGarbage } from "./_garbage.ts";
import { copyFileRange, fallocate, lseek, read, write } from "./_io.ts";
import {
  createNode,
  findEntry,
  link,
  lookup,
  readlink,
  rmdir,
  symlinkTarget,
  unlink,
} from "./_names.ts";
import { create, flush, fsync, open, release } from "./_open.ts";
import { rename } from "./_rename.ts";
import { findXattr, getxattr, listxattr, removexattr, setxattr } from "./_xattrs.ts";
import type { ChunkBackend } from "./chunk_backend.ts";
import { F_OK, NAME_BYTES_MAX, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "./constants.ts";
import type { MetaStore } from "./meta_store.ts";
import { checkAccess } from "./permissions.ts";
import type {
  Attr,
  CallContext,
  CopyFileRangeInput,
  CreateInput,
  CreateResult,
  DirEntry,
  FallocateInput,
  Fh,
  Ino,
  LinkInput,
  LseekInput,
  MkdirInput,
  MknodInput,
  Name,
  ReaddirInput,
  ReadInput,
  RenameInput,
  SetattrChanges,
  SetxattrInput,
  StatFs,
  SymlinkInput,
  WriteInput,
} from "./types.ts";

export type { VfsOptions };

const STATFS_BLOCK_BYTES = 4096;
/** Inodes are rows: the count offered as free is a large constant. */
const STATFS_FILES_FREE = 1 << 30;

export class Vfs {
  readonly #core: VfsCore;

  constructor(store: MetaStore, backend: ChunkBackend, options: VfsOptions = {}) {
    this.#core = new VfsCore(store, backend, options);
  }

  /** The chunk size of the filesystem. */
  get chunkSizeBytes(): number {
    return this.#core.chunkSizeBytes;
  }

  /**
   * Deletes chunks left behind by a crash or a failed delete. Call once after
   * constructing; returns how many were deleted.
   */
  collectGarbage(): Promise<number> {
    return collectGarbage(this.#core);
  }

  /** Flushes every open file (handles stay open), and unlists the chunk refs reserved ahead. */
  async flushAll(): Promise<void> {
    for (const state of [...this.#core.files.values()]) await flushFile(this.#core, state);
    releaseReservedRefs(this.#core);
  }

  /** syncfs(2): every file's data and every metadata change so far are durable. */
  async syncAll(): Promise<void> {
    await this.flushAll();
    await this.#core.backend.sync();
    this.#core.store.commitDurably();
    await this.#core.afterDurableCommit();
  }

  lookup(ctx: CallContext, parent: Ino, name: Name): Promise<Attr> {
    return run(() => this.#core.attrOf(lookup(this.#core, ctx, parent, name)));
  }

  /**
   * {@link lookup}, but a missing name is `undefined`, not ENOENT: for callers to
   * whom a miss is an ordinary answer (the FUSE LOOKUP before every create).
   * Making an Error costs ~5-25 us in Deno even without a stack trace, more than
   * the lookup.
   */
  tryLookup(ctx: CallContext, parent: Ino, name: Name): Promise<Attr | undefined> {
    return run(() => {
      const inode = findEntry(this.#core, ctx, parent, name);
      return inode === undefined ? undefined : this.#core.attrOf(inode);
    });
  }

  getattr(_ctx: CallContext, ino: Ino): Promise<Attr> {
    return run(() => this.#core.attrOf(this.#core.inode(ino, `get attributes of inode ${ino}`)));
  }

  setattr(ctx: CallContext, ino: Ino, changes: SetattrChanges): Promise<Attr> {
    return setattr(this.#core, ctx, ino, changes);
  }

  /** Makes a regular file, fifo, socket or (as root) a device node. */
  mknod(ctx: CallContext, input: MknodInput): Promise<Attr> {
    return run(() => {
      const mode = (input.mode & S_IFMT) === 0 ? input.mode | S_IFREG : input.mode;
      if ((mode & S_IFMT) === S_IFDIR || (mode & S_IFMT) === S_IFLNK) {
        throw new FsError(EINVAL, `Cannot make node ${showName(input.name)}: use mkdir or symlink`);
      }
      return this.#core.attrOf(createNode(this.#core, ctx, { ...input, mode }));
    });
  }

  mkdir(ctx: CallContext, input: MkdirInput): Promise<Attr> {
    return run(() => {
      const mode = S_IFDIR | (input.mode & ~S_IFMT);
      return this.#core.attrOf(createNode(this.#core, ctx, { ...input, mode }));
    });
  }

  unlink(ctx: CallContext, parent: Ino, name: Name): Promise<void> {
    return unlink(this.#core, ctx, parent, name);
  }

  rmdir(ctx: CallContext, parent: Ino, name: Name): Promise<void> {
    return run(() => rmdir(this.#core, ctx, parent, name));
  }

  symlink(ctx: CallContext, input: SymlinkInput): Promise<Attr> {
    return run(() => {
      const target = symlinkTarget(input.target, `make symlink in inode ${input.parent}`);
      const spec = { ...input, mode: S_IFLNK | 0o777, symlinkTarget: target };
      return this.#core.attrOf(createNode(this.#core, ctx, spec));
    });
  }

  readlink(_ctx: CallContext, ino: Ino): Promise<Uint8Array> {
    return run(() => readlink(this.#core, ino));
  }

  /** rename(2) / renameat2(2) with RENAME_NOREPLACE or RENAME_EXCHANGE. */
  rename(ctx: CallContext, input: RenameInput): Promise<void> {
    return rename(this.#core, ctx, input);
  }

  link(ctx: CallContext, input: LinkInput): Promise<Attr> {
    return run(() => this.#core.attrOf(link(this.#core, ctx, input)));
  }

  /** Opens a file (or, read-only, a directory) with open(2) `flags`; returns a handle. */
  open(ctx: CallContext, ino: Ino, flags: number): Promise<Fh> {
    return open(this.#core, ctx, ino, flags);
  }

  async create(ctx: CallContext, input: CreateInput): Promise<CreateResult> {
    const { inode, fh } = await create(this.#core, ctx, input);
    return { attr: this.#core.attrOf(inode), fh };
  }

  /** Up to `sizeBytes` bytes; fewer only at the end of the file. */
  read(_ctx: CallContext, input: ReadInput): Promise<Uint8Array> {
    return read(this.#core, input);
  }

  /** Returns the bytes written (all of them). With O_APPEND the offset is the end. */
  write(ctx: CallContext, input: WriteInput): Promise<number> {
    return write(this.#core, ctx, input);
  }

  /** One close(2) of a descriptor: stores the file's unflushed writes. */
  flush(_ctx: CallContext, fh: Fh): Promise<void> {
    return flush(this.#core, fh);
  }

  /** Returns when the file's data and every metadata change so far are durable. */
  fsync(_ctx: CallContext, fh: Fh): Promise<void> {
    return fsync(this.#core, fh);
  }

  /** fsync(2) of a directory: every metadata change so far is durable. */
  async fsyncdir(_ctx: CallContext, fh: Fh): Promise<void> {
    await run(() => {
      this.#core.handle(fh, "dir", `sync directory handle ${fh}`);
      this.#core.store.commitDurably();
    });
    await this.#core.afterDurableCommit();
  }

  /** The last close: flushes, and deletes a file unlinked while open. */
  release(_ctx: CallContext, fh: Fh): Promise<void> {
    return release(this.#core, fh);
  }

  opendir(ctx: CallContext, ino: Ino): Promise<Fh> {
    return run(() => opendir(this.#core, ctx, ino));
  }

  /** Entries after `input.offset` ("." and ".." first); empty at the end. */
  readdir(_ctx: CallContext, input: ReaddirInput): Promise<DirEntry[]> {
    return run(() => readdir(this.#core, input));
  }

  releasedir(_ctx: CallContext, fh: Fh): Promise<void> {
    return run(() => releasedir(this.#core, fh));
  }

  statfs(_ctx: CallContext): Promise<StatFs> {
    return run(() => {
      const { usedBytes, capacityBytes } = this.#core.backend.usage();
      const blocks = Math.floor(capacityBytes / STATFS_BLOCK_BYTES);
      const blocksFree = Math.max(0, blocks - Math.ceil(usedBytes / STATFS_BLOCK_BYTES));
      return {
        blockSizeBytes: STATFS_BLOCK_BYTES,
        blocks,
        blocksFree,
        blocksAvailable: blocksFree,
        files: this.#core.store.inodes.count() + STATFS_FILES_FREE,
        filesFree: STATFS_FILES_FREE,
        nameBytesMax: NAME_BYTES_MAX,
      };
    });
  }

  /** access(2): F_OK checks existence; root passes except X_OK on a file with no x bit. */
  access(ctx: CallContext, ino: Ino, mask: number): Promise<void> {
    return run(() => {
      const inode = this.#core.inode(ino, `check access to inode ${ino}`);
      if (mask !== F_OK) checkAccess(ctx, inode, mask, `access inode ${ino}`);
    });
  }

  /** The value; ENODATA when there is none. */
  getxattr(ctx: CallContext, ino: Ino, name: string): Promise<Uint8Array> {
    return run(() => getxattr(this.#core, ctx, ino, name));
  }

  /**
   * {@link getxattr}, but a missing attribute is `undefined`, not ENODATA (the
   * kernel asks for security.capability before a write and at every chown).
   */
  tryGetxattr(ctx: CallContext, ino: Ino, name: string): Promise<Uint8Array | undefined> {
    return run(() => findXattr(this.#core, ctx, ino, name));
  }

  /** XATTR_CREATE on an existing name is EEXIST, XATTR_REPLACE on a missing one ENODATA. */
  setxattr(ctx: CallContext, input: SetxattrInput): Promise<void> {
    return run(() => setxattr(this.#core, ctx, input));
  }

  listxattr(ctx: CallContext, ino: Ino): Promise<string[]> {
    return run(() => listxattr(this.#core, ctx, ino));
  }

  removexattr(ctx: CallContext, ino: Ino, name: string): Promise<void> {
    return run(() => removexattr(this.#core, ctx, ino, name));
  }

  /** Modes 0 and FALLOC_FL_KEEP_SIZE, and FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE. */
  fallocate(_ctx: CallContext, input: FallocateInput): Promise<void> {
    return fallocate(this.#core, input);
  }

  /** SEEK_DATA / SEEK_HOLE; ENXIO at or past the end. */
  lseek(_ctx: CallContext, input: LseekInput): Promise<number> {
    return lseek(this.#core, input);
  }

  /** copy_file_range(2); returns the bytes copied (fewer at the source's end). */
  copyFileRange(ctx: CallContext, input: CopyFileRangeInput): Promise<number> {
    return copyFileRange(this.#core, ctx, input);
  }
}

/** Runs a synchronous operation as a promise, so its errors reject instead of throwing. */
function run<T>(operation: () => T): Promise<T> {
  try {
    return Promise.resolve(operation());
  } catch (error) {
    return Promise.reject(error);
  }
}
