/**
 * An incremental RESP decoder with a bounded buffer. Pure: bytes go in through
 * {@link RespReader.writable}/{@link RespReader.commit} (read a socket straight
 * into it) or {@link RespReader.push}; commands or replies come out.
 *
 * A message is parsed again from its first byte each time more bytes arrive;
 * bulk bodies are skipped by their announced length, never scanned, so a large
 * value arriving in many reads costs a few header parses, not a rescan.
 */

import { DIRECT_BULK_BYTES_MIN, DirectBulk } from "./direct_bulk.ts";

/** A malformed or oversized message. The message is the text to reply with. */
export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RespProtocolError";
  }
}

/** An error reply (`-...`) from the server. */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

export type RespValue =
  | string
  | number
  | Uint8Array
  | null
  | RespErrorReply
  | RespValue[];

export interface RespReaderOptions {
  /** Largest bulk string accepted. @default 8 MiB (0-db's REDIS_MAX_PAYLOAD) */
  maxBulkBytes?: number;
  /** Largest buffered message; also bounds memory per connection. @default maxBulkBytes + 1 MiB */
  maxBufferBytes?: number;
  /** Most elements in one array. @default 1024 (0-db's limit on arguments) */
  maxArrayLength?: number;
}

const CR = 13;
const LF = 10;
const HEADER_LINE_MAX_BYTES = 32;
const NESTING_DEPTH_MAX = 8;
/** Returned by a parse step when more bytes are needed. */
const INCOMPLETE = -1;
export class RespReader {
  readonly maxBulkBytes: number;
  readonly maxBufferBytes: number;
  readonly maxArrayLength: number;
  #buffer: Uint8Array;
  #start = 0;
  #end = 0;
  #lineValue = 0;
  #lineEnd = 0;
  #direct: DirectBulk | null = null;

  constructor(options: RespReaderOptions = {}) {
    this.maxBulkBytes = options.maxBulkBytes ?? 8 * 1024 * 1024;
    this.maxBufferBytes = options.maxBufferBytes ?? this.maxBulkBytes + 1024 * 1024;
    this.maxArrayLength = options.maxArrayLength ?? 1024;
    this.#buffer = new Uint8Array(64 * 1024);
  }

  /** Bytes received but not yet consumed by a complete message. */
  get bufferedBytes(): number {
    return this.#end - this.#start + (this.#direct?.filledBytes ?? 0);
  }

  /**
   * Returns free space to read into: at the end of the buffer (at least `minBytes`), or the
   * rest of a large bulk reply being received into its own array (then maybe fewer).
   */
  writable(minBytes = 16 * 1024): Uint8Array {
    if (this.#direct !== null && !this.#direct.whole) return this.#direct.rest();
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#buffer.length - this.#end >= minBytes) return this.#buffer.subarray(this.#end);
    this.#compact();
    if (this.#buffer.length - this.#end < minBytes) this.#grow(this.#end + minBytes);
    return this.#buffer.subarray(this.#end);
  }

  /** Marks `count` bytes written into the last {@link writable} view as received. */
  commit(count: number): void {
    if (this.#direct !== null && !this.#direct.whole) this.#direct.commit(count);
    else this.#end += count;
  }

  push(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      const into = this.writable(bytes.length - at);
      const count = Math.min(into.length, bytes.length - at);
      into.set(bytes.subarray(at, at + count));
      this.commit(count);
      at += count;
    }
  }

  /** Drops a large buffer once it is empty, so idle connections stay small. */
  shrink(maxIdleCapacityBytes: number): void {
    if (this.#start === this.#end && this.#buffer.length > maxIdleCapacityBytes) {
      this.#buffer = new Uint8Array(maxIdleCapacityBytes);
      this.#start = this.#end = 0;
    }
  }

  /**
   * Parses one command (an array of bulk strings). Returns undefined when more
   * bytes are needed. The arguments are views into the buffer, valid until the
   * next call to {@link writable} or {@link push}.
   */
  readCommand(): Uint8Array[] | undefined {
    const buffer = this.#buffer;
    let at = this.#start;
    if (at >= this.#end) return undefined;
    if (buffer[at] !== 0x2a) throw new RespProtocolError("Malformed request, array expected");
    if (this.#readLine(at + 1) === INCOMPLETE) return this.#incomplete();
    const argc = this.#lineValue;
    if (argc <= 0) throw new RespProtocolError("Missing arguments");
    if (argc > this.maxArrayLength) throw new RespProtocolError("Too many arguments");
    at = this.#lineEnd;
    const args: Uint8Array[] = new Array(argc);
    for (let i = 0; i < argc; i++) {
      if (at >= this.#end) return this.#incomplete();
      if (buffer[at] !== 0x24) throw new RespProtocolError("Malformed query string");
      if (this.#readLine(at + 1) === INCOMPLETE) return this.#incomplete();
      const length = this.#lineValue;
      if (length > this.maxBulkBytes) throw new RespProtocolError("Payload too big");
      if (length < 0) throw new RespProtocolError("Malformed query string");
      const bodyStart = this.#lineEnd;
      if (bodyStart + length + 2 > this.#end) return this.#incomplete(bodyStart + length + 2 - at);
      if (buffer[bodyStart + length] !== CR || buffer[bodyStart + length + 1] !== LF) {
        throw new RespProtocolError("Malformed query string");
      }
      args[i] = buffer.subarray(bodyStart, bodyStart + length);
      at = bodyStart + length + 2;
    }
    this.#start = at;
    return args;
  }

  /**
   * Parses one reply. Returns undefined when more bytes are needed. Bulk
   * strings are copied out, so replies stay valid after later reads.
   */
  readReply(): RespValue | undefined {
    if (this.#direct !== null) return this.#finishDirect();
    if (this.#start >= this.#end) return undefined;
    if (this.#startDirect()) return undefined;
    const parsed = this.#parseValue(this.#start, 0);
    if (parsed === undefined) return this.#incomplete();
    this.#start = parsed.next;
    return parsed.value;
  }

  /** Moves a large bulk reply that is not yet whole into an array of its own; true if so. */
  #startDirect(): boolean {
    const at = this.#start;
    if (this.#buffer[at] !== 0x24 || this.#readLine(at + 1) === INCOMPLETE) return false;
    const length = this.#lineValue;
    const bodyStart = this.#lineEnd;
    if (length < DIRECT_BULK_BYTES_MIN || bodyStart + length + 2 <= this.#end) return false;
    if (length > this.maxBulkBytes) throw new RespProtocolError("Payload too big");
    this.#direct = new DirectBulk(length, this.#buffer.subarray(bodyStart, this.#end));
    this.#start = this.#end = 0;
    return true;
  }

  /** The large bulk reply once it is whole (a view of its own array), else undefined. */
  #finishDirect(): Uint8Array | undefined {
    if (!this.#direct!.whole) return undefined;
    const body = this.#direct!.body();
    this.#direct = null;
    if (body === null) {
      throw new RespProtocolError("Malformed reply: bulk string not ended by CR LF");
    }
    return body;
  }

  #parseValue(at: number, depth: number): { value: RespValue; next: number } | undefined {
    if (at >= this.#end) return undefined;
    const type = this.#buffer[at];
    if (type === 0x2b || type === 0x2d) return this.#parseText(at, type === 0x2d);
    if (this.#readLine(at + 1) === INCOMPLETE) return undefined;
    const value = this.#lineValue;
    const next = this.#lineEnd;
    if (type === 0x3a) return { value, next };
    if (type === 0x24) return this.#parseBulk(next, value);
    if (type === 0x2a) return this.#parseArray(next, value, depth);
    throw new RespProtocolError(`Malformed reply: unexpected type byte ${type}`);
  }

  #parseText(at: number, isError: boolean): { value: RespValue; next: number } | undefined {
    const newline = this.#buffer.subarray(at, this.#end).indexOf(LF);
    if (newline < 0) {
      if (this.#end - at > this.maxBufferBytes) throw new RespProtocolError("Reply line too long");
      return undefined;
    }
    const lineEnd = at + newline;
    const text = new TextDecoder().decode(this.#buffer.subarray(at + 1, lineEnd - 1));
    return { value: isError ? new RespErrorReply(text) : text, next: lineEnd + 1 };
  }

  #parseBulk(at: number, length: number): { value: RespValue; next: number } | undefined {
    if (length === -1) return { value: null, next: at };
    if (length < -1) throw new RespProtocolError("Malformed reply: bad bulk length");
    if (length > this.maxBulkBytes) throw new RespProtocolError("Payload too big");
    if (at + length + 2 > this.#end) {
      this.#ensureCapacity(at + length + 2 - this.#start);
      return undefined;
    }
    return { value: this.#buffer.slice(at, at + length), next: at + length + 2 };
  }

  #parseArray(
    at: number,
    count: number,
    depth: number,
  ): { value: RespValue; next: number } | undefined {
    if (count === -1) return { value: null, next: at };
    if (count < -1 || count > this.maxArrayLength) {
      throw new RespProtocolError("Malformed reply: bad array length");
    }
    if (depth >= NESTING_DEPTH_MAX) throw new RespProtocolError("Malformed reply: nested too deep");
    const items: RespValue[] = new Array(count);
    let next = at;
    for (let i = 0; i < count; i++) {
      const item = this.#parseValue(next, depth + 1);
      if (item === undefined) return undefined;
      items[i] = item.value;
      next = item.next;
    }
    return { value: items, next };
  }

  /** Reads a decimal integer line starting at `at`; sets #lineValue and #lineEnd. */
  #readLine(at: number): number {
    const buffer = this.#buffer;
    const limit = Math.min(this.#end, at + HEADER_LINE_MAX_BYTES);
    let negative = false;
    let value = 0;
    let i = at;
    if (i < limit && buffer[i] === 0x2d) {
      negative = true;
      i++;
    }
    const digitsStart = i;
    for (; i < limit; i++) {
      const byte = buffer[i]!;
      if (byte >= 0x30 && byte <= 0x39) value = value * 10 + (byte - 0x30);
      else break;
    }
    if (i >= limit) {
      if (limit < at + HEADER_LINE_MAX_BYTES) return INCOMPLETE;
      throw new RespProtocolError("Malformed request, header line too long");
    }
    if (i === digitsStart || buffer[i] !== CR) throw new RespProtocolError("Malformed length");
    if (i + 1 >= this.#end) return INCOMPLETE;
    if (buffer[i + 1] !== LF) throw new RespProtocolError("Malformed length");
    this.#lineValue = negative ? -value : value;
    this.#lineEnd = i + 2;
    return 0;
  }

  #incomplete(messageBytesNeeded = 0): undefined {
    if (this.#end - this.#start > this.maxBufferBytes) {
      throw new RespProtocolError("Payload too big");
    }
    if (messageBytesNeeded > 0) this.#ensureCapacity(messageBytesNeeded);
    return undefined;
  }

  /** Makes room for a message of `messageBytes` so it arrives without regrowing. */
  #ensureCapacity(messageBytes: number): void {
    if (messageBytes > this.maxBufferBytes) throw new RespProtocolError("Payload too big");
    if (this.#buffer.length - this.#start >= messageBytes) return;
    this.#compact();
    if (this.#buffer.length < messageBytes) this.#grow(messageBytes);
  }

  #compact(): void {
    if (this.#start === 0) return;
    this.#buffer.copyWithin(0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
  }

  #grow(capacityBytes: number): void {
    let capacity = this.#buffer.length;
    while (capacity < capacityBytes) capacity *= 2;
    capacity = Math.min(capacity, Math.max(capacityBytes, this.maxBufferBytes + 64 * 1024));
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(this.#start, this.#end));
    this.#end -= this.#start;
    this.#start = 0;
    this.#buffer = grown;
  }
}
