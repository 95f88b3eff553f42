/**
 * One namespace: its settings, its log and the in-memory index rebuilt from
 * the log at open. Keys map to the newest location of their value; a scan
 * order list gives SCAN/RSCAN their stable cursors (the order number of an
 * entry, which grows with every write).
 */
import type { Logger } from "../../../lib/log.ts";
import { EntryKind } from "./entry_format.ts";
import { type LogLocation, type ReplayedEntry, SegmentLog } from "./segment_log.ts";

export type NamespaceMode = "user" | "seq";
export type NamespaceLock = "none" | "read-only" | "frozen";

export interface NamespaceSettings {
  name: string;
  /** Plaintext, as 0-db keeps it; the settings file is 0600. */
  password: string | null;
  /** 0 means no limit. */
  maxsizeBytes: number;
  public: boolean;
  worm: boolean;
  mode: NamespaceMode;
  lock: NamespaceLock;
}

export interface IndexEntry {
  readonly key: Uint8Array;
  readonly keyId: string;
  readonly location: LogLocation;
  /** Position in write order; the SCAN cursor of this entry. */
  readonly order: number;
}

export const SEQ_KEY_BYTES = 8;
const SCAN_ORDER_SLACK_ENTRIES = 1024;

/** A key as a Map key: one char per byte, so any binary key works. */
export function keyIdOf(key: Uint8Array): string {
  return String.fromCharCode.apply(null, key as unknown as number[]);
}

export function seqKeyOf(id: number): Uint8Array {
  const key = new Uint8Array(SEQ_KEY_BYTES);
  new DataView(key.buffer).setBigUint64(0, BigInt(id), true);
  return key;
}

export class Namespace {
  settings: NamespaceSettings;
  readonly log: SegmentLog;
  /** Set when the namespace is deleted while clients still have it selected. */
  deleted = false;
  liveDataBytes = 0;
  nextSeqId = 0;
  #index = new Map<string, IndexEntry>();
  #scanOrder: IndexEntry[] = [];
  #orderCounter = 0;

  private constructor(settings: NamespaceSettings, log: SegmentLog | undefined) {
    this.settings = settings;
    this.log = log!;
  }

  static open(
    dir: string,
    settings: NamespaceSettings,
    options: { segmentMaxBytes?: number; logger: Logger },
  ): Namespace {
    const namespace = new Namespace(settings, undefined);
    const log = SegmentLog.open(dir, options, (entry) => namespace.#replay(entry));
    (namespace as { log: SegmentLog }).log = log;
    return namespace;
  }

  get entryCount(): number {
    return this.#index.size;
  }

  /** True when nothing was ever written (mode may change only then). */
  get isFresh(): boolean {
    return this.#index.size === 0 && this.nextSeqId === 0 && this.#orderCounter === 0;
  }

  lookup(key: Uint8Array): IndexEntry | undefined {
    return this.#index.get(keyIdOf(key));
  }

  /** Appends a value for `key` and indexes it. Throws on I/O errors (nothing indexed then). */
  put(key: Uint8Array, value: Uint8Array, timestampSec: number): IndexEntry {
    const location = this.log.append(EntryKind.Set, key, value, timestampSec);
    return this.#indexSet(key, location);
  }

  /** Appends a delete marker for an existing entry and drops it from the index. */
  remove(entry: IndexEntry, timestampSec: number): void {
    this.log.append(EntryKind.Delete, entry.key, new Uint8Array(0), timestampSec);
    this.#indexDelete(entry.keyId);
  }

  /** Reads an entry's value; undefined when the stored bytes fail their checksum. */
  read(entry: IndexEntry): Uint8Array | undefined {
    const value = new Uint8Array(entry.location.valueLength);
    return this.log.readValue(entry.location, value) ? value : undefined;
  }

  readInto(entry: IndexEntry, into: Uint8Array): boolean {
    return this.log.readValue(entry.location, into);
  }

  allocateSeqId(): number {
    return this.nextSeqId++;
  }

  /**
   * Up to `max` live entries after (forward) or before (backward) the cursor
   * order, nearest first. A cursor of undefined starts at the first or last.
   */
  scan(cursor: number | undefined, forward: boolean, max: number): IndexEntry[] {
    this.#compactScanOrder();
    const order = this.#scanOrder;
    const found: IndexEntry[] = [];
    if (forward) {
      let i = cursor === undefined ? 0 : firstIndexAfter(order, cursor);
      for (; i < order.length && found.length < max; i++) this.#collectLive(order[i]!, found);
    } else {
      let i = cursor === undefined ? order.length - 1 : firstIndexAfter(order, cursor - 1) - 1;
      for (; i >= 0 && found.length < max; i--) this.#collectLive(order[i]!, found);
    }
    return found;
  }

  /** Empties the namespace durably: a flush marker in a new segment, then old segments removed. */
  async flush(timestampSec: number): Promise<void> {
    this.log.jump();
    this.log.append(EntryKind.Flush, new Uint8Array(0), new Uint8Array(0), timestampSec);
    await this.log.sync();
    this.log.removeSealedSegments();
    this.#clearIndex();
  }

  #collectLive(entry: IndexEntry, found: IndexEntry[]): void {
    if (this.#index.get(entry.keyId) === entry) found.push(entry);
  }

  #replay(entry: ReplayedEntry): void {
    if (entry.kind === EntryKind.Flush) {
      this.#clearIndex();
      return;
    }
    if (this.settings.mode === "seq" && entry.key.length === SEQ_KEY_BYTES) {
      const id = Number(new DataView(entry.key.buffer, entry.key.byteOffset).getBigUint64(0, true));
      if (id >= this.nextSeqId) this.nextSeqId = id + 1;
    }
    if (entry.kind === EntryKind.Set) this.#indexSet(entry.key, entry.location);
    else this.#indexDelete(keyIdOf(entry.key));
  }

  #indexSet(key: Uint8Array, location: LogLocation): IndexEntry {
    const keyId = keyIdOf(key);
    const previous = this.#index.get(keyId);
    if (previous !== undefined) this.liveDataBytes -= previous.location.valueLength;
    const entry: IndexEntry = { key, keyId, location, order: ++this.#orderCounter };
    this.#index.set(keyId, entry);
    this.#scanOrder.push(entry);
    this.liveDataBytes += location.valueLength;
    return entry;
  }

  #indexDelete(keyId: string): void {
    const previous = this.#index.get(keyId);
    if (previous === undefined) return;
    this.liveDataBytes -= previous.location.valueLength;
    this.#index.delete(keyId);
  }

  #clearIndex(): void {
    this.#index.clear();
    this.#scanOrder = [];
    this.liveDataBytes = 0;
    this.nextSeqId = 0;
  }

  #compactScanOrder(): void {
    if (this.#scanOrder.length <= 2 * this.#index.size + SCAN_ORDER_SLACK_ENTRIES) return;
    this.#scanOrder = this.#scanOrder.filter((entry) => this.#index.get(entry.keyId) === entry);
  }
}

/** Index of the first entry whose order is greater than `cursor` (orders are ascending). */
function firstIndexAfter(order: IndexEntry[], cursor: number): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (order[middle]!.order <= cursor) low = middle + 1;
    else high = middle;
  }
  return low;
}
