/**
 * Options of a FUSE session, and their resolution into INIT settings.
 *
 * @module
 */

import type { InitSettings } from "./init.ts";
import type { RawFileSystem } from "./raw_fs.ts";

/** Where the session reports bugs and oddities. Structurally a subset of lib/log.ts Logger. */
export interface FuseLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface SessionOptions {
  /** Largest WRITE the kernel sends, bytes; capped by max_pages_limit pages. @default 1 MiB */
  maxWriteBytes?: number;
  /** Readahead to ask for, bytes; the kernel grants at most what it offered. @default 1 MiB */
  maxReadaheadBytes?: number;
  /** Requests read and not yet answered, at most. @default 64 */
  requestsInflightMax?: number;
  /** Background requests (readahead, write-back) the kernel queues at most. @default 64 */
  maxBackground?: number;
  /** Cache buffered writes in the kernel (FUSE_WRITEBACK_CACHE). @default false */
  writebackCache?: boolean;
  /** READDIRPLUS use, when the filesystem implements it. @default "auto" */
  readdirplus?: "auto" | "always" | "never";
  /** Let the kernel cache symlink targets (they never change). @default true */
  cacheSymlinks?: boolean;
  /** Pass O_TRUNC to OPEN instead of a SETATTR (the filesystem must honour it). @default false */
  atomicOTrunc?: boolean;
  /**
   * The filesystem clears suid/sgid and security.capability itself on write,
   * truncate and chown (FUSE_HANDLE_KILLPRIV and _V2). Without it the kernel
   * sends a SETATTR of the mode on the writer's behalf, which a filesystem
   * checking ownership refuses, and asks for security.capability (a GETXATTR)
   * before every write.
   * @default false
   */
  handleKillpriv?: boolean;
  /** @default console */
  logger?: FuseLogger;
}

/** Resolves the INIT settings once, reading the kernel's page limit. */
export async function resolveInitSettings(
  options: SessionOptions,
  fs: RawFileSystem,
): Promise<InitSettings> {
  return {
    maxWriteBytes: options.maxWriteBytes ?? 1024 * 1024,
    maxReadaheadBytes: options.maxReadaheadBytes ?? 1024 * 1024,
    maxBackground: options.maxBackground ?? 64,
    maxPagesLimit: await readMaxPagesLimit(),
    writebackCache: options.writebackCache ?? false,
    readdirplus: fs.readdirplus ? options.readdirplus ?? "auto" : "never",
    cacheSymlinks: options.cacheSymlinks ?? true,
    atomicOTrunc: options.atomicOTrunc ?? false,
    handleKillpriv: options.handleKillpriv ?? false,
  };
}

/** The kernel's cap on pages per request; 256 (1 MiB) where the knob does not exist. */
async function readMaxPagesLimit(): Promise<number> {
  try {
    const text = await Deno.readTextFile("/proc/sys/fs/fuse/max_pages_limit");
    const pages = Number.parseInt(text.trim(), 10);
    return Number.isFinite(pages) && pages > 0 ? pages : 256;
  } catch {
    return 256;
  }
}
