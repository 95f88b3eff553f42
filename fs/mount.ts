/**
 * Mounting an open {@link Filesystem} over FUSE in this process, and
 * unmounting any qsfs mount (live, or stale after its server was killed).
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import { EINVAL, FsError } from "./errno.ts";
import { type BridgeOptions, createBridge } from "./bridge.ts";
import type { Filesystem, FsLogger } from "./filesystem.ts";
import {
  cleanStaleMount,
  isFuseMounted,
  serveFuse,
  setReadahead,
  unmountFuse,
} from "./fuse/mod.ts";

/**
 * The mount's readahead window, KiB (FUSE mounts start with 128): one 4 MiB chunk, so the
 * kernel keeps up to four 1 MiB READs of a sequential reader in flight while earlier ones
 * are answered. Cold reads from the nodes here: 128 KiB -> 1 MiB about a tenth faster,
 * 1 MiB -> 4 MiB 386 -> 421 MB/s (averages of 3 and 4 runs); random reads are not read ahead.
 */
const READAHEAD_KIB = 4096;

export interface MountFilesystemOptions extends BridgeOptions {
  /**
   * Let other users in (root, or user_allow_other in /etc/fuse.conf). The kernel
   * still checks every access against the permission bits (default_permissions),
   * so a root mount then behaves as a native filesystem mounted by root does.
   * @default true when this process is root, else false
   */
  allowOther?: boolean;
  /** Shown as the mount's source in /proc/mounts and df. @default "qsfs" */
  fsName?: string;
  /** @default console */
  logger?: FsLogger;
}

/** A mounted filesystem, served by this process. */
export interface MountedFilesystem {
  /** The absolute mountpoint. */
  readonly mountpoint: string;
  /**
   * Resolves once serving has ended (unmounted here or by `qsfs umount`) and
   * the filesystem is flushed and closed; rejects if serving failed.
   */
  readonly finished: Promise<void>;
  /** Unmounts, then waits for {@link finished}. */
  unmount(): Promise<void>;
}

/**
 * Mounts `fs` at `mountpoint` (cleaning a stale mount there first) and serves
 * it until unmounted; resolves once the mount is usable. The mount owns `fs`
 * from then on: it is closed when serving ends. Without the writeback cache:
 * see fs/README.md.
 */
export async function mountFilesystem(
  fs: Filesystem,
  mountpoint: string,
  options: MountFilesystemOptions = {},
): Promise<MountedFilesystem> {
  const logger = options.logger ?? console;
  await refuseMountOverState(fs.stateDir, mountpoint);
  const bridge = createBridge({ vfs: fs.vfs, close: () => fs.close() }, { ...options, logger });
  let server;
  try {
    server = await serveFuse(bridge, mountpoint, {
      allowOther: options.allowOther ?? Deno.uid() === 0,
      fsName: options.fsName ?? "qsfs",
      subtype: "qsfs",
      // The kernel checks permissions on every path walk, also through cached
      // entries (it sends no LOOKUP for those); the vfs checks again.
      defaultPermissions: true,
      // The vfs clears suid/sgid on write, truncate and chown itself.
      handleKillpriv: true,
      writebackCache: false,
      logger,
    });
  } catch (error) {
    await fs.close();
    throw error;
  }
  const finished = server.done.finally(() => fs.close());
  finished.catch(() => {}); // Whoever awaits it sees the error; never unhandled.
  try {
    await server.ready;
  } catch (error) {
    await server.unmount({ lazy: true }).catch(() => {});
    await finished.catch(() => {});
    throw error;
  }
  // Best effort (root only): sequential reads then come in fewer, larger requests, fetched
  // further ahead (see READAHEAD_KIB).
  await setReadahead(server.mountpoint, READAHEAD_KIB).catch((error) =>
    logger.warn("could not raise the mount's readahead", { error: String(error) })
  );
  logger.info("mounted", { mountpoint: server.mountpoint, stateDir: fs.stateDir });
  return {
    mountpoint: server.mountpoint,
    finished,
    async unmount() {
      await unmountFuse(server.mountpoint);
      await finished;
    },
  };
}

/** What {@link unmountFilesystem} found and did. */
export type UnmountOutcome = "unmounted" | "stale_cleaned" | "not_mounted";

/**
 * Unmounts the FUSE mount at `mountpoint`: a live one cleanly (its server then
 * flushes, closes and ends), a stale one (its server was killed) by cleaning it up.
 */
export async function unmountFilesystem(mountpoint: string): Promise<UnmountOutcome> {
  if (!await isFuseMounted(mountpoint)) return "not_mounted";
  if (await cleanStaleMount(mountpoint)) return "stale_cleaned";
  return await unmountFuse(mountpoint) ? "unmounted" : "not_mounted";
}

/**
 * Refuses a mountpoint that is the state directory or one of its ancestors:
 * the engine would then store its own chunks through its own mount.
 */
async function refuseMountOverState(stateDir: string, mountpoint: string): Promise<void> {
  const absolute = resolve(mountpoint);
  // The mountpoint itself is not resolved: it may be a stale mount (ENOTCONN).
  const parent = await Deno.realPath(dirname(absolute)).catch(() => dirname(absolute));
  const path = absolute === "/" ? "/" : join(parent, basename(absolute));
  if (path === "/" || stateDir === path || stateDir.startsWith(`${path}/`)) {
    throw new FsError(
      EINVAL,
      `Cannot mount on ${path}: the filesystem's state lives in ${stateDir}, inside the mountpoint`,
    );
  }
}
