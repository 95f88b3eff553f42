/**
 * Replaying a segment file at open: walks its entries in order, checking
 * each header by its own CRC and, in the newest segment, each value too, and
 * says where and why the walk stopped early (segment_log.ts decides what to
 * do about it).
 */
import {
  checkSegmentHeader,
  checksum,
  decodeEntryHeader,
  ENTRY_HEADER_BYTES,
  EntryKind,
  KEY_MAX_BYTES,
  SEGMENT_HEADER_BYTES,
} from "./entry_format.ts";
import { readFully } from "../../positional_file.ts";

const REPLAY_WINDOW_BYTES = 4 * 1024 * 1024;

/** Where an entry's value lives. */
export interface LogLocation {
  segmentId: number;
  valueOffset: number;
  valueLength: number;
  valueCrc: number;
  timestampSec: number;
}

export interface ReplayedEntry {
  kind: EntryKind;
  key: Uint8Array;
  location: LogLocation;
}

/**
 * Walks a segment's entries. Headers are checked by their own CRC; values
 * are checked too in the newest segment, where a crash can leave a torn
 * tail. Returns where the walk stopped and why, if it stopped early.
 */
export function replayEntries(
  file: Deno.FsFile,
  segmentId: number,
  size: number,
  checkValues: boolean,
  onEntry: (e: ReplayedEntry) => void,
): { offset: number; reason?: string } {
  const segmentHeader = new Uint8Array(SEGMENT_HEADER_BYTES);
  readFully(file, 0, segmentHeader);
  const headerCheck = checkSegmentHeader(segmentHeader);
  if (!headerCheck.ok) return { offset: 0, reason: headerCheck.reason };
  if (headerCheck.segmentId !== segmentId) return { offset: 0, reason: "segment id mismatch" };
  const window = new ReplayWindow(file, size);
  let offset = SEGMENT_HEADER_BYTES;
  while (offset < size) {
    const headBytes = window.view(
      offset,
      Math.min(ENTRY_HEADER_BYTES + KEY_MAX_BYTES, size - offset),
    );
    const header = decodeEntryHeader(headBytes);
    if (header === undefined) return { offset, reason: "bad entry header" };
    const valueOffset = offset + ENTRY_HEADER_BYTES + header.keyLength;
    const entryEnd = valueOffset + header.valueLength;
    if (entryEnd > size) return { offset, reason: "entry runs past the end of the file" };
    // Copy the key first: viewing the value may refill the window under headBytes.
    const key = headBytes.slice(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + header.keyLength);
    if (checkValues && checksum(window.view(valueOffset, header.valueLength)) !== header.valueCrc) {
      return { offset, reason: "value checksum mismatch" };
    }
    const location = {
      segmentId,
      valueOffset,
      valueLength: header.valueLength,
      valueCrc: header.valueCrc,
      timestampSec: header.timestampSec,
    };
    onEntry({ kind: header.kind, key, location });
    offset = entryEnd;
  }
  return { offset };
}

/** Buffered positional reads over a file, for the sequential replay walk. */
class ReplayWindow {
  #file: Deno.FsFile;
  #size: number;
  #buffer = new Uint8Array(REPLAY_WINDOW_BYTES);
  #start = 0;
  #length = 0;

  constructor(file: Deno.FsFile, size: number) {
    this.#file = file;
    this.#size = size;
  }

  view(offset: number, length: number): Uint8Array {
    if (offset >= this.#start && offset + length <= this.#start + this.#length) {
      return this.#buffer.subarray(offset - this.#start, offset - this.#start + length);
    }
    if (length > this.#buffer.length) this.#buffer = new Uint8Array(length);
    const want = Math.min(this.#buffer.length, this.#size - offset);
    this.#length = readFully(this.#file, offset, this.#buffer.subarray(0, want));
    this.#start = offset;
    return this.#buffer.subarray(0, Math.min(length, this.#length));
  }
}
