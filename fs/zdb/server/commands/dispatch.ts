/**
 * The command table in 0-db's order. 0-db matches a command by
 * strncasecmp(input, name, input length) and takes the first hit, so "S" runs
 * SET and "NSI" runs NSINFO; we keep that behaviour for compatibility.
 */
import type { ByteWriter } from "../../resp/byte_writer.ts";
import { writeError } from "../../resp/encode.ts";
import type { CommandHandler, ServerContext, Session } from "./context.ts";
import * as data from "./dataset.ts";
import * as ns from "./namespaces.ts";
import * as scans from "./scan.ts";
import * as system from "./system.ts";

const COMMANDS: readonly (readonly [string, CommandHandler])[] = [
  ["*", system.asterisk],
  ["WAIT", system.notSupported],
  ["MIRROR", system.notSupported],
  ["MASTER", system.notSupported],
  ["PING", system.ping],
  ["TIME", system.time],
  ["AUTH", system.auth],
  ["HOOKS", system.notSupported],
  ["INDEX", system.notSupported],
  ["DATA", system.notSupported],
  ["SET", data.set],
  ["SETX", data.set],
  ["GET", data.get],
  ["MGET", data.mget],
  ["DEL", data.del],
  ["EXISTS", data.exists],
  ["CHECK", data.check],
  ["SCAN", scans.scan],
  ["SCANX", scans.scan],
  ["RSCAN", scans.rscan],
  ["KSCAN", system.kscan],
  ["HISTORY", system.notSupported],
  ["KEYCUR", scans.keycur],
  ["LENGTH", data.length],
  ["KEYTIME", data.keytime],
  ["INFO", system.info],
  ["STOP", system.stop],
  ["DBSIZE", ns.dbsize],
  ["NSNEW", ns.nsnew],
  ["NSDEL", ns.nsdel],
  ["NSLIST", ns.nslist],
  ["NSSET", ns.nsset],
  ["NSINFO", ns.nsinfo],
  ["NSJUMP", ns.nsjump],
  ["SELECT", ns.select],
  ["RELOAD", ns.reload],
  ["FLUSH", ns.flush],
];

/** Exact (upper-cased) names first: the common case costs one Map lookup. */
const EXACT = new Map(COMMANDS.map(([name, handler]) => [name, handler]));

function findHandler(name: Uint8Array): CommandHandler | undefined {
  if (name.length <= 8) {
    let upper = "";
    for (let i = 0; i < name.length; i++) upper += String.fromCharCode(name[i]! & 0xdf);
    const exact = EXACT.get(upper);
    if (exact !== undefined) return exact;
  }
  for (const [command, handler] of COMMANDS) {
    if (system.isPrefixOf(name, command)) return handler;
  }
  return undefined;
}

/** Runs one command. Returns a promise only when the handler must wait. */
export function dispatch(
  context: ServerContext,
  session: Session,
  args: Uint8Array[],
  out: ByteWriter,
): void | Promise<void> {
  if (session.namespace.deleted) {
    session.closeAfterReply = true;
    return writeError(out, "Your active namespace is not available anymore (probably removed).");
  }
  const handler = findHandler(args[0]!);
  if (handler === undefined) {
    context.stats.commandsFailed++;
    return writeError(out, "Command not supported");
  }
  context.stats.commandsExecuted++;
  return handler(context, session, args, out);
}
