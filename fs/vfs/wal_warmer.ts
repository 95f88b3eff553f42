/**
 * {@link WalWarmer}: keeps the metadata store's write-ahead log in the page
 * cache, so that commits do not wait for the disk to read it.
 *
 * After a checkpoint SQLite writes the log again from its start, over the old
 * frames. A frame is a 24-byte header and a page, so most writes cover part
 * of a file page, and a page the kernel has dropped (a big copy through
 * the mount, memory pressure, `drop_caches`) must first be read from the disk,
 * synchronously, inside the write. The benchmark drops the caches before its
 * stats (and unlinks after them) and before its untar: its 10,000 unlinks
 * spent ~0.5-0.65 s in commits with the log evicted, ~0.08-0.1 s with it read
 * ahead (commits timed inside the mount's server, 4 KiB pages). Through a
 * mount, medians of alternating runs against the commit before: unlinks ~4.8k
 * -> ~6.9k/s and ~5.0k -> ~7.2k/s, untar +3% and +8% (noise-sized), creates
 * unchanged.
 *
 * So before a commit that follows an idle gap (when pages are most likely to
 * have gone), and at most every second otherwise, the whole log is read ahead
 * (POSIX_FADV_WILLNEED, in the background). Asking again for 32 MiB that are
 * cached costs ~0.45 ms (the log is 8-9 MiB between checkpoints).
 *
 * Not `journal_size_limit` (truncating the log after a checkpoint): it helped
 * unlinks as much, but every frame then extends the file, and creates were
 * ~5-10% slower in alternating runs.
 *
 * @module
 */

import { PositionalFile } from "../positional_file.ts";

/** A commit after this long without one reads the log ahead first. */
export const WAL_IDLE_GAP_MS = 100;
/** Otherwise the log is read ahead at most this often. */
export const WAL_WARM_INTERVAL_MS = 1000;

export class WalWarmer {
  readonly #walPath: string;
  readonly #nowMs: () => number;
  #file: PositionalFile | undefined;
  #lastCommitMs = -Infinity;
  #lastWarmMs = -Infinity;
  #warmings = 0;

  /** How many times the log was read ahead (for tests). */
  get warmings(): number {
    return this.#warmings;
  }

  /** `walPath`: the log (`<database>-wal`); it may not exist yet. */
  constructor(walPath: string, nowMs: () => number = () => performance.now()) {
    this.#walPath = walPath;
    this.#nowMs = nowMs;
  }

  /** Called before each commit: reads the log ahead after an idle gap, or once the interval passed. */
  beforeCommit(): void {
    const now = this.#nowMs();
    const idle = now - this.#lastCommitMs >= WAL_IDLE_GAP_MS;
    this.#lastCommitMs = now;
    if (!idle && now - this.#lastWarmMs < WAL_WARM_INTERVAL_MS) return;
    this.#lastWarmMs = now;
    this.#warm();
  }

  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  #warm(): void {
    let sizeBytes: number;
    try {
      sizeBytes = Deno.statSync(this.#walPath).size;
      // SQLite never deletes the log while the store is open (exclusive locking
      // mode), so the descriptor stays on the file it writes.
      this.#file ??= new PositionalFile(this.#walPath);
    } catch {
      return; // No log yet: nothing to read ahead. It is only a hint.
    }
    this.#file.prefetch(0, sizeBytes);
    this.#warmings++;
  }
}
