/**
 * Opening the storage engine's state: one directory holding the metadata
 * store (`meta.sqlite`), the chunk directory (`chunks/`) and a lock file
 * (`lock`) that keeps a second process from serving the same state.
 *
 * @module
 */

import { join } from "node:path";
import { EBUSY, FsError } from "./errno.ts";
import { DiskChunkBackend, MetaStore, Vfs } from "./vfs/mod.ts";
import { openPoolFilesystem, recoverPoolFilesystem } from "./pool_filesystem.ts";
import type { PoolNodeAddress, PoolOptions } from "./pool.ts";
import type { EvacuationReport } from "./pool_evacuation.ts";
import type { ScrubSummary } from "./pool_scrub.ts";

/** Where the engine reports what it does. Structurally a subset of lib/log.ts Logger. */
export interface FsLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface OpenFilesystemOptions {
  /** The state directory; created if missing. */
  stateDir: string;
  /** Chunk size of a new filesystem (a power of two); an existing one keeps its own. @default 4 MiB */
  chunkSizeBytes?: number;
  /**
   * The most bytes the chunk directory may hold. @default 16 GiB; with a pool, the local
   * cache's bound: 4 GiB
   */
  cacheBytesMax?: number;
  /** How long to wait for another process to release the state, ms. @default 5000 */
  lockWaitMs?: number;
  /** @default console */
  logger?: FsLogger;
  /**
   * Keep file data and metadata on these storage nodes (the state directory is then a
   * cache); without a pool, data stays on this machine. See fs/pool.ts.
   */
  pool?: PoolOptions;
}

export interface RecoverFilesystemOptions {
  /** A state directory holding no filesystem yet (it is created if missing). */
  stateDir: string;
  pool: PoolOptions;
  /** @default console */
  logger?: FsLogger;
}

/** What a recovery found on the nodes. */
export interface RecoveryReport {
  /** The sequence number of the superblock the metadata was rebuilt from. */
  superblockSeq: number;
  /** Regular files, directories and symlinks in the recovered tree. */
  files: number;
  directories: number;
  symlinks: number;
  /** The bytes of file data the recovered tree holds. */
  dataBytes: number;
}

/** What a filesystem on a pool can do besides serving files. */
export interface PoolControl {
  /**
   * Moves every shard off a node (rebuilt from the others where it does not answer) and
   * ships the metadata to the other nodes, so the node can be deleted without losing
   * redundancy; refused when fewer than k + m nodes would be left.
   */
  evacuateNode(nodeId: string): Promise<EvacuationReport>;
  /**
   * Checks every shard of every chunk on the nodes, rebuilds missing and corrupt ones on
   * healthy nodes, and ships the metadata again after any repair; chunks that cannot be read
   * are reported and left as they are.
   */
  scrub(): Promise<ScrubSummary>;
  /** Grows the pool: chunks written from now on may use the node. */
  addNode(address: PoolNodeAddress): void;
  /**
   * Follows a node of the pool to a new address (a local node restarted on another port
   * because its own was taken); false when the pool already uses that address.
   */
  moveNode(address: PoolNodeAddress): boolean;
  /** The ids of the pool's nodes. */
  readonly nodeIds: string[];
  /** Chunks written but not yet on the nodes. */
  readonly uploadsPending: number;
  /**
   * Chunks waiting for repair: written while a node failed, or read back around a node that
   * answered without its shard (read repair). The mount repairs them every 10 s.
   */
  readonly repairsPending: number;
  /** Repairs the chunks waiting now; returns how many were repaired. */
  repairPending(): Promise<number>;
}

/** An open filesystem: serve `vfs` (see mountFilesystem), then close it. */
export interface Filesystem {
  /** The absolute state directory. */
  readonly stateDir: string;
  readonly vfs: Vfs;
  /** Present when the filesystem is on a pool of storage nodes. */
  readonly pool?: PoolControl;
  /**
   * Returns when every change so far is durable where the filesystem keeps it (with a pool:
   * data and metadata on the nodes under the write policy), as syncfs(2).
   */
  sync(): Promise<void>;
  /** Flushes open files, closes the metadata store and releases the state. Idempotent. */
  close(): Promise<void>;
}

const LOCK_POLL_MS = 50;
/** The local cache of a pool-backed filesystem: the nodes hold the data, this only speeds it. */
const POOL_CACHE_BYTES_DEFAULT = 4 * 1024 ** 3;

/** Opens (creating if needed) the filesystem whose state lives in `options.stateDir`. */
export async function openFilesystem(options: OpenFilesystemOptions): Promise<Filesystem> {
  const logger = options.logger ?? console;
  await Deno.mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const stateDir = await Deno.realPath(options.stateDir);
  const lock = await lockState(stateDir, options.lockWaitMs ?? 5000);
  if (options.pool !== undefined) {
    try {
      return await openPoolFilesystem({
        stateDir,
        pool: options.pool,
        cacheBytesMax: options.cacheBytesMax ?? POOL_CACHE_BYTES_DEFAULT,
        chunkSizeBytes: options.chunkSizeBytes,
        logger,
        lock,
      });
    } catch (error) {
      lock.close();
      throw error;
    }
  }
  let store: MetaStore | undefined;
  try {
    store = MetaStore.open(join(stateDir, "meta.sqlite"), {
      chunkSizeBytes: options.chunkSizeBytes,
    });
    const backend = await DiskChunkBackend.open(join(stateDir, "chunks"), {
      capacityBytes: options.cacheBytesMax,
    });
    const vfs = new Vfs(store, backend);
    const chunksDeleted = await vfs.collectGarbage();
    logger.info("filesystem opened", {
      stateDir,
      orphansRemoved: store.orphansRemoved,
      chunksDeleted,
    });
    return {
      stateDir,
      vfs,
      sync: () => vfs.syncAll(),
      close: closer(vfs, store, lock, () => backend.closeFiles()),
    };
  } catch (error) {
    store?.close();
    lock.close();
    throw error;
  }
}

function closer(
  vfs: Vfs,
  store: MetaStore,
  lock: Deno.FsFile,
  closeFiles: () => void,
): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= (async () => {
      try {
        await vfs.flushAll();
      } finally {
        closeFiles();
        store.close();
        lock.close();
      }
    })();
    return closed;
  };
}

/**
 * Takes the state's exclusive lock (flock on `<state>/lock`, which the kernel
 * drops when the process dies, even by kill -9) and writes our pid in it.
 * Waits up to `waitMs` for a process that is closing the state.
 */
async function lockState(stateDir: string, waitMs: number): Promise<Deno.FsFile> {
  const path = join(stateDir, "lock");
  const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  try {
    const deadline = Date.now() + waitMs;
    while (!await file.tryLock(true)) {
      if (Date.now() >= deadline) {
        const holder = (await Deno.readTextFile(path)).trim();
        throw new FsError(
          EBUSY,
          `Cannot open the filesystem in ${stateDir}: another qsfs process` +
            `${holder === "" ? "" : ` (pid ${holder})`} is using it`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Rebuilds a filesystem's state from its pool alone (the mnemonic's keys and the nodes):
 * the newest superblock, its metadata snapshot and log. The state directory must not hold
 * a filesystem; open it with {@link openFilesystem} and the same pool afterwards.
 */
export async function recoverFilesystem(
  options: RecoverFilesystemOptions,
): Promise<RecoveryReport> {
  await Deno.mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const stateDir = await Deno.realPath(options.stateDir);
  const lock = await lockState(stateDir, 5000);
  try {
    return await recoverPoolFilesystem(stateDir, options.pool, options.logger ?? console);
  } finally {
    lock.close();
  }
}
