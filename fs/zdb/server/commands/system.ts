/** PING, TIME, AUTH (plain and SECURE), INFO, and the commands we answer but do not implement. */
import { createHash } from "node:crypto";
import type { ByteWriter } from "../../resp/byte_writer.ts";
import {
  writeArrayHeader,
  writeBulkText,
  writeError,
  writeSimpleString,
} from "../../resp/encode.ts";
import { type CommandHandler, type ServerContext, type Session, textOf } from "./context.ts";
import { expectArgs } from "./validate.ts";

const SHA1_HEX_LENGTH = 40;
const ADMIN_PASSWORD_MAX_BYTES = 128;

export const ping: CommandHandler = (_context, _session, _args, out) =>
  writeSimpleString(out, "PONG");

export const time: CommandHandler = (_context, _session, _args, out) => {
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  writeArrayHeader(out, 2);
  writeBulkText(out, String(Math.floor(nowUs / 1e6)));
  writeBulkText(out, String(nowUs % 1e6));
};

/** sha1hex("<nonce>:<password>"), 0-db's AUTH SECURE and SELECT SECURE proof. */
export function secureHash(nonce: string, password: string): string {
  return createHash("sha1").update(`${nonce}:${password}`).digest("hex");
}

/**
 * Checks a `SECURE <sha1hex>` proof against `password`, writing 0-db's error
 * reply when it fails. The nonce is spent either way.
 */
export function checkSecureHash(
  session: Session,
  method: Uint8Array,
  proof: Uint8Array,
  password: string,
  out: ByteWriter,
): boolean {
  if (!isPrefixOf(method, "SECURE")) {
    writeError(out, "Only SECURE extra method supported");
    return false;
  }
  const nonce = session.nonce;
  if (nonce === null) {
    writeError(out, "No CHALLENGE requested, secure authentication not available");
    return false;
  }
  if (proof.length !== SHA1_HEX_LENGTH) {
    writeError(out, "Invalid hash length");
    return false;
  }
  session.nonce = null;
  if (textOf(proof) === secureHash(nonce, password)) return true;
  writeError(out, "Access denied");
  return false;
}

/** strncasecmp(input, word, input length) == 0, as 0-db matches words. */
export function isPrefixOf(input: Uint8Array, word: string): boolean {
  if (input.length > word.length) return false;
  for (let i = 0; i < input.length; i++) {
    if ((input[i]! | 0x20) !== (word.charCodeAt(i) | 0x20)) return false;
  }
  return true;
}

export const auth: CommandHandler = (context, session, args, out) => {
  if (args.length === 2) return authPlain(context, session, args, out);
  if (args.length === 3) return authSecure(context, session, args, out);
  writeError(out, "Unexpected arguments");
};

function authPlain(context: ServerContext, session: Session, args: Uint8Array[], out: ByteWriter) {
  if (context.adminPassword === undefined) return writeError(out, "Authentication disabled");
  if (!expectArgs(args, 2, out)) return;
  if (args[1]!.length > ADMIN_PASSWORD_MAX_BYTES) return writeError(out, "Password too long");
  if (textOf(args[1]!) !== context.adminPassword) return writeError(out, "Access denied");
  session.admin = true;
  writeSimpleString(out, "OK");
}

function authSecure(context: ServerContext, session: Session, args: Uint8Array[], out: ByteWriter) {
  if (!expectArgs(args, 3, out)) return;
  if (!isPrefixOf(args[1]!, "SECURE")) return writeError(out, "Only SECURE extra method supported");
  if (isPrefixOf(args[2]!, "CHALLENGE")) {
    const nonce = new Uint8Array(8);
    crypto.getRandomValues(nonce);
    session.nonce = Array.from(nonce, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return writeSimpleString(out, session.nonce);
  }
  if (context.adminPassword === undefined) return writeError(out, "Authentication disabled");
  if (checkSecureHash(session, args[1]!, args[2]!, context.adminPassword, out)) {
    session.admin = true;
    writeSimpleString(out, "OK");
  }
}

export const info: CommandHandler = (context, _session, _args, out) => {
  const { stats } = context;
  const nowSec = Math.floor(Date.now() / 1000);
  const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(2);
  const lines = [
    "# server",
    "server_name: 0-db (zdb)",
    "server_revision: qsfs",
    "engine_revision: qsfs-zdb-1",
    `instance_id: ${context.instanceId}`,
    `boot_time: ${context.bootTimeSec}`,
    `uptime: ${nowSec - context.bootTimeSec}`,
    "",
    "# clients",
    `clients_lifetime: ${stats.clientsLifetime}`,
    "",
    "# internals",
    "sequential_key_size: 8",
    "data_version: 3",
    "index_version: 4",
    "",
    "# stats",
    `commands_executed: ${stats.commandsExecuted}`,
    `commands_failed: ${stats.commandsFailed}`,
    `commands_unauthorized: ${stats.commandsUnauthorized}`,
    `data_disk_read_bytes: ${stats.dataDiskReadBytes}`,
    `data_disk_read_mb: ${mb(stats.dataDiskReadBytes)}`,
    `data_disk_write_bytes: ${stats.dataDiskWriteBytes}`,
    `data_disk_write_mb: ${mb(stats.dataDiskWriteBytes)}`,
    `network_rx_bytes: ${stats.networkRxBytes}`,
    `network_rx_mb: ${mb(stats.networkRxBytes)}`,
    `network_tx_bytes: ${stats.networkTxBytes}`,
    `network_tx_mb: ${mb(stats.networkTxBytes)}`,
  ];
  writeBulkText(out, lines.join("\n") + "\n");
};

/** Replication, hooks and debug commands of 0-db that this server does not offer. */
export const notSupported: CommandHandler = (_context, _session, _args, out) =>
  writeError(out, "Command not supported");

export const kscan: CommandHandler = (_context, _session, _args, out) =>
  writeError(out, "Command disabled in release code, not yet available");

export const stop: CommandHandler = (_context, _session, _args, out) =>
  writeError(out, "Unauthorized");

export const asterisk: CommandHandler = (_context, _session, _args, out) =>
  writeError(out, "This is not a valid command");
