/**
 * {@link ShardBuffers}: the memory a chunk's shards are encoded into, reused
 * from one put to the next. A put of a 4 MiB chunk makes ~6 MiB of shards;
 * fresh buffers for each (eight puts at once) left the garbage collector
 * behind, and the mount's resident memory past its 512 MiB budget. A buffer
 * comes back only from a put whose every shard write was answered, so no
 * socket write can still be reading it.
 *
 * @module
 */

/** Idle buffers kept; more are simply dropped for the garbage collector. */
const IDLE_BUFFERS_MAX = 4;

export class ShardBuffers {
  #idle: Uint8Array[] = [];

  /** A buffer of at least `bytes` bytes (contents unspecified). */
  take(bytes: number): Uint8Array {
    const index = this.#idle.findIndex((buffer) => buffer.length >= bytes);
    if (index >= 0) return this.#idle.splice(index, 1)[0]!;
    // Rounded up to 1 MiB so chunks of slightly different sizes share buffers.
    return new Uint8Array(Math.ceil(bytes / 2 ** 20) * 2 ** 20);
  }

  give(buffer: Uint8Array): void {
    if (this.#idle.length < IDLE_BUFFERS_MAX) this.#idle.push(buffer);
  }
}
