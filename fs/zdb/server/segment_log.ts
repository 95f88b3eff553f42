/**
 * The append-only log of one namespace: numbered segment files of entries
 * (fs/zdb/FORMAT.md). Writes append to the newest segment; reads go to any
 * segment through cached read handles; opening replays every entry so the
 * caller can rebuild its index, and cuts off a torn tail of the newest one.
 *
 * All file calls are synchronous on purpose: the server is single-threaded
 * like 0-db, and a synchronous append keeps the log order equal to the order
 * in which commands were received. Only fsync runs asynchronously (see
 * group_commit.ts), so other clients are served while the disk flushes.
 */
import { join } from "node:path";
import type { Logger } from "../../../lib/log.ts";
import {
  checksum,
  encodeEntryHeader,
  encodeSegmentHeader,
  ENTRY_HEADER_BYTES,
  type EntryHeader,
  EntryKind,
  KEY_MAX_BYTES,
  SEGMENT_HEADER_BYTES,
} from "./entry_format.ts";
import { fsyncDirectory, writeFully } from "./file_io.ts";
import { PositionalFile, readFully } from "../../positional_file.ts";
import { type LogLocation, type ReplayedEntry, replayEntries } from "./segment_replay.ts";

export type { LogLocation, ReplayedEntry } from "./segment_replay.ts";

export interface SegmentLogOptions {
  /** A new segment starts when the next entry would pass this size. @default 256 MiB */
  segmentMaxBytes?: number;
  logger: Logger;
}

export interface SegmentLogStats {
  diskBytes: number;
  dataFaults: number;
  ioErrors: number;
  lastIoErrorSec: number;
}

const SEGMENT_NAME = /^seg-(\d{8})\.qzdb$/;
const READ_HANDLES_MAX = 32;
/** Values at least this large are written with a second write instead of being copied. */
const SEPARATE_VALUE_WRITE_MIN_BYTES = 64 * 1024;

function segmentName(segmentId: number): string {
  return `seg-${String(segmentId).padStart(8, "0")}.qzdb`;
}

export class SegmentLog {
  readonly dir: string;
  readonly stats: SegmentLogStats = { diskBytes: 0, dataFaults: 0, ioErrors: 0, lastIoErrorSec: 0 };
  #segmentMaxBytes: number;
  #logger: Logger;
  #activeId = 0;
  #activeFile: Deno.FsFile | undefined;
  #activeOffset = 0;
  #dirty = false;
  #readHandles = new Map<number, PositionalFile>();
  #sealedSizes = new Map<number, number>();

  private constructor(dir: string, options: SegmentLogOptions) {
    this.dir = dir;
    this.#segmentMaxBytes = options.segmentMaxBytes ?? 256 * 1024 * 1024;
    this.#logger = options.logger;
  }

  /** Opens (creating if needed) the log in `dir`, replaying every entry in order. */
  static open(
    dir: string,
    options: SegmentLogOptions,
    onEntry: (entry: ReplayedEntry) => void,
  ): SegmentLog {
    const log = new SegmentLog(dir, options);
    const ids = listSegmentIds(dir);
    for (let i = 0; i < ids.length; i++) {
      log.#replaySegment(ids[i]!, i === ids.length - 1, onEntry);
    }
    log.#openActive(ids);
    return log;
  }

  get activeSegmentId(): number {
    return this.#activeId;
  }

  get activeOffset(): number {
    return this.#activeOffset;
  }

  /** True when appends happened since the last {@link sync}. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /**
   * Appends an entry and returns where its value is. On an I/O error the
   * segment is cut back to where it was, so no partial entry stays behind.
   */
  append(kind: EntryKind, key: Uint8Array, value: Uint8Array, timestampSec: number): LogLocation {
    if (key.length > KEY_MAX_BYTES) throw new RangeError("Cannot append entry: key too long");
    const entryBytes = ENTRY_HEADER_BYTES + key.length + value.length;
    if (this.#activeOffset + entryBytes > this.#segmentMaxBytes) this.#rotate();
    const header: EntryHeader = {
      kind,
      keyLength: key.length,
      valueLength: value.length,
      timestampSec,
      valueCrc: checksum(value),
    };
    const entryOffset = this.#activeOffset;
    this.#writeEntry(header, key, value, entryOffset);
    this.#activeOffset = entryOffset + entryBytes;
    this.stats.diskBytes += entryBytes;
    this.#dirty = true;
    return {
      segmentId: this.#activeId,
      valueOffset: entryOffset + ENTRY_HEADER_BYTES + key.length,
      valueLength: value.length,
      valueCrc: header.valueCrc,
      timestampSec,
    };
  }

  /** Reads a value into `into` (its length must be the value length); false if it is corrupt or unreadable. */
  readValue(location: LogLocation, into: Uint8Array): boolean {
    try {
      const file = this.#readHandle(location.segmentId);
      const read = file.readAt(location.valueOffset, into);
      if (read === into.length && checksum(into) === location.valueCrc) return true;
      this.stats.dataFaults++;
      this.#logger.error("zdb value failed its checksum", {
        dir: this.dir,
        segment: location.segmentId,
        offset: location.valueOffset,
      });
      return false;
    } catch (error) {
      this.#recordIoError("read", error);
      return false;
    }
  }

  /** Flushes appended entries to disk (fdatasync). */
  async sync(): Promise<void> {
    if (!this.#dirty || this.#activeFile === undefined) return;
    this.#dirty = false;
    try {
      await this.#activeFile.syncData();
    } catch (error) {
      this.#dirty = true;
      this.#recordIoError("sync", error);
      throw error;
    }
  }

  /** Starts a new segment now (NSJUMP). */
  jump(): void {
    if (this.#activeOffset > SEGMENT_HEADER_BYTES) this.#rotate();
  }

  close(): void {
    this.#activeFile?.close();
    this.#activeFile = undefined;
    for (const handle of this.#readHandles.values()) handle.close();
    this.#readHandles.clear();
  }

  /** Segment ids other than the active one, oldest first (FLUSH removes them). */
  sealedSegmentIds(): number[] {
    return [...this.#sealedSizes.keys()].sort((a, b) => a - b);
  }

  /** Removes sealed segments; used after a flush marker is durable. */
  removeSealedSegments(): void {
    for (const id of this.sealedSegmentIds()) {
      this.#readHandles.get(id)?.close();
      this.#readHandles.delete(id);
      Deno.removeSync(join(this.dir, segmentName(id)));
      this.stats.diskBytes -= this.#sealedSizes.get(id) ?? 0;
      this.#sealedSizes.delete(id);
    }
    fsyncDirectory(this.dir);
  }

  #writeEntry(header: EntryHeader, key: Uint8Array, value: Uint8Array, entryOffset: number): void {
    const file = this.#activeFile!;
    const separateValue = value.length >= SEPARATE_VALUE_WRITE_MIN_BYTES;
    const head = new Uint8Array(
      ENTRY_HEADER_BYTES + key.length + (separateValue ? 0 : value.length),
    );
    encodeEntryHeader(head, header, key);
    if (!separateValue) head.set(value, ENTRY_HEADER_BYTES + key.length);
    try {
      writeFully(file, head);
      if (separateValue) writeFully(file, value);
    } catch (error) {
      this.#recordIoError("write", error);
      this.#cutBack(entryOffset);
      throw error;
    }
  }

  #cutBack(offset: number): void {
    try {
      this.#activeFile!.truncateSync(offset);
      this.#activeFile!.seekSync(offset, Deno.SeekMode.Start);
    } catch (error) {
      this.#logger.error("zdb could not cut back a failed append", { error: String(error) });
    }
  }

  #rotate(): void {
    const file = this.#activeFile!;
    file.syncDataSync();
    file.close();
    this.#sealedSizes.set(this.#activeId, this.#activeOffset);
    this.#createSegment(this.#activeId + 1);
  }

  #openActive(ids: number[]): void {
    const lastId = ids[ids.length - 1];
    if (lastId === undefined || this.#sealedSizes.has(lastId)) {
      this.#createSegment((lastId ?? 0) + 1);
      return;
    }
    const path = join(this.dir, segmentName(lastId));
    const file = Deno.openSync(path, { read: true, write: true });
    this.#activeOffset = file.seekSync(0, Deno.SeekMode.End);
    this.#activeFile = file;
    this.#activeId = lastId;
  }

  #createSegment(segmentId: number): void {
    const path = join(this.dir, segmentName(segmentId));
    const file = Deno.openSync(path, { read: true, write: true, createNew: true, mode: 0o600 });
    writeFully(file, encodeSegmentHeader(segmentId, Date.now()));
    file.syncDataSync();
    fsyncDirectory(this.dir);
    this.#activeFile = file;
    this.#activeId = segmentId;
    this.#activeOffset = SEGMENT_HEADER_BYTES;
    this.stats.diskBytes += SEGMENT_HEADER_BYTES;
  }

  #readHandle(segmentId: number): PositionalFile {
    const cached = this.#readHandles.get(segmentId);
    if (cached !== undefined) {
      // Re-insert to keep the map in least-recently-used order.
      this.#readHandles.delete(segmentId);
      this.#readHandles.set(segmentId, cached);
      return cached;
    }
    if (this.#readHandles.size >= READ_HANDLES_MAX) {
      const [oldestId, oldest] = this.#readHandles.entries().next().value!;
      oldest.close();
      this.#readHandles.delete(oldestId);
    }
    const handle = new PositionalFile(join(this.dir, segmentName(segmentId)));
    this.#readHandles.set(segmentId, handle);
    return handle;
  }

  #recordIoError(operation: string, error: unknown): void {
    this.stats.ioErrors++;
    this.stats.lastIoErrorSec = Math.floor(Date.now() / 1000);
    this.#logger.error(`zdb ${operation} failed`, { dir: this.dir, error: String(error) });
  }

  #replaySegment(segmentId: number, isLast: boolean, onEntry: (e: ReplayedEntry) => void): void {
    const path = join(this.dir, segmentName(segmentId));
    const file = Deno.openSync(path, { read: true, write: isLast });
    try {
      const size = file.statSync().size;
      const end = replayEntries(file, segmentId, size, isLast, onEntry);
      if (end.reason !== undefined) {
        this.#handleBadEntry(file, path, end.offset, size, isLast, end.reason);
      }
      const kept = end.reason !== undefined && isLast ? end.offset : size;
      this.stats.diskBytes += kept;
      if (!isLast || end.offset < SEGMENT_HEADER_BYTES) this.#sealedSizes.set(segmentId, kept);
    } finally {
      file.close();
    }
  }

  #handleBadEntry(
    file: Deno.FsFile,
    path: string,
    offset: number,
    size: number,
    isLast: boolean,
    reason: string,
  ): void {
    if (!isLast || offset < SEGMENT_HEADER_BYTES) {
      // Not a torn tail: keep the file as it is, so nothing stored is destroyed.
      this.stats.dataFaults++;
      this.#logger.error("zdb segment has a bad entry; entries after it are not served", {
        path,
        offset,
        reason,
      });
      return;
    }
    const tail = new Uint8Array(size - offset);
    readFully(file, offset, tail);
    const aside = `${path}.torn-${Date.now()}`;
    Deno.writeFileSync(aside, tail, { mode: 0o600 });
    file.truncateSync(offset);
    file.syncDataSync();
    this.#logger.warn("zdb cut off a torn tail after a crash", {
      path,
      offset,
      cutBytes: size - offset,
      keptIn: aside,
      reason,
    });
  }
}

function listSegmentIds(dir: string): number[] {
  const ids: number[] = [];
  for (const item of Deno.readDirSync(dir)) {
    const match = SEGMENT_NAME.exec(item.name);
    if (match && item.isFile) ids.push(Number(match[1]));
  }
  return ids.sort((a, b) => a - b);
}
