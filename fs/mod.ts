/**
 * fs: the storage engine's public surface, for main.ts and the server. Open a
 * filesystem from its state directory, then serve it over FUSE in this process.
 *
 * ```ts
 * const fs = await openFilesystem({ stateDir: `${home}/fs`, logger });
 * const mount = await mountFilesystem(fs, "/mnt/qsfs", { logger });
 * // ... later (or after `qsfs umount /mnt/qsfs` elsewhere)
 * await mount.unmount();
 * ```
 *
 * The process that serves a mount must never touch it with a synchronous
 * call: the call would wait for a reply only this process can write.
 *
 * @module
 */

export {
  type Filesystem,
  type FsLogger,
  openFilesystem,
  type OpenFilesystemOptions,
  type PoolControl,
  recoverFilesystem,
  type RecoverFilesystemOptions,
  type RecoveryReport,
} from "./filesystem.ts";
export {
  checkPoolGeometry,
  type PoolKeys,
  type PoolNodeAddress,
  type PoolOptions,
} from "./pool.ts";
export type { EvacuationReport } from "./pool_evacuation.ts";
export type { ScrubSummary, UnreadableChunk } from "./pool_scrub.ts";
export {
  type MountedFilesystem,
  mountFilesystem,
  type MountFilesystemOptions,
  unmountFilesystem,
  type UnmountOutcome,
} from "./mount.ts";
export { isStaleMount } from "./fuse/mod.ts";
export { FsError } from "./errno.ts";
