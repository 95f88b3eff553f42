/** Bounds how many operations run at once (shard transfers), so memory stays bounded. */
export class Semaphore {
  #available: number;
  #waiting: (() => void)[] = [];

  constructor(permits: number) {
    if (!(permits >= 1)) throw new RangeError(`Cannot create semaphore: ${permits} permits`);
    this.#available = permits;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#available > 0) this.#available--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#available++;
    }
  }
}
