/**
 * SCAN, RSCAN and KEYCUR. A cursor is the 8-byte little-endian write-order
 * number of an entry (opaque to clients, as 0-db's is): SCAN returns the
 * entries written after it, RSCAN those written before it, nearest first.
 */
import type { ByteWriter } from "../../resp/byte_writer.ts";
import { writeArrayHeader, writeBulk, writeError, writeInteger } from "../../resp/encode.ts";
import type { IndexEntry } from "../namespace.ts";
import type { CommandHandler } from "./context.ts";
import { expectArgs, expectNotFrozen } from "./validate.ts";

/** Entries in one SCAN reply; 0-db bounds a reply by a 2 ms time slice instead. */
export const SCAN_BATCH_ENTRIES_MAX = 1024;
const CURSOR_BYTES = 8;

function encodeCursor(order: number): Uint8Array {
  const cursor = new Uint8Array(CURSOR_BYTES);
  new DataView(cursor.buffer).setBigUint64(0, BigInt(order), true);
  return cursor;
}

function decodeCursor(bytes: Uint8Array): number | undefined {
  if (bytes.length !== CURSOR_BYTES) return undefined;
  return Number(new DataView(bytes.buffer, bytes.byteOffset, CURSOR_BYTES).getBigUint64(0, true));
}

function scanCommand(forward: boolean): CommandHandler {
  return (_context, session, args, out) => {
    if (!expectNotFrozen(session, out)) return;
    let cursor: number | undefined;
    if (args.length > 1) {
      cursor = decodeCursor(args[1]!);
      if (cursor === undefined) return writeError(out, "Invalid key format");
    }
    const entries = session.namespace.scan(cursor, forward, SCAN_BATCH_ENTRIES_MAX);
    if (entries.length === 0) return writeError(out, "No more data");
    writeScanReply(entries, out);
  };
}

function writeScanReply(entries: IndexEntry[], out: ByteWriter): void {
  writeArrayHeader(out, 2);
  writeBulk(out, encodeCursor(entries[entries.length - 1]!.order));
  writeArrayHeader(out, entries.length);
  for (const entry of entries) {
    writeArrayHeader(out, 3);
    writeBulk(out, entry.key);
    writeInteger(out, entry.location.valueLength);
    writeInteger(out, entry.location.timestampSec);
  }
}

export const scan = scanCommand(true);
export const rscan = scanCommand(false);

export const keycur: CommandHandler = (_context, session, args, out) => {
  if (!expectArgs(args, 2, out)) return;
  if (!expectNotFrozen(session, out)) return;
  const entry = session.namespace.lookup(args[1]!);
  if (entry === undefined) return writeError(out, "Key not found");
  writeBulk(out, encodeCursor(entry.order));
};
