/**
 * fs/bridge.ts: serves a {@link Vfs} over FUSE. The one module that knows both
 * fs/fuse (the wire) and fs/vfs (POSIX semantics), as go-fuse's `fs/bridge.go`;
 * its private helpers live in fs/bridge/.
 *
 * - Node ids are inode numbers and file handles are vfs handles, unchanged:
 *   both are safe integers the vfs never reuses, so no table is needed and
 *   FORGET has nothing to drop (fs/bridge/_attr.ts).
 * - Names are bytes: the wire's lossless strings are encoded back to bytes
 *   before they reach the vfs, and vfs bytes are decoded for the wire.
 * - `FsError` passes through as -errno; anything else thrown is a bug: it
 *   replies EIO and is logged with its stack once per opcode (fs/bridge/_core.ts).
 * - The caller is the request's uid, gid and pid; supplementary groups are read
 *   from /proc only when the vfs needs them (fs/bridge/_caller.ts).
 * - Entries and attributes carry timeouts (10 s by default), missing names are
 *   cached as negative entries, and READDIRPLUS hands out entries with
 *   attributes, so a walk of a tree costs one request per directory page.
 * - DESTROY (or the end of the session) flushes every open file and closes the
 *   filesystem.
 *
 * See fs/README.md for the mount options that go with it (default_permissions,
 * HANDLE_KILLPRIV, no writeback cache) and why.
 *
 * @module
 */

import { abi, type FuseLogger, type RawFileSystem } from "./fuse/mod.ts";
import type { Vfs } from "./vfs/mod.ts";
import { BridgeCore } from "./bridge/_core.ts";
import { fileOps } from "./bridge/_file_ops.ts";
import { nodeOps } from "./bridge/_node_ops.ts";

/** What the bridge serves: a vfs, and how to close it once the session ends. */
export interface BridgeTarget {
  vfs: Vfs;
  /** Called once on DESTROY (or when the session ends), after every open file is flushed. */
  close(): void | Promise<void>;
}

export interface BridgeOptions {
  /**
   * How long the kernel may trust attributes, ms. As long as the entries: every
   * change passes through this kernel, which refreshes or drops the attributes it
   * touches (and those the vfs changes by itself: atime after a READ, setuid and
   * setgid after a WRITE). With 1 s, a program that stats names it looked at a
   * second earlier paid a GETATTR each: `Deno.remove` stats before it unlinks, so
   * the unlinks of 10k files sent 1.9 GETATTRs apiece instead of 1 (the
   * directory's), ~2.7k unlinks/s against ~5.8k/s in one run on a loaded machine.
   * @default 10000
   */
  attrTimeoutMs?: number;
  /**
   * How long the kernel may trust a name -> node mapping, ms. Names change only
   * through this kernel, which drops the entries it changes, and a walk of a
   * tree that takes more than a second (rm -r of 10k files) would otherwise
   * look every name up again.
   * @default 10000
   */
  entryTimeoutMs?: number;
  /** How long the kernel may remember that a name does not exist, ms; 0 disables. @default 1000 */
  negativeTimeoutMs?: number;
  /** How long a process's supplementary groups are cached, ms. @default 1000 */
  groupsCacheMs?: number;
  /**
   * Keep a file's page cache across opens (FOPEN_KEEP_CACHE). Safe because all
   * changes pass through this kernel, which updates or drops the cached pages.
   * @default true
   */
  keepCache?: boolean;
  /** Where bugs (non-FsError throws) are reported. @default console */
  logger?: FuseLogger;
}

/** A {@link RawFileSystem} over a vfs, and what it noticed. */
export interface VfsBridge extends RawFileSystem {
  /** The opcodes that failed with a non-FsError (each logged once). */
  unexpectedOpcodes(): string[];
}

/** A {@link RawFileSystem} serving `target.vfs`. */
export function createBridge(target: BridgeTarget, options: BridgeOptions = {}): VfsBridge {
  const core = new BridgeCore(target.vfs, {
    timeouts: {
      attrTimeoutMs: options.attrTimeoutMs ?? 10_000,
      entryTimeoutMs: options.entryTimeoutMs ?? 10_000,
      negativeTimeoutMs: options.negativeTimeoutMs ?? 1000,
    },
    openFlags: options.keepCache === false ? 0 : abi.FOPEN_KEEP_CACHE,
    groupsCacheMs: options.groupsCacheMs ?? 1000,
    logger: options.logger ?? console,
  });
  let closed: Promise<void> | undefined;
  return {
    ...nodeOps(core),
    ...fileOps(core),
    // Node ids are inode numbers, never reused: there is nothing to forget.
    forget() {},
    batchForget() {},
    destroy() {
      closed ??= (async () => {
        try {
          await target.vfs.flushAll();
        } finally {
          await target.close();
        }
      })();
      return closed;
    },
    unexpectedOpcodes: () => [...core.logged],
  };
}
