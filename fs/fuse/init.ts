/**
 * INIT negotiation, pure: the kernel's offer and our options in, our reply out.
 *
 * We enable what every qsfs mount wants (async reads, big writes up to
 * max_write via max_pages, parallel dirops, async direct I/O, auto_inval_data),
 * readdirplus when the filesystem implements it, and the writeback cache,
 * atomic O_TRUNC and HANDLE_KILLPRIV only when asked, since they need the
 * filesystem's help to be correct. Never more than the kernel offered.
 *
 * @module
 */

import { EPROTO } from "../errno.ts";
import * as abi from "./abi.ts";
import type { InitIn, InitReply } from "./types.ts";

export const PAGE_SIZE_BYTES = 4096;

/** INIT settings, all resolved. */
export interface InitSettings {
  maxWriteBytes: number;
  maxReadaheadBytes: number;
  maxBackground: number;
  /** The kernel's cap on pages per request (/proc/sys/fs/fuse/max_pages_limit). */
  maxPagesLimit: number;
  writebackCache: boolean;
  /** "never" also applies when the filesystem has no readdirplus. */
  readdirplus: "auto" | "always" | "never";
  cacheSymlinks: boolean;
  atomicOTrunc: boolean;
  /**
   * The filesystem clears suid/sgid and security.capability on write, truncate
   * and chown itself (FUSE_HANDLE_KILLPRIV and FUSE_HANDLE_KILLPRIV_V2).
   */
  handleKillpriv: boolean;
}

/** What to answer: a full reply, a version-only reply (kernel retries), or an error. */
export type InitOutcome =
  | { kind: "accept"; reply: InitReply }
  | { kind: "retry"; reply: InitReply }
  | { kind: "refuse"; errno: number; message: string };

/** The largest WRITE we can take: the option, capped by the kernel's page limit. */
export function effectiveMaxWriteBytes(settings: InitSettings): number {
  const capBytes = Math.max(1, settings.maxPagesLimit) * PAGE_SIZE_BYTES;
  return Math.max(PAGE_SIZE_BYTES, Math.min(settings.maxWriteBytes, capBytes));
}

/** The INIT flags we would like, before intersecting with the kernel's offer. */
export function wantedInitFlags(settings: InitSettings): number {
  let flags = abi.FUSE_ASYNC_READ | abi.FUSE_BIG_WRITES | abi.FUSE_MAX_PAGES |
    abi.FUSE_PARALLEL_DIROPS |
    abi.FUSE_ASYNC_DIO | abi.FUSE_AUTO_INVAL_DATA;
  if (settings.writebackCache) flags |= abi.FUSE_WRITEBACK_CACHE;
  if (settings.readdirplus !== "never") flags |= abi.FUSE_DO_READDIRPLUS;
  if (settings.readdirplus === "auto") flags |= abi.FUSE_READDIRPLUS_AUTO;
  if (settings.cacheSymlinks) flags |= abi.FUSE_CACHE_SYMLINKS;
  if (settings.atomicOTrunc) flags |= abi.FUSE_ATOMIC_O_TRUNC;
  // V2 also makes the kernel set SB_NOSEC: once a file is known to carry no
  // privileges, a write no longer costs a GETXATTR of security.capability.
  if (settings.handleKillpriv) flags |= abi.FUSE_HANDLE_KILLPRIV | abi.FUSE_HANDLE_KILLPRIV_V2;
  return flags;
}

/** Answers the kernel's INIT. */
export function negotiateInit(kernel: InitIn, settings: InitSettings): InitOutcome {
  if (kernel.major > abi.FUSE_KERNEL_VERSION) {
    // The kernel speaks a newer major: tell it ours; it sends INIT again.
    return { kind: "retry", reply: versionOnly() };
  }
  if (kernel.major < abi.FUSE_KERNEL_VERSION || kernel.minor < abi.FUSE_MINOR_VERSION_MIN) {
    return {
      kind: "refuse",
      errno: EPROTO,
      message:
        `Cannot serve FUSE ${kernel.major}.${kernel.minor}: qsfs needs 7.${abi.FUSE_MINOR_VERSION_MIN} or later`,
    };
  }
  const maxWriteBytes = effectiveMaxWriteBytes(settings);
  const maxBackground = Math.max(1, Math.min(0xffff, settings.maxBackground));
  return {
    kind: "accept",
    reply: {
      major: abi.FUSE_KERNEL_VERSION,
      minor: Math.min(kernel.minor, abi.FUSE_MINOR_VERSION),
      maxReadaheadBytes: Math.min(kernel.maxReadaheadBytes, settings.maxReadaheadBytes),
      flags: (wantedInitFlags(settings) & kernel.flags) >>> 0,
      maxBackground,
      congestionThreshold: Math.max(1, Math.floor(maxBackground * 3 / 4)),
      maxWriteBytes,
      timeGranNs: 1,
      maxPages: Math.ceil(maxWriteBytes / PAGE_SIZE_BYTES),
    },
  };
}

function versionOnly(): InitReply {
  return {
    major: abi.FUSE_KERNEL_VERSION,
    minor: abi.FUSE_MINOR_VERSION,
    maxReadaheadBytes: 0,
    flags: 0,
    maxBackground: 0,
    congestionThreshold: 0,
    maxWriteBytes: 0,
    timeGranNs: 0,
    maxPages: 0,
  };
}
