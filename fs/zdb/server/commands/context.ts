/** What command handlers see: the server's shared state and one client's session. */
import type { Logger } from "../../../../lib/log.ts";
import type { ByteWriter } from "../../resp/byte_writer.ts";
import type { Namespace } from "../namespace.ts";
import type { NamespaceStore } from "../namespace_store.ts";

export interface ServerStats {
  clientsLifetime: number;
  commandsExecuted: number;
  commandsFailed: number;
  commandsUnauthorized: number;
  networkRxBytes: number;
  networkTxBytes: number;
  dataDiskReadBytes: number;
  dataDiskWriteBytes: number;
}

export interface ServerContext {
  readonly store: NamespaceStore;
  readonly adminPassword: string | undefined;
  readonly stats: ServerStats;
  readonly bootTimeSec: number;
  readonly instanceId: number;
  readonly logger: Logger;
}

export interface Session {
  namespace: Namespace;
  writable: boolean;
  admin: boolean;
  /** The AUTH SECURE CHALLENGE nonce, used once. */
  nonce: string | null;
  /** Set by a handler that appended to a log: the reply waits for the group commit. */
  wrote: boolean;
  /** Set to end the connection after the pending replies are sent. */
  closeAfterReply: boolean;
}

/**
 * A command handler: reads `args` (args[0] is the command name), writes its
 * reply into `out`. A handler may return a promise when it must wait (FLUSH).
 */
export type CommandHandler = (
  context: ServerContext,
  session: Session,
  args: Uint8Array[],
  out: ByteWriter,
) => void | Promise<void>;

const utf8 = new TextDecoder();

export function textOf(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
