/**
 * Helpers for the server's tests (not part of its surface): the command that
 * runs qsfs, a temporary home, polling with a deadline, a raw TCP PING.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { ContextLogger, Logger } from "../lib/log.ts";

/** Runs this checkout's qsfs, as main.ts passes it to the daemon. */
export const SELF_COMMAND: readonly string[] = [
  Deno.execPath(),
  "run",
  "-A",
  fileURLToPath(new URL("../main.ts", import.meta.url)),
];

/** Settings that make a crashed node come back quickly in tests. */
export const FAST_NODE_SETTINGS = {
  nodeRestartDelayMs: 50,
  nodeRestartDelayMsMax: 400,
  nodeRestartAttemptsMax: 3,
  nodeStopTimeoutMs: 5_000,
};

/** Polls `condition` every 20 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends PING over a fresh TCP connection; true when the answer is +PONG. */
export async function pingsOverTcp(endpoint: string): Promise<boolean> {
  const [hostname, port] = endpoint.split(":");
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  } catch {
    return false;
  }
  try {
    await conn.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
    const reply = new Uint8Array(7);
    let got = 0;
    while (got < reply.length) {
      const count = await conn.read(reply.subarray(got));
      if (count === null) break;
      got += count;
    }
    return new TextDecoder().decode(reply.subarray(0, got)) === "+PONG\r\n";
  } finally {
    conn.close();
  }
}

export interface RecordedLog {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps its records, to check what was (and was not) logged. */
export function recordingLogger(
  records: RecordedLog[] = [],
): ContextLogger & { records: RecordedLog[] } {
  const at = (level: string): Logger["info"] => (message, fields = {}) =>
    void records.push({ level, message, fields });
  const logger = {
    records,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}
