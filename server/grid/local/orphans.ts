/**
 * Node processes left behind by a daemon that died without stopping them
 * (kill -9): found by the pid the registry recorded and the data directory on
 * their command line, and stopped before the node is started again.
 *
 * @module
 */

const POLL_INTERVAL_MS = 20;

/** Whether `pid` runs a node on `dataDir` (and is not a zombie). */
export function isNodeProcess(pid: number, dataDir: string): boolean {
  try {
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /s, "")[0];
    if (state === "Z" || state === "X") return false;
    const args = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    return args.includes("zdb") && args.includes(dataDir);
  } catch {
    return false;
  }
}

/**
 * Stops a leftover node process: SIGTERM, then SIGKILL after `timeoutMs`.
 * Returns whether there was one.
 */
export async function stopOrphan(pid: number, dataDir: string, timeoutMs: number) {
  if (!isNodeProcess(pid, dataDir)) return false;
  signal(pid, "SIGTERM");
  const killAt = Date.now() + timeoutMs;
  const giveUpAt = killAt + timeoutMs;
  let killed = false;
  while (isNodeProcess(pid, dataDir)) {
    if (!killed && Date.now() > killAt) {
      signal(pid, "SIGKILL");
      killed = true;
    }
    if (Date.now() > giveUpAt) {
      throw new Error(`Cannot stop leftover node process ${pid}: it does not exit`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  return true;
}

function signal(pid: number, name: Deno.Signal) {
  try {
    Deno.kill(pid, name);
  } catch {
    // It exited in between.
  }
}
