/**
 * {@link CommitBatch}: the write transaction of the metadata store, and
 * grouped commits.
 *
 * A commit is most of the cost of a small metadata change (it appends every
 * page the change touched to the WAL: ~7 pages for a create), so changes made
 * with {@link CommitBatch.runGrouped} leave their transaction open and commit
 * together on the next turn of the event loop: after the operation has
 * replied, and shared with the changes that came meanwhile. Each change is
 * still all-or-nothing (a savepoint), so a kill -9 leaves whole changes, and
 * the tree is never torn; it may lose grouped changes of the last moments
 * (a few ms) that nothing made durable. Whatever needs a change committed
 * first commits the batch: every {@link CommitBatch.runNow} change, close(2),
 * fsync(2), chunk deletes, snapshots and changesets.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";

export class CommitBatch {
  readonly #db: DatabaseSync;
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackTo: StatementSync;
  /** Called when changes were rolled back, so caches of rows can be dropped. */
  readonly #onRollback: () => void;
  /** Called before each commit (wal_warmer.ts). */
  readonly #beforeCommit: () => void;
  /** Whether a write transaction is open, holding changes that are not committed. */
  #open = false;
  /** Changes in the open transaction. */
  #changes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Why a commit on the timer failed: reported by the next {@link commit}. */
  #failure: unknown;

  constructor(db: DatabaseSync, onRollback: () => void, beforeCommit: () => void = () => {}) {
    this.#db = db;
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
    this.#savepoint = db.prepare("SAVEPOINT change");
    this.#release = db.prepare("RELEASE change");
    this.#rollbackTo = db.prepare("ROLLBACK TO change");
    this.#onRollback = onRollback;
    this.#beforeCommit = beforeCommit;
  }

  /** Runs `change` all-or-nothing and commits it (with the open batch) before returning. */
  runNow<T>(change: () => T): T {
    const result = this.#run(change);
    this.commit();
    return result;
  }

  /** Runs `change` all-or-nothing; it is committed with the batch on the next event-loop turn. */
  runGrouped<T>(change: () => T): T {
    const result = this.#run(change);
    this.#timer ??= setTimeout(() => this.#commitOnTimer(), 0);
    return result;
  }

  /**
   * Commits the open batch now. Throws if that fails, or (once) if a commit on
   * the timer failed since the last call: its changes were rolled back.
   */
  commit(): void {
    this.#clearTimer();
    if (this.#open) {
      this.#beforeCommit();
      try {
        this.#commit.run();
      } catch (error) {
        this.#abandon();
        throw error;
      }
      this.#open = false;
      this.#changes = 0;
    }
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
  }

  /** Commits what is open (before closing the database); earlier failures are not reported. */
  finish(): void {
    this.#failure = undefined;
    this.commit();
  }

  #run<T>(change: () => T): T {
    if (!this.#open) {
      this.#begin.run();
      this.#open = true;
    }
    this.#savepoint.run();
    try {
      const result = change();
      this.#release.run();
      this.#changes++;
      return result;
    } catch (error) {
      if (this.#db.isTransaction) {
        this.#rollbackTo.run();
        this.#release.run();
        this.#onRollback();
      } else {
        // SQLite rolled the whole transaction back itself (e.g. the disk is full),
        // with the grouped changes before this one: the next commit() reports it.
        if (this.#changes > 0) this.#failure ??= error;
        this.#abandon();
      }
      throw error;
    }
  }

  #commitOnTimer(): void {
    this.#timer = undefined;
    try {
      this.commit();
    } catch (error) {
      this.#failure ??= error;
    }
  }

  /** Drops the open batch after a failed commit. */
  #abandon(): void {
    this.#open = false;
    this.#changes = 0;
    if (this.#db.isTransaction) this.#rollback.run();
    this.#onRollback();
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
