/**
 * {@link DirectBulk}: a bulk string reply received straight into an array of its own. A reply
 * that is one bulk string of at least {@link DIRECT_BULK_BYTES_MIN}, not yet whole, goes there:
 * no copy out of the reader's buffer at the end, no compaction of a part of it on the way (a
 * chunk read from the nodes is mostly 1 MiB shards: one copy of each fewer per cold read).
 *
 * @module
 */

export const DIRECT_BULK_BYTES_MIN = 64 * 1024;

const CR = 13;
const LF = 10;

export class DirectBulk {
  /** The body and its CR LF. */
  readonly #bytes: Uint8Array;
  #filled: number;

  /** A bulk of `lengthBytes`, of which `received` (the start of its body) has arrived. */
  constructor(lengthBytes: number, received: Uint8Array) {
    this.#bytes = new Uint8Array(lengthBytes + 2);
    this.#bytes.set(received);
    this.#filled = received.length;
  }

  get filledBytes(): number {
    return this.#filled;
  }

  get whole(): boolean {
    return this.#filled === this.#bytes.length;
  }

  /** Where the next read goes: exactly the rest, so a read never takes the next reply's bytes. */
  rest(): Uint8Array {
    return this.#bytes.subarray(this.#filled);
  }

  commit(count: number): void {
    this.#filled += count;
  }

  /** The body (a view of its own array), or null when it is not ended by CR LF. */
  body(): Uint8Array | null {
    const end = this.#bytes.length - 2;
    return this.#bytes[end] === CR && this.#bytes[end + 1] === LF
      ? this.#bytes.subarray(0, end)
      : null;
  }
}
