/**
 * The written-but-not-flushed bytes of one file: per chunk, a sorted list of
 * non-overlapping segments. A later write replaces what it overlaps. Memory is
 * the bytes written (plus what trimmed segments still share), which the vfs
 * bounds by flushing.
 *
 * @module
 */

/** A run of dirty bytes at `start` (an offset inside its chunk). */
export interface Segment {
  start: number;
  bytes: Uint8Array;
}

function endOf(segment: Segment): number {
  return segment.start + segment.bytes.length;
}

/** A piece of a segment's bytes; copied when it would pin a much larger buffer. */
function piece(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const length = to - from;
  return length * 2 < bytes.buffer.byteLength ? bytes.slice(from, to) : bytes.subarray(from, to);
}

/** The index of the first segment that ends after `offset` (binary search). */
function firstEndingAfter(segments: Segment[], offset: number): number {
  let low = 0;
  let high = segments.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (endOf(segments[middle]!) > offset) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Copies at least this large that start a chunk or continue the chunk's last
 * segment get a buffer with room up to the chunk's end, so the writes that
 * follow in order are appended in place: a chunk written in order ends up as
 * one segment that a flush stores without assembling a copy.
 */
const ROOM_WRITE_BYTES_MIN = 64 * 1024;

/** The dirty segments of one chunk. */
export class DirtyChunk {
  readonly segments: Segment[] = [];
  /** Bytes held in segments. */
  bytes = 0;
  /**
   * The last segment, when its bytes are the start of `#room`, a buffer no
   * other segment views: the next write at its end is copied in place. Bytes
   * inside a segment's view are never changed, only appended after.
   */
  #growing: Segment | undefined;
  #room: Uint8Array | undefined;

  /**
   * Copies `data` (the caller's; not kept) in at `start`; returns the change in
   * held bytes. `chunkSizeBytes` bounds the room given to an in-order writer.
   */
  copyIn(start: number, data: Uint8Array, chunkSizeBytes: number): number {
    const last = this.segments[this.segments.length - 1];
    const room = this.#room;
    if (last !== undefined && last === this.#growing && room !== undefined) {
      const length = last.bytes.length;
      if (start === endOf(last) && length + data.length <= room.length) {
        room.set(data, length);
        last.bytes = room.subarray(0, length + data.length);
        this.bytes += data.length;
        return data.length;
      }
    }
    // Room only for a segment that will be the chunk's last: one that can grow.
    const inOrder = last === undefined ? start === 0 : start === endOf(last);
    if (!inOrder || data.length < ROOM_WRITE_BYTES_MIN || start + data.length >= chunkSizeBytes) {
      return this.write(start, data.slice());
    }
    const buffer = new Uint8Array(chunkSizeBytes - start);
    buffer.set(data);
    const segmentBytes = buffer.subarray(0, data.length);
    const delta = this.write(start, segmentBytes);
    const added = this.segments[this.segments.length - 1];
    if (added?.bytes === segmentBytes) {
      this.#growing = added;
      this.#room = buffer;
    }
    return delta;
  }

  /** The one segment covering [0, lengthBytes) exactly, if the chunk is just that. */
  whole(lengthBytes: number): Uint8Array | undefined {
    const only = this.segments.length === 1 ? this.segments[0]! : undefined;
    return only?.start === 0 && only.bytes.length === lengthBytes ? only.bytes : undefined;
  }

  /** Puts `data` (already a private copy) at `start`; returns the change in held bytes. */
  write(start: number, data: Uint8Array): number {
    const before = this.bytes;
    const end = start + data.length;
    const segments = this.segments;
    const first = firstEndingAfter(segments, start);
    let last = first;
    const replacement: Segment[] = [];
    while (last < segments.length && segments[last]!.start < end) {
      const old = segments[last]!;
      this.bytes -= old.bytes.length;
      if (old.start < start) {
        replacement.push({ start: old.start, bytes: piece(old.bytes, 0, start - old.start) });
      }
      if (endOf(old) > end) {
        const tail = piece(old.bytes, end - old.start, old.bytes.length);
        replacement.push({ start: end, bytes: tail });
      }
      last++;
    }
    const left = replacement.filter((segment) => segment.start < start);
    const right = replacement.filter((segment) => segment.start >= end);
    segments.splice(first, last - first, ...left, { start, bytes: data }, ...right);
    for (const segment of [...left, ...right]) this.bytes += segment.bytes.length;
    this.bytes += data.length;
    return this.bytes - before;
  }

  /** Drops everything at or past `end`; returns the change in held bytes. */
  truncate(end: number): number {
    const before = this.bytes;
    this.#growing = undefined;
    this.#room = undefined;
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1]!;
      if (endOf(last) <= end) break;
      this.bytes -= last.bytes.length;
      if (last.start >= end) {
        this.segments.pop();
      } else {
        last.bytes = piece(last.bytes, 0, end - last.start);
        this.bytes += last.bytes.length;
      }
    }
    return this.bytes - before;
  }

  /** The end of the last segment (0 when empty). */
  endOffset(): number {
    const last = this.segments[this.segments.length - 1];
    return last === undefined ? 0 : endOf(last);
  }

  /** Whether the segments cover every byte of [from, to). */
  covers(from: number, to: number): boolean {
    let position = from;
    for (const segment of this.segments) {
      if (endOf(segment) <= position) continue;
      if (segment.start > position) return false;
      position = endOf(segment);
      if (position >= to) return true;
    }
    return position >= to;
  }

  /**
   * Copies the dirty bytes within [from, to) into `target`, where `target[0]`
   * is chunk offset `targetStart`.
   */
  copyInto(target: Uint8Array, targetStart: number, from: number, to: number): void {
    for (const segment of this.segments) {
      const start = Math.max(segment.start, from);
      const end = Math.min(endOf(segment), to);
      if (start >= end) continue;
      target.set(
        segment.bytes.subarray(start - segment.start, end - segment.start),
        start - targetStart,
      );
    }
  }
}

/** The dirty chunks of one file. */
export class DirtyFile {
  readonly chunks = new Map<number, DirtyChunk>();
  bytes = 0;

  constructor(readonly chunkSizeBytes: number) {}

  /** Copies `data` (the caller's; not kept) in at file offset `offset`; returns the change in held bytes. */
  write(offset: number, data: Uint8Array): number {
    const size = this.chunkSizeBytes;
    let delta = 0;
    let done = 0;
    while (done < data.length) {
      const position = offset + done;
      const index = Math.floor(position / size);
      const inChunk = position - index * size;
      const length = Math.min(size - inChunk, data.length - done);
      let chunk = this.chunks.get(index);
      if (chunk === undefined) {
        chunk = new DirtyChunk();
        this.chunks.set(index, chunk);
      }
      delta += chunk.copyIn(inChunk, data.subarray(done, done + length), size);
      done += length;
    }
    this.bytes += delta;
    return delta;
  }

  /** Drops every dirty byte at or past file offset `sizeBytes`; returns the change. */
  truncate(sizeBytes: number): number {
    let delta = 0;
    for (const [index, chunk] of this.chunks) {
      const chunkStart = index * this.chunkSizeBytes;
      if (chunkStart >= sizeBytes) {
        delta -= chunk.bytes;
        this.chunks.delete(index);
      } else if (chunkStart + this.chunkSizeBytes > sizeBytes) {
        delta += chunk.truncate(sizeBytes - chunkStart);
        if (chunk.segments.length === 0) this.chunks.delete(index);
      }
    }
    this.bytes += delta;
    return delta;
  }

  isEmpty(): boolean {
    return this.chunks.size === 0;
  }
}
