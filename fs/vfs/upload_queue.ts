/**
 * {@link UploadQueue}: the dirty chunks of the write-back cache on their way to
 * the storage nodes. First in, first out, a bounded number at once; a failed
 * upload is retried after a delay that doubles up to a limit (a node that is
 * down for a while costs one attempt per period, not a busy loop); `drain`
 * lets fsync wait for exactly the chunks written before it.
 *
 * @module
 */
import type { Logger } from "../../lib/log.ts";

export interface UploadQueueOptions {
  inFlightMax: number;
  /** Delay before the first retry; doubled per failure up to {@link RETRY_DELAY_MS_MAX}. */
  retryDelayMs: number;
  /** Uploads one chunk; "cancelled" when it was cancelled while uploading. */
  upload(ref: string): Promise<"done" | "cancelled">;
  /** Called after each failed attempt. */
  onFailure?: () => void;
  logger?: Logger;
}

const RETRY_DELAY_MS_MAX = 30_000;

interface Listener {
  resolve(): void;
  reject(error: unknown): void;
}

interface UploadState {
  uploading: boolean;
  cancelled: boolean;
  failures: number;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  listeners: Listener[];
}

export class UploadQueue {
  readonly #options: UploadQueueOptions;
  readonly #states = new Map<string, UploadState>();
  #ready: string[] = [];
  #active = new Set<Promise<void>>();
  #closed = false;

  constructor(options: UploadQueueOptions) {
    this.#options = options;
  }

  /** Chunks waiting for or in upload. */
  get size(): number {
    return this.#states.size;
  }

  has(ref: string): boolean {
    return this.#states.has(ref);
  }

  isCancelled(ref: string): boolean {
    return this.#states.get(ref)?.cancelled ?? false;
  }

  add(ref: string): void {
    this.#states.set(ref, {
      uploading: false,
      cancelled: false,
      failures: 0,
      retryTimer: undefined,
      listeners: [],
    });
    this.#ready.push(ref);
    this.#pump();
  }

  /** The chunk is no longer wanted: dropped now, or when its running upload ends. */
  cancel(ref: string): void {
    const state = this.#states.get(ref);
    if (state === undefined) return;
    state.cancelled = true;
    if (state.uploading) return;
    clearTimeout(state.retryTimer);
    this.#ready = this.#ready.filter((queued) => queued !== ref);
    this.#finish(ref, state);
  }

  /**
   * Resolves once every chunk queued now is uploaded (or cancelled); rejects as soon as one
   * of them fails an attempt (it stays queued and is retried). Chunks waiting out a retry
   * delay are tried again at once.
   */
  drain(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const [ref, state] of this.#states) {
      if (state.cancelled) continue;
      waits.push(new Promise((resolve, reject) => state.listeners.push({ resolve, reject })));
      if (state.retryTimer !== undefined) {
        clearTimeout(state.retryTimer);
        state.retryTimer = undefined;
        this.#ready.push(ref);
      }
    }
    this.#pump();
    return Promise.all(waits).then(() => {});
  }

  /** Stops starting uploads and waits for the running ones. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const state of this.#states.values()) clearTimeout(state.retryTimer);
    await Promise.allSettled([...this.#active]);
  }

  #pump(): void {
    while (!this.#closed && this.#active.size < this.#options.inFlightMax) {
      const ref = this.#ready.shift();
      if (ref === undefined) return;
      const state = this.#states.get(ref);
      if (state === undefined || state.uploading) continue;
      const running = this.#run(ref, state);
      this.#active.add(running);
      running.finally(() => {
        this.#active.delete(running);
        this.#pump();
      });
    }
  }

  async #run(ref: string, state: UploadState): Promise<void> {
    state.uploading = true;
    try {
      await this.#options.upload(ref);
      state.uploading = false;
      this.#finish(ref, state);
    } catch (error) {
      state.uploading = false;
      if (state.cancelled) {
        this.#finish(ref, state);
        return;
      }
      this.#fail(ref, state, error);
    }
  }

  #finish(ref: string, state: UploadState): void {
    this.#states.delete(ref);
    for (const listener of state.listeners) listener.resolve();
  }

  #fail(ref: string, state: UploadState, error: unknown): void {
    state.failures++;
    this.#options.onFailure?.();
    const listeners = state.listeners;
    state.listeners = [];
    for (const listener of listeners) listener.reject(error);
    const delayMs = Math.min(
      RETRY_DELAY_MS_MAX,
      this.#options.retryDelayMs * 2 ** (state.failures - 1),
    );
    this.#options.logger?.warn("chunk upload failed; will retry", {
      chunk: ref,
      failures: state.failures,
      retryInMs: delayMs,
      error: error instanceof Error ? error.message : String(error),
    });
    if (this.#closed) return;
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      this.#ready.push(ref);
      this.#pump();
    }, delayMs);
  }
}
