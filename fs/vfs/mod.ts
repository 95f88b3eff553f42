/**
 * fs/vfs: the POSIX semantics layer of qsfs and its metadata store. It knows
 * nothing of FUSE; fs/bridge.ts serves a {@link Vfs} over the wire.
 *
 * ```ts
 * const store = MetaStore.open(`${home}/meta.sqlite`);
 * const backend = await DiskChunkBackend.open(`${home}/chunks`, { capacityBytes: 8 << 30 });
 * const vfs = new Vfs(store, backend);
 * await vfs.collectGarbage();
 * const ctx = { uid: 1000, gid: 1000 };
 * const { attr, fh } = await vfs.create(ctx, { parent: ROOT_INO, name: "a", mode: 0o644, flags: O_RDWR });
 * ```
 *
 * @module
 */

export { Vfs, type VfsOptions } from "./vfs.ts";
export { CHUNK_SIZE_BYTES_DEFAULT, MetaStore, type MetaStoreOptions } from "./meta_store.ts";
export { SCHEMA_VERSION } from "./schema.ts";
export { type ChunkBackend, type ChunkBackendUsage, newChunkRef } from "./chunk_backend.ts";
export {
  DISK_CAPACITY_BYTES_DEFAULT,
  DiskChunkBackend,
  type DiskChunkBackendOptions,
} from "./disk_chunk_backend.ts";
export { LocalChunkCache } from "./local_chunk_cache.ts";
export { type CacheRecovery, WriteBackBackend } from "./write_back_backend.ts";
export { MetadataReplicator } from "./replication/replicator.ts";
export { recoverMetadata } from "./replication/recover.ts";
export { SuperblockStore } from "./replication/superblock.ts";
export { checkMetadata, type MetadataProblem } from "./meta_check.ts";
export { type Clock, systemClock } from "./time.ts";
export * from "./constants.ts";
export type * from "./types.ts";
