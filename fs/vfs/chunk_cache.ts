/**
 * A least-recently-used cache of clean chunks in memory, keyed by chunk ref.
 * Refs are never reused, so an entry never goes stale; it only ages out. The
 * kernel reads 128 KiB at a time, so without it every read of a 4 MiB chunk
 * would fetch the whole chunk again.
 *
 * @module
 */

export class ChunkCache {
  readonly #entries = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(readonly capacityBytes: number) {}

  get(ref: string): Uint8Array | undefined {
    const bytes = this.#entries.get(ref);
    if (bytes !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recent entry.
      this.#entries.delete(ref);
      this.#entries.set(ref, bytes);
    }
    return bytes;
  }

  set(ref: string, bytes: Uint8Array): void {
    if (bytes.length > this.capacityBytes) return;
    this.delete(ref);
    this.#entries.set(ref, bytes);
    this.#bytes += bytes.length;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.capacityBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.length;
    }
  }

  delete(ref: string): void {
    const bytes = this.#entries.get(ref);
    if (bytes === undefined) return;
    this.#entries.delete(ref);
    this.#bytes -= bytes.length;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
