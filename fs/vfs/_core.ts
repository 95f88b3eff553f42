/**
 * The state every vfs operation shares (store, backend, open files, handles,
 * caches) and the small helpers they all use: fetching inodes with the right
 * errno, checking names, building attributes.
 *
 * @module
 */

import { EBADF, EINVAL, ENAMETOOLONG, ENOENT, ENOTDIR, FsError } from "../errno.ts";
import { ChunkCache } from "./chunk_cache.ts";
import type { ChunkBackend } from "./chunk_backend.ts";
import { isDir, NAME_BYTES_MAX, PREFERRED_IO_BYTES } from "./constants.ts";
import { FileState } from "./file_state.ts";
import type { Inode } from "./meta_inodes.ts";
import type { MetaStore } from "./meta_store.ts";
import { type Clock, laterTime, systemClock } from "./time.ts";
import type { Attr, Fh, Ino, Name, Timespec } from "./types.ts";

/** Tuning of the vfs; every bound has a default. */
export interface VfsOptions {
  /**
   * The most unflushed write bytes held in memory, over all files. A write that
   * would pass it first flushes its own file, then others.
   * @default 1/32 of the machine's memory, between 64 MiB and 512 MiB
   */
  dirtyBytesMax?: number;
  /** The most bytes of clean chunks cached in memory. @default 32 MiB */
  chunkCacheBytesMax?: number;
  /** Chunk puts in flight at once per flush. @default 4 */
  flushConcurrencyMax?: number;
  /** The time source for timestamps. @default the wall clock */
  clock?: Clock;
  /**
   * Runs after fsync and fsyncdir commit durably, before they return: metadata
   * replication ships the change to the storage nodes there.
   */
  afterDurableCommit?: () => Promise<void>;
}

export interface FileHandle {
  kind: "file";
  ino: Ino;
  /** open(2) flags. */
  flags: number;
  state: FileState;
}

export interface DirHandle {
  kind: "dir";
  ino: Ino;
}

export type Handle = FileHandle | DirHandle;

const encoder = new TextEncoder();

const MIB = 1024 * 1024;

/**
 * The default bound on unflushed writes: 1/32 of the memory, between 64 MiB
 * and 512 MiB. A flush rewrites every chunk it touches whole, so scattered
 * small writes cost a chunk each per flush: on a 1 GiB file of 4 MiB chunks,
 * random 4 KiB writes ran at ~900/s with 64 MiB (a flush of all 256 chunks
 * every 16k writes) and ~4.6k/s with 512 MiB. The kernel holds far more dirty
 * pages for a local filesystem (vm.dirty_ratio, 20% of memory by default).
 */
export function defaultDirtyBytesMax(): number {
  let totalBytes = 0;
  try {
    totalBytes = Deno.systemMemoryInfo().total;
  } catch {
    // Not allowed to ask (no --allow-sys): the lower bound.
  }
  return Math.min(512 * MIB, Math.max(64 * MIB, Math.floor(totalBytes / 32 / MIB) * MIB));
}

export class VfsCore {
  readonly store: MetaStore;
  readonly backend: ChunkBackend;
  readonly chunkSizeBytes: number;
  readonly dirtyBytesMax: number;
  readonly flushConcurrencyMax: number;
  readonly clock: Clock;
  readonly cache: ChunkCache;
  readonly afterDurableCommit: () => Promise<void>;
  /** Open regular files. */
  readonly files = new Map<Ino, FileState>();
  readonly handles = new Map<Fh, Handle>();
  /**
   * Files known to have no security.capability attribute, so a write need not
   * look for one to remove (the kernel's S_NOSEC, kept here: see _xattrs.ts).
   */
  readonly capabilityFree = new Set<Ino>();
  /** Whole-chunk loads in flight, by ref: concurrent readers of one chunk share one load. */
  readonly chunkLoads = new Map<string, Promise<Uint8Array>>();
  /** Chunk refs being written now: listed as garbage until their commit, but not garbage. */
  readonly refsInFlight = new Set<string>();
  /**
   * Chunk refs listed as garbage ahead of the flushes that will write them
   * (_file_flush.ts takeRefs); in {@link refsInFlight} until used or released.
   */
  readonly reservedRefs: string[] = [];
  /** Unflushed bytes over all files. */
  dirtyBytes = 0;
  #nextFh = 1;

  constructor(store: MetaStore, backend: ChunkBackend, options: VfsOptions) {
    this.store = store;
    this.backend = backend;
    this.chunkSizeBytes = store.chunkSizeBytes;
    this.dirtyBytesMax = options.dirtyBytesMax ?? defaultDirtyBytesMax();
    this.flushConcurrencyMax = options.flushConcurrencyMax ?? 4;
    this.clock = options.clock ?? systemClock;
    this.cache = new ChunkCache(options.chunkCacheBytesMax ?? 32 * 1024 * 1024);
    this.afterDurableCommit = options.afterDurableCommit ?? (() => Promise.resolve());
  }

  now(): Timespec {
    return this.clock();
  }

  /** The inode `ino`; ENOENT if there is none. */
  inode(ino: Ino, action: string): Inode {
    const inode = this.store.inodes.get(ino);
    if (inode === undefined) throw new FsError(ENOENT, `Cannot ${action}: no inode ${ino}`);
    return inode;
  }

  /** The directory `ino`; ENOENT if there is none, ENOTDIR if it is not a directory. */
  dir(ino: Ino, action: string): Inode {
    const inode = this.inode(ino, action);
    if (!isDir(inode.mode)) {
      throw new FsError(ENOTDIR, `Cannot ${action}: inode ${ino} is not a directory`);
    }
    return inode;
  }

  /** The handle `fh`; EBADF if there is none of that kind. */
  handle<K extends Handle["kind"]>(fh: Fh, kind: K, action: string): Extract<Handle, { kind: K }> {
    const handle = this.handles.get(fh);
    if (handle === undefined || handle.kind !== kind) {
      throw new FsError(EBADF, `Cannot ${action}: no open ${kind} handle ${fh}`);
    }
    return handle as Extract<Handle, { kind: K }>;
  }

  addHandle(handle: Handle): Fh {
    const fh = this.#nextFh++;
    this.handles.set(fh, handle);
    return fh;
  }

  /** The open state of a regular file, made on first use. */
  fileState(inode: Inode): FileState {
    let state = this.files.get(inode.ino);
    if (state === undefined) {
      state = new FileState(inode.ino, inode.sizeBytes, this.chunkSizeBytes);
      this.files.set(inode.ino, state);
    }
    return state;
  }

  /** The attributes of `inode`, with the size and times of unflushed writes. */
  attrOf(inode: Inode): Attr {
    const state = this.files.get(inode.ino);
    const dataBytes = inode.dataBytes + (state?.dirty.bytes ?? 0);
    return {
      ino: inode.ino,
      mode: inode.mode,
      nlink: inode.nlink,
      uid: inode.uid,
      gid: inode.gid,
      rdev: inode.rdev,
      sizeBytes: state?.sizeBytes ?? inode.sizeBytes,
      blocks: Math.ceil(dataBytes / 512),
      blksizeBytes: PREFERRED_IO_BYTES,
      atime: inode.atime,
      mtime: state?.pendingMtime ?? inode.mtime,
      // A change after the unflushed writes (chmod, utimes) is later still.
      ctime: state?.pendingCtime === undefined
        ? inode.ctime
        : laterTime(state.pendingCtime, inode.ctime),
      generation: inode.generation,
    };
  }
}

/**
 * The bytes of a name for a new or existing entry. EINVAL for an empty name,
 * one with "/" or NUL, "." or ".."; ENAMETOOLONG past 255 bytes.
 */
export function nameBytes(name: Name, action: string): Uint8Array {
  const bytes = typeof name === "string" ? encoder.encode(name) : name;
  if (bytes.length > NAME_BYTES_MAX) {
    throw new FsError(
      ENAMETOOLONG,
      `Cannot ${action}: the name has ${bytes.length} bytes (at most ${NAME_BYTES_MAX})`,
    );
  }
  const dots = bytes.length <= 2 && bytes.every((byte) => byte === 0x2e);
  if (bytes.length === 0 || dots || bytes.includes(0x2f) || bytes.includes(0)) {
    throw new FsError(EINVAL, `Cannot ${action}: "${showName(bytes)}" is not a valid name`);
  }
  return bytes;
}

const decoder = new TextDecoder();

/** A name for messages. */
export function showName(name: Name): string {
  return typeof name === "string" ? name : decoder.decode(name);
}

/**
 * An FsError that is an answer rather than a failure (a name or an attribute
 * that does not exist), made without a stack trace: capturing one costs more
 * than the lookup itself, and nobody reads it (the bridge replies the errno).
 */
export function answerError(errno: number, message: string): FsError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new FsError(errno, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
