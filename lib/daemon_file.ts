/**
 * `<home>/daemon.json`: how to reach the daemon that runs for a home (its
 * pid, port and per-start API token). Written 0600 by the daemon once it
 * listens, removed when it stops cleanly; read by the CLI.
 *
 * @module
 */
import { join } from "node:path";

export interface DaemonInfo {
  pid: number;
  port: number;
  token: string;
  /** ISO 8601. */
  startedAt: string;
}

export function daemonFilePath(home: string): string {
  return join(home, "daemon.json");
}

/** The recorded daemon, or undefined when there is no file (or not a readable one). */
export function readDaemonInfo(home: string): DaemonInfo | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(daemonFilePath(home));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<DaemonInfo>;
    const valid = Number.isSafeInteger(value.pid) && Number.isSafeInteger(value.port) &&
      typeof value.token === "string" && typeof value.startedAt === "string";
    return valid ? value as DaemonInfo : undefined;
  } catch {
    // Half-written by a daemon that died mid-write (it writes through a rename, so rare).
    return undefined;
  }
}

/** Writes the file atomically (a 0600 temporary file renamed over it). */
export function writeDaemonInfo(home: string, info: DaemonInfo): void {
  const path = daemonFilePath(home);
  const temporary = `${path}.${info.pid}.tmp`;
  Deno.writeTextFileSync(temporary, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
  Deno.chmodSync(temporary, 0o600);
  Deno.renameSync(temporary, path);
}

/** Removes the file when it still describes the daemon `pid`. */
export function removeDaemonInfo(home: string, pid: number): void {
  if (readDaemonInfo(home)?.pid !== pid) return;
  try {
    Deno.removeSync(daemonFilePath(home));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Whether process `pid` exists and is not a zombie (Linux /proc). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
