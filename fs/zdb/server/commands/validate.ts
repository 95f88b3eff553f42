/**
 * Argument checks with 0-db's exact error replies (zdbd/commands.c). Each
 * writes the error and returns false when the check fails.
 */
import type { ByteWriter } from "../../resp/byte_writer.ts";
import { writeError } from "../../resp/encode.ts";
import { NAMESPACE_NAME_MAX_BYTES } from "../namespace_store.ts";
import type { ServerContext, Session } from "./context.ts";

/** Exactly `count` arguments (command included), empty ones allowed. */
export function expectArgsAllowEmpty(args: Uint8Array[], count: number, out: ByteWriter): boolean {
  if (args.length === count) return true;
  writeError(out, "Unexpected arguments");
  return false;
}

/** Exactly `count` arguments (command included), none empty. */
export function expectArgs(args: Uint8Array[], count: number, out: ByteWriter): boolean {
  if (!expectArgsAllowEmpty(args, count, out)) return false;
  for (const arg of args) {
    if (arg.length === 0) {
      writeError(out, "Invalid argument");
      return false;
    }
  }
  return true;
}

export function expectAdmin(context: ServerContext, session: Session, out: ByteWriter): boolean {
  if (session.admin) return true;
  context.stats.commandsUnauthorized++;
  writeError(out, "Permission denied");
  return false;
}

export function expectNamespaceName(name: Uint8Array, out: ByteWriter): boolean {
  if (name.length <= NAMESPACE_NAME_MAX_BYTES) return true;
  writeError(out, "Namespace too long");
  return false;
}

/** Frozen namespaces refuse reads and writes. */
export function expectNotFrozen(session: Session, out: ByteWriter): boolean {
  if (session.namespace.settings.lock !== "frozen") return true;
  writeError(out, "Namespace is temporarily frozen (read-write disabled)");
  return false;
}

/** Checks shared by SET and DEL before they touch the log. */
export function expectWritable(session: Session, out: ByteWriter): boolean {
  if (!session.writable) {
    writeError(out, "Namespace is in read-only mode");
    return false;
  }
  if (!expectNotFrozen(session, out)) return false;
  if (session.namespace.settings.lock === "read-only") {
    writeError(out, "Namespace is temporarily locked (read-only)");
    return false;
  }
  return true;
}
