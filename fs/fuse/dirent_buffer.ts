/**
 * Directory listings for READDIR and READDIRPLUS replies. The buffers refuse
 * an entry that does not fit the kernel's buffer, so a filesystem never takes
 * a lookup reference for an entry the kernel never saw. Pure.
 *
 * @module
 */

import * as abi from "./abi.ts";
import { writeEntry, writeU64 } from "./encode.ts";
import { encodeName } from "./names.ts";
import type { DirEntry, Entry } from "./types.ts";

/** Appends directory records to a fixed-size buffer; shared by both listing kinds. */
class RecordWriter {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  length = 0;

  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(capacityBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Writes the fuse_dirent part of a record that starts with `prefixBytes`; false if full. */
  append(entry: DirEntry, prefixBytes: number): boolean {
    const start = this.length;
    const direntAt = start + prefixBytes;
    const nameAt = direntAt + abi.Dirent.name;
    if (nameAt > this.bytes.length) return false;
    const name = encodeName(entry.name);
    const recordBytes = align8(prefixBytes + abi.Dirent.sizeBytes + name.length);
    if (start + recordBytes > this.bytes.length) return false;
    this.bytes.set(name, nameAt);
    this.bytes.fill(0, nameAt + name.length, start + recordBytes);
    writeU64(this.view, direntAt + abi.Dirent.ino, entry.ino);
    writeU64(this.view, direntAt + abi.Dirent.off, entry.offset);
    this.view.setUint32(direntAt + abi.Dirent.namelen, name.length, true);
    this.view.setUint32(direntAt + abi.Dirent.type, entry.type, true);
    this.length = start + recordBytes;
    return true;
  }
}

/**
 * A READDIR reply under construction: fuse_dirent records, each padded to 8
 * bytes, never more than the kernel's buffer size.
 */
export class DirentBuffer {
  readonly #records: RecordWriter;

  constructor(capacityBytes: number) {
    this.#records = new RecordWriter(capacityBytes);
  }

  /** Appends an entry; false (and nothing written) if it does not fit. */
  add(entry: DirEntry): boolean {
    return this.#records.append(entry, 0);
  }

  /** The encoded records (a view). */
  bytes(): Uint8Array {
    return this.#records.bytes.subarray(0, this.#records.length);
  }
}

/**
 * A READDIRPLUS reply under construction: fuse_direntplus records.
 *
 * The kernel takes one lookup reference for each added entry whose `found`
 * has a nonzero nodeId, except "." and ".." (see {@link takesLookup}); the
 * filesystem counts one when `add` returns true, and none when it returns false.
 */
export class DirentPlusBuffer {
  readonly #records: RecordWriter;

  constructor(capacityBytes: number) {
    this.#records = new RecordWriter(capacityBytes);
  }

  /** Appends an entry with its attributes (null: none, the kernel will LOOKUP it); false if full. */
  add(entry: DirEntry, found: Entry | null): boolean {
    const records = this.#records;
    const start = records.length;
    if (!records.append(entry, abi.Direntplus.dirent)) return false;
    if (found === null) records.bytes.fill(0, start, start + abi.Direntplus.dirent);
    else writeEntry(records.view, start + abi.Direntplus.entryOut, found);
    return true;
  }

  /** The encoded records (a view). */
  bytes(): Uint8Array {
    return this.#records.bytes.subarray(0, this.#records.length);
  }
}

/** Whether the kernel takes a lookup reference for a READDIRPLUS entry. */
export function takesLookup(name: string, found: Entry | null): boolean {
  return found !== null && found.nodeId !== 0 && name !== "." && name !== "..";
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
