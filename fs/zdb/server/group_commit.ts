/**
 * Group commit for sync "always": replies to writes wait for an fdatasync
 * that started after the write was appended. One fsync covers every log
 * written meanwhile, by every client, so throughput does not fall to one
 * write per disk flush. Under sync "interval" writes are acknowledged at once
 * and the logs are flushed every `intervalMs`.
 */
import type { SegmentLog } from "./segment_log.ts";

export type SyncPolicy = "always" | "interval";

export class GroupCommit {
  readonly policy: SyncPolicy;
  #listLogs: () => Iterable<SegmentLog>;
  #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #running = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(policy: SyncPolicy, intervalMs: number, listLogs: () => Iterable<SegmentLog>) {
    this.policy = policy;
    this.#listLogs = listLogs;
    if (policy === "interval") {
      this.#timer = setInterval(() => void this.#flushAll().catch(() => {}), intervalMs);
    }
  }

  /** Resolves once everything marked dirty before this call is on disk (immediately under "interval"). */
  durable(): Promise<void> {
    if (this.policy === "interval") return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    if (!this.#running) void this.#run();
    return promise;
  }

  /** Flushes everything now; used at close. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    while (this.#running) await this.durable();
    await this.#flushAll();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting;
        this.#waiting = [];
        try {
          await this.#flushAll();
          for (const waiter of batch) waiter.resolve();
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #flushAll(): Promise<void> {
    const logs = [...this.#listLogs()].filter((log) => log.dirty);
    const results = await Promise.allSettled(logs.map((log) => log.sync()));
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }
}
