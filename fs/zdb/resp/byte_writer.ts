/**
 * A growable byte buffer that RESP encoders write into.
 *
 * Replies and commands are assembled in one buffer so a pipelined batch goes
 * out in one socket write, and a large value can be read from disk straight
 * into its place (see {@link ByteWriter.reserve}) instead of being copied twice.
 */
const encoder = new TextEncoder();

export class ByteWriter {
  #buffer: Uint8Array;
  #length = 0;

  constructor(initialCapacityBytes = 64 * 1024) {
    this.#buffer = new Uint8Array(initialCapacityBytes);
  }

  get length(): number {
    return this.#length;
  }

  /** The bytes written so far (a view, valid until the next write or reset). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  reset(): void {
    this.#length = 0;
  }

  /** Drops everything written after `length` (undoes a partly written reply). */
  truncate(length: number): void {
    if (length < this.#length) this.#length = length;
  }

  /** Drops the buffer when it grew large for one big reply, so idle clients stay small. */
  shrink(maxIdleCapacityBytes: number): void {
    if (this.#length === 0 && this.#buffer.length > maxIdleCapacityBytes) {
      this.#buffer = new Uint8Array(maxIdleCapacityBytes);
    }
  }

  writeBytes(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Writes a string made of ASCII characters only (RESP headers, numbers, status texts). */
  writeAscii(text: string): void {
    this.#ensure(text.length);
    const buffer = this.#buffer;
    let at = this.#length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.#length = at;
  }

  /** Writes any string as UTF-8. */
  writeUtf8(text: string): void {
    this.#ensure(text.length * 3);
    const { written } = encoder.encodeInto(text, this.#buffer.subarray(this.#length));
    this.#length += written;
  }

  /** Reserves `count` bytes and returns them for the caller to fill in place. */
  reserve(count: number): Uint8Array {
    this.#ensure(count);
    const view = this.#buffer.subarray(this.#length, this.#length + count);
    this.#length += count;
    return view;
  }

  #ensure(extraBytes: number): void {
    const needed = this.#length + extraBytes;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}
