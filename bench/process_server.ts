/** Starts a server as a child process and waits for the line saying it is ready. */

export interface ProcessServer {
  port: number;
  process: Deno.ChildProcess;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const LISTENING = /zdb listening on [^\s:]+:(\d+)/;

/**
 * Spawns `deno <denoArgs>` (or `custom.command`) and resolves once its stdout
 * shows the ready line. For qsfs zdb the port is read from that line.
 */
export async function startProcessServer(
  label: string,
  denoArgs: string[],
  custom?: { command: string; args: string[]; readyPattern: RegExp; port: number },
): Promise<ProcessServer> {
  const process = new Deno.Command(custom?.command ?? Deno.execPath(), {
    args: custom?.args ?? denoArgs,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const pattern = custom?.readyPattern ?? LISTENING;
  const port = await waitForLine(process, pattern, label).then((match) =>
    custom?.port ?? Number(match[1])
  );
  return {
    port,
    process,
    async stop() {
      try {
        process.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      await process.status;
    },
  };
}

async function waitForLine(
  process: Deno.ChildProcess,
  pattern: RegExp,
  label: string,
): Promise<RegExpExecArray> {
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => reader.cancel(), READY_TIMEOUT_MS);
  let seen = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        throw new Error(
          `Cannot start ${label}: it exited or timed out before it was ready:\n${seen}`,
        );
      }
      seen += value;
      const match = pattern.exec(seen);
      if (match) {
        // Keep draining stdout so the child never blocks on a full pipe.
        void drain(reader);
        return match;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

async function drain(reader: ReadableStreamDefaultReader<string>): Promise<void> {
  try {
    while (!(await reader.read()).done) { /* discard */ }
  } catch {
    // The process ended.
  }
}

/** Starts `qsfs zdb` (user-key mode, sync "always", as a storage node runs) on a free port. */
export function startZdbProcess(dataDir: string): Promise<ProcessServer> {
  return startProcessServer("qsfs zdb", [
    "run",
    "-A",
    new URL("../main.ts", import.meta.url).pathname,
    "--log-level",
    "warn",
    "zdb",
    "--listen",
    "127.0.0.1:0",
    "--data",
    dataDir,
    "--mode",
    "user",
    "--sync",
    "always",
  ]);
}
