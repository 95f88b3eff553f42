/**
 * A filesystem on a pool of storage nodes: file data through the write-back
 * cache (fs/vfs/write_back_backend.ts) to the nodes, metadata replicated to
 * the same nodes (fs/vfs/replication), the state directory only a cache.
 * Also the recovery of such a filesystem from the nodes alone.
 *
 * State directory: `meta.sqlite` (+ WAL), `replication.json` (the last
 * superblock made durable), `cache/` (chunk files), `lock`.
 *
 * @module
 */
import { join } from "node:path";
import type { Filesystem, FsLogger, PoolControl, RecoveryReport } from "./filesystem.ts";
import { evacuateNode } from "./pool_evacuation.ts";
import { scrubPool } from "./pool_scrub.ts";
import { connectPool, type PoolParts } from "./pool_connect.ts";
import type { PoolOptions } from "./pool.ts";
import {
  LocalChunkCache,
  MetadataReplicator,
  MetaStore,
  recoverMetadata,
  type SuperblockStore,
  Vfs,
  WriteBackBackend,
} from "./vfs/mod.ts";
import type { Logger } from "../lib/log.ts";

/** What statfs reports when the caller does not say how big the pool is: 1 TiB. */
const POOL_CAPACITY_BYTES_DEFAULT = 1024 ** 4;

export interface OpenPoolOptions {
  stateDir: string;
  pool: PoolOptions;
  cacheBytesMax: number;
  chunkSizeBytes?: number;
  logger: FsLogger;
  /** Released when the filesystem closes. */
  lock: Deno.FsFile;
}

/** Opens a pool-backed filesystem; the caller holds the state lock. */
export async function openPoolFilesystem(options: OpenPoolOptions): Promise<Filesystem> {
  const { stateDir, pool, logger } = options;
  const parts = connectPool(pool, logger);
  const metaPath = join(stateDir, "meta.sqlite");
  let store: MetaStore | undefined;
  let backend: WriteBackBackend | undefined;
  try {
    await refuseToBuryNodes(metaPath, parts.superblocks);
    store = MetaStore.open(metaPath, { chunkSizeBytes: options.chunkSizeBytes });
    const { cache, files } = await LocalChunkCache.open(
      join(stateDir, "cache"),
      options.cacheBytesMax,
    );
    const opened = await WriteBackBackend.open({
      cache,
      remote: parts.data,
      store,
      capacityBytes: pool.capacityBytes ?? POOL_CAPACITY_BYTES_DEFAULT,
      deferDeletes: true,
      logger: logger as Logger,
    }, files);
    backend = opened.backend;
    const writeBack = backend;
    const replicator = await MetadataReplicator.start({
      store,
      chunks: parts.metadata,
      superblocks: parts.superblocks,
      scratchDir: stateDir,
      intervalMs: pool.metadataIntervalMs,
      onTakeChanges: () => writeBack.sealDeferredDeletes(),
      afterDurable: () => writeBack.releaseDeferredDeletes(),
      logger: logger as Logger,
    });
    const vfs = new Vfs(store, backend, {
      afterDurableCommit: () => replicator.flush(),
      // The write-back backend holds chunks for upload (and fetched ones) itself: smaller
      // buffers here keep the process under its memory budget (512 MiB) while uploads run.
      dirtyBytesMax: 16 * 1024 ** 2,
      chunkCacheBytesMax: 16 * 1024 ** 2,
    });
    const chunksDeleted = await vfs.collectGarbage();
    const repairTimer = setInterval(() => writeBack.repairPending().catch(() => {}), 10_000);
    logger.info("filesystem opened on the pool", {
      stateDir,
      nodes: pool.nodes.length,
      geometry: `${pool.dataShards}+${pool.parityShards}`,
      uploadsResumed: opened.recovery.resumed,
      chunksLost: opened.recovery.lost.length,
      tornCacheCopiesDropped: opened.recovery.torn,
      chunksDeleted,
    });
    const openStore = store;
    let closed: Promise<void> | undefined;
    const close = () =>
      closed ??= closePool(
        { vfs, cache, backend: writeBack, replicator, store: openStore, parts },
        {
          repairTimer,
          lock: options.lock,
          logger,
        },
      );
    const control: PoolControl = {
      evacuateNode: (nodeId) =>
        evacuateNode({
          store: openStore,
          backend: writeBack,
          replicator,
          data: parts.data,
          metadata: parts.metadata,
          dropSuperblockNode: parts.dropSuperblockNode,
          shardsPerChunk: pool.dataShards + pool.parityShards,
        }, nodeId),
      scrub: () =>
        scrubPool({
          store: openStore,
          replicator,
          data: parts.data,
          metadata: parts.metadata,
          nodesWithoutSuperblock: parts.nodesWithoutSuperblock,
        }),
      addNode: (address) => parts.addNode(address),
      moveNode: (address) => parts.moveNode(address),
      get nodeIds() {
        return parts.data.nodeIds;
      },
      get uploadsPending() {
        return writeBack.uploadsPending;
      },
      get repairsPending() {
        return parts.data.pendingRepairs().length;
      },
      repairPending: () => writeBack.repairPending(),
    };
    return { stateDir, vfs, sync: () => vfs.syncAll(), close, pool: control };
  } catch (error) {
    await backend?.close();
    store?.close();
    parts.close();
    throw error;
  }
}

interface OpenParts {
  vfs: Vfs;
  cache: LocalChunkCache;
  backend: WriteBackBackend;
  replicator: MetadataReplicator;
  store: MetaStore;
  parts: PoolParts;
}

/** A clean close: everything on the nodes if they answer; else kept in the cache for later. */
async function closePool(
  open: OpenParts,
  extra: { repairTimer: ReturnType<typeof setInterval>; lock: Deno.FsFile; logger: FsLogger },
): Promise<void> {
  clearInterval(extra.repairTimer);
  try {
    await open.vfs.flushAll();
    await open.backend.sync().catch((error) =>
      extra.logger.warn("some file data is not on the nodes yet; it stays in the cache", {
        pending: open.backend.uploadsPending,
        error: String(error),
      })
    );
    open.store.commitDurably();
    await open.replicator.stop().catch((error) =>
      extra.logger.warn("the last metadata changes are not on the nodes yet", {
        error: String(error),
      })
    );
  } finally {
    await open.backend.close();
    open.cache.closeFiles();
    open.store.close();
    open.parts.close();
    extra.lock.close();
  }
}

/**
 * A new state directory must not start a filesystem over one the nodes already hold:
 * its first superblock would bury theirs. The replicator refuses too, but only after the
 * store was created, which would leave an empty `meta.sqlite` in the way of a recovery.
 */
async function refuseToBuryNodes(metaPath: string, superblocks: SuperblockStore) {
  const exists = await Deno.stat(metaPath).then(() => true, () => false);
  if (exists) return;
  const found = await superblocks.readLatest();
  if (found !== undefined) {
    throw new Error(
      `Cannot open the filesystem: the storage nodes hold one already (superblock ${found.seq}) ` +
        "and this state directory is empty; recover it first (qsfs recover)",
    );
  }
}

/** Rebuilds `<stateDir>/meta.sqlite` from the pool; the caller holds the state lock. */
export async function recoverPoolFilesystem(
  stateDir: string,
  pool: PoolOptions,
  logger: FsLogger,
): Promise<RecoveryReport> {
  const metaPath = join(stateDir, "meta.sqlite");
  if (await Deno.stat(metaPath).then(() => true, () => false)) {
    throw new Error(
      `Cannot recover into ${stateDir}: it holds a filesystem already (meta.sqlite); ` +
        "recover into an empty state directory",
    );
  }
  const parts = connectPool(pool, logger);
  try {
    const superblock = await recoverMetadata(metaPath, parts.metadata, parts.superblocks);
    const store = MetaStore.open(metaPath);
    try {
      const report = { superblockSeq: superblock.seq, ...countTree(store) };
      logger.info("filesystem recovered from the pool", { stateDir, ...report });
      return report;
    } finally {
      store.close();
    }
  } finally {
    parts.close();
  }
}

function countTree(store: MetaStore): Omit<RecoveryReport, "superblockSeq"> {
  const count = (type: number) =>
    Number(
      store.query("SELECT count(*) AS n FROM inodes WHERE (mode & 61440) = ?", type)[0]?.n ?? 0,
    );
  return {
    files: count(0o100000),
    directories: count(0o040000),
    symlinks: count(0o120000),
    dataBytes: store.locations.dataBytes(),
  };
}
