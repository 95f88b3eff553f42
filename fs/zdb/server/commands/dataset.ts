/** SET, GET, MGET, DEL, EXISTS, CHECK, LENGTH, KEYTIME: 0-db's replies, our storage. */
import type { ByteWriter } from "../../resp/byte_writer.ts";
import {
  reserveBulk,
  writeArrayHeader,
  writeBulk,
  writeError,
  writeInteger,
  writeSimpleString,
} from "../../resp/encode.ts";
import { checksum as checksumOf, KEY_MAX_BYTES } from "../entry_format.ts";
import { type IndexEntry, type Namespace, seqKeyOf } from "../namespace.ts";
import { type CommandHandler, nowSec, textOf } from "./context.ts";
import {
  expectAdmin,
  expectArgs,
  expectArgsAllowEmpty,
  expectNotFrozen,
  expectWritable,
} from "./validate.ts";

export const set: CommandHandler = (context, session, args, out) => {
  if (args.length === 4) {
    if (!expectAdmin(context, session, out)) return;
  } else if (!expectArgsAllowEmpty(args, 3, out)) return;
  const key = args[1]!;
  const value = args[2]!;
  if (key.length > KEY_MAX_BYTES) return writeError(out, "Key too large");
  if (!expectWritable(session, out)) return;
  const namespace = session.namespace;
  const existing = key.length > 0 ? namespace.lookup(key) : undefined;
  if (existing !== undefined && namespace.settings.worm) {
    return writeError(out, "Namespace is protected by worm mode");
  }
  const { maxsizeBytes } = namespace.settings;
  const reclaimedBytes = existing?.location.valueLength ?? 0;
  if (maxsizeBytes > 0 && namespace.liveDataBytes + value.length > maxsizeBytes + reclaimedBytes) {
    return writeError(out, "No space left on this namespace");
  }
  const timestampSec = args.length === 4 ? Number(textOf(args[3]!)) >>> 0 : nowSec();
  const targetKey = resolveSetKey(namespace, key, existing, out);
  if (targetKey === undefined) return;
  if (existing !== undefined && isSamePayload(namespace, existing, value)) {
    return writeBulk(out, null);
  }
  try {
    const id = targetKey === "next" ? seqKeyOf(namespace.allocateSeqId()) : targetKey;
    namespace.put(id, value, timestampSec);
    session.wrote = true;
    context.stats.dataDiskWriteBytes += value.length;
    writeBulk(out, id);
  } catch {
    writeError(out, "Cannot write data right now");
  }
};

/** The key to store under, "next" for a new sequential id, or undefined after an error reply. */
function resolveSetKey(
  namespace: Namespace,
  key: Uint8Array,
  existing: IndexEntry | undefined,
  out: ByteWriter,
): Uint8Array | "next" | undefined {
  if (namespace.settings.mode === "user") {
    if (key.length === 0) {
      writeError(out, "Invalid argument, key needed");
      return undefined;
    }
    return key.slice();
  }
  if (key.length > 0 && existing === undefined) {
    writeError(out, "Invalid key, only update authorized");
    return undefined;
  }
  return existing === undefined ? "next" : existing.key;
}

/** 0-db answers nil and stores nothing when the payload is unchanged. */
function isSamePayload(namespace: Namespace, existing: IndexEntry, value: Uint8Array): boolean {
  const location = existing.location;
  if (location.valueLength !== value.length) return false;
  if (value.length > 0 && location.valueCrc !== checksumOf(value)) return false;
  const stored = namespace.read(existing);
  return stored !== undefined && equalBytes(stored, value);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const get: CommandHandler = (context, session, args, out) => {
  if (!expectArgs(args, 2, out)) return;
  if (args[1]!.length > KEY_MAX_BYTES) return writeError(out, "Invalid key");
  if (!expectNotFrozen(session, out)) return;
  writeValue(context.stats, session.namespace, args[1]!, out);
};

export const mget: CommandHandler = (context, session, args, out) => {
  if (args.length < 2) return writeError(out, "Invalid arguments");
  for (let i = 1; i < args.length; i++) {
    if (args[i]!.length > KEY_MAX_BYTES) return writeError(out, "Invalid key");
  }
  if (!expectNotFrozen(session, out)) return;
  writeArrayHeader(out, args.length - 1);
  for (let i = 1; i < args.length; i++) writeValue(context.stats, session.namespace, args[i]!, out);
};

/** Writes a value read from disk straight into the reply, or nil, or an error if it is corrupt. */
function writeValue(
  stats: { dataDiskReadBytes: number },
  namespace: Namespace,
  key: Uint8Array,
  out: ByteWriter,
): void {
  const entry = namespace.lookup(key);
  if (entry === undefined) return writeBulk(out, null);
  const replyStart = out.length;
  const body = reserveBulk(out, entry.location.valueLength);
  if (namespace.readInto(entry, body)) {
    stats.dataDiskReadBytes += body.length;
    return;
  }
  // Never serve bytes that fail their checksum (0-db's reply for an unreadable payload).
  out.truncate(replyStart);
  writeError(out, "Internal Error");
}

export const del: CommandHandler = (context, session, args, out) => {
  if (args.length === 3) {
    if (!expectAdmin(context, session, out)) return;
  } else if (!expectArgs(args, 2, out)) return;
  if (args[1]!.length > KEY_MAX_BYTES) return writeError(out, "Invalid key");
  if (!expectWritable(session, out)) return;
  const namespace = session.namespace;
  const entry = namespace.lookup(args[1]!);
  if (entry === undefined) return writeError(out, "Key not found");
  if (namespace.settings.worm) {
    return writeError(out, "Cannot delete a key when namespace is in worm mode");
  }
  const timestampSec = args.length === 3 ? Number(textOf(args[2]!)) >>> 0 : nowSec();
  try {
    namespace.remove(entry, timestampSec);
    session.wrote = true;
    writeSimpleString(out, "OK");
  } catch {
    writeError(out, "Cannot delete key (data)");
  }
};

/** EXISTS, CHECK, LENGTH and KEYTIME share their checks; they differ in what they answer. */
function keyQuery(answer: (namespace: Namespace, entry: IndexEntry, out: ByteWriter) => void) {
  return ((_context, session, args, out) => {
    if (!expectArgs(args, 2, out)) return;
    if (args[1]!.length > KEY_MAX_BYTES) return writeError(out, "Invalid key");
    if (!expectNotFrozen(session, out)) return;
    const entry = session.namespace.lookup(args[1]!);
    if (entry === undefined) return answerMissing(args[0]!, out);
    answer(session.namespace, entry, out);
  }) satisfies CommandHandler;
}

function answerMissing(command: Uint8Array, out: ByteWriter): void {
  // EXISTS says 0; CHECK, LENGTH and KEYTIME say nil.
  if ((command[0]! | 0x20) === 0x65) writeInteger(out, 0);
  else writeBulk(out, null);
}

export const exists = keyQuery((_namespace, _entry, out) => writeInteger(out, 1));
export const check = keyQuery((namespace, entry, out) =>
  writeInteger(out, namespace.read(entry) === undefined ? 0 : 1)
);
export const length = keyQuery((_namespace, entry, out) =>
  writeInteger(out, entry.location.valueLength)
);
export const keytime = keyQuery((_namespace, entry, out) =>
  writeInteger(out, entry.location.timestampSec)
);
