/** A counting semaphore: bounds how many requests are in flight at once. */
export class Semaphore {
  #available: number;
  readonly #waiters: (() => void)[] = [];

  constructor(permits: number) {
    this.#available = permits;
  }

  /** Resolves once a permit is taken. */
  acquire(): Promise<void> {
    if (this.#available > 0) {
      this.#available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Returns a permit, handing it straight to the oldest waiter if any. */
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#available++;
    else next();
  }
}
