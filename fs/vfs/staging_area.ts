/**
 * {@link StagingArea}: chunks waiting for their upload, held in memory. While
 * the nodes take uploads, a writer waits here for room rather than writing the
 * chunk to the local disk first: on our machines the disk is shared with the
 * local storage nodes, and writing every chunk twice to it (cache, then the
 * nodes' shards) made the disk, not the CPU, the limit of a large write. When
 * uploads fail, the write-back backend spills to the disk cache instead, so
 * writers go on while nodes are down.
 *
 * What is staged and not yet uploaded is lost with the process, like the
 * vfs's own write buffer: fsync waits for the upload, so nothing fsynced is.
 *
 * @module
 */

export class StagingArea {
  readonly capacityBytes: number;
  readonly #chunks = new Map<string, Uint8Array>();
  #bytes = 0;
  #waiters: (() => void)[] = [];

  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
  }

  get(ref: string): Uint8Array | undefined {
    return this.#chunks.get(ref);
  }

  /** True when `lengthBytes` more fit (one chunk always fits an empty area). */
  fits(lengthBytes: number): boolean {
    return this.#bytes === 0 || this.#bytes + lengthBytes <= this.capacityBytes;
  }

  add(ref: string, bytes: Uint8Array): void {
    this.#chunks.set(ref, bytes);
    this.#bytes += bytes.length;
  }

  remove(ref: string): void {
    const bytes = this.#chunks.get(ref);
    if (bytes === undefined) return;
    this.#chunks.delete(ref);
    this.#bytes -= bytes.length;
    this.wake();
  }

  /** Waits until `lengthBytes` fit or `stopWaiting()` says to stop; returns whether they fit. */
  async waitForRoom(lengthBytes: number, stopWaiting: () => boolean): Promise<boolean> {
    while (!this.fits(lengthBytes) && !stopWaiting()) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.fits(lengthBytes);
  }

  /** Wakes the waiting writers to look again (room was freed, or uploads began to fail). */
  wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Everything staged, for a spill to disk. */
  entries(): [string, Uint8Array][] {
    return [...this.#chunks];
  }
}
