/**
 * The caller of a FUSE request as the vfs sees it: uid, gid and pid from the
 * request header, and the supplementary groups read from /proc/<pid>/status,
 * lazily. The vfs asks for groups only when the primary gid does not decide a
 * check (permissions.ts `inGroup`), so most requests never read /proc.
 *
 * Reading /proc synchronously is safe in the serving process: it is not our
 * mount. Groups are cached per (pid, uid, gid) for `groupsCacheMs`, so a burst
 * of requests from one process reads the file once; a process that changes
 * its uid or gid gets a new key, and a process that calls setgroups(2) keeping
 * both is seen within the cache time.
 *
 * @module
 */

import type { RequestContext } from "../fuse/raw_fs.ts";
import type { CallContext } from "../vfs/types.ts";

/** Processes remembered at most; the cache is dropped whole when it is full. */
const GROUPS_CACHE_ENTRIES_MAX = 1024;
const NO_GROUPS: readonly number[] = Object.freeze([]);

interface CachedGroups {
  groups: readonly number[];
  expiresAtMs: number;
}

/** Reads supplementary groups of processes, with a short cache. */
export class GroupsReader {
  readonly #cacheMs: number;
  readonly #cache = new Map<string, CachedGroups>();

  constructor(cacheMs: number) {
    this.#cacheMs = cacheMs;
  }

  /** The supplementary groups of `pid` (empty if it is gone or unknown). */
  groupsOf(pid: number, uid: number, gid: number): readonly number[] {
    if (pid <= 0) return NO_GROUPS;
    const key = `${pid}:${uid}:${gid}`;
    const now = performance.now();
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.expiresAtMs > now) return cached.groups;
    const groups = readGroups(pid);
    if (this.#cache.size >= GROUPS_CACHE_ENTRIES_MAX) this.#cache.clear();
    this.#cache.set(key, { groups, expiresAtMs: now + this.#cacheMs });
    return groups;
  }
}

/** Parses the "Groups:" line of /proc/<pid>/status. */
export function parseGroups(status: string): readonly number[] {
  const line = /^Groups:[ \t]*(.*)$/m.exec(status);
  if (line === null) return NO_GROUPS;
  const groups = line[1]!.trim().split(/\s+/).filter((part) => part !== "").map(Number);
  return groups.length === 0 ? NO_GROUPS : groups.filter(Number.isSafeInteger);
}

function readGroups(pid: number): readonly number[] {
  try {
    return parseGroups(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    // The process has exited (or /proc hides it): no supplementary groups.
    return NO_GROUPS;
  }
}

/** A CallContext whose `groups` are read on first use. */
class Caller implements CallContext {
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
  readonly #reader: GroupsReader;
  #groups: readonly number[] | undefined;

  constructor(ctx: RequestContext, reader: GroupsReader) {
    this.uid = ctx.uid;
    this.gid = ctx.gid;
    this.pid = ctx.pid;
    this.#reader = reader;
  }

  get groups(): readonly number[] {
    this.#groups ??= this.#reader.groupsOf(this.pid, this.uid, this.gid);
    return this.#groups;
  }
}

/** The vfs caller of a FUSE request. */
export function callerOf(ctx: RequestContext, reader: GroupsReader): CallContext {
  return new Caller(ctx, reader);
}
