/**
 * What every bridge operation shares: the vfs, the timeouts, the caller of a
 * request, and the one error rule (FsError as it is; anything else is a bug,
 * replied as EIO and logged with its stack once per opcode).
 *
 * @module
 */

import { EIO, FsError } from "../errno.ts";
import type { FuseLogger, RequestContext } from "../fuse/mod.ts";
import type { CallContext, Vfs } from "../vfs/mod.ts";
import type { Timeouts } from "./_attr.ts";
import { callerOf, GroupsReader } from "./_caller.ts";

export class BridgeCore {
  readonly vfs: Vfs;
  readonly timeouts: Timeouts;
  /** FOPEN_* flags of every file handle. */
  readonly openFlags: number;
  readonly #groups: GroupsReader;
  readonly #logger: FuseLogger;
  /** Opcodes whose unexpected failure was logged already. */
  readonly logged = new Set<string>();

  constructor(
    vfs: Vfs,
    settings: { timeouts: Timeouts; openFlags: number; groupsCacheMs: number; logger: FuseLogger },
  ) {
    this.vfs = vfs;
    this.timeouts = settings.timeouts;
    this.openFlags = settings.openFlags;
    this.#groups = new GroupsReader(settings.groupsCacheMs);
    this.#logger = settings.logger;
  }

  /** The vfs caller of a request. */
  caller(ctx: RequestContext): CallContext {
    return callerOf(ctx, this.#groups);
  }

  /** Runs `work`, turning anything it throws (also synchronously) into an FsError. */
  async call<T>(opcode: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.errorOf(opcode, error);
    }
  }

  /** Maps a rejection of `work` to an FsError; for the hot paths (no closure). */
  guard<T>(opcode: string, work: Promise<T>): Promise<T> {
    return work.catch((error) => {
      throw this.errorOf(opcode, error);
    });
  }

  /** FsError as it is; anything else is a bug: EIO, logged once per opcode with its stack. */
  errorOf(opcode: string, error: unknown): FsError {
    if (error instanceof FsError) return error;
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    if (!this.logged.has(opcode)) {
      this.logged.add(opcode);
      this.#logger.error(
        `FUSE ${opcode} failed with an unexpected error; replying EIO (later ${opcode} failures are not logged)`,
        { error: text },
      );
    }
    return new FsError(EIO, `Cannot serve ${opcode}: ${text.split("\n")[0]}`);
  }
}
