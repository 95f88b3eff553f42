/**
 * Runs the ZDB server as a child process through the real CLI
 * (`deno run -A main.ts zdb ...`), so tests can kill -9 it and restart it on
 * the same data directory and port, as the supervisor does with local nodes.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const LISTENING = /^zdb listening on 127\.0\.0\.1:(\d+)$/m;
/** A cold child start on a busy 2-core machine can take a few seconds. */
const READY_TIMEOUT_MS = 30_000;

export interface ZdbProcessOptions {
  dataDir: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  mode?: "user" | "seq" | "mix";
  adminPassword?: string;
  sync?: "always" | "interval";
}

export interface ZdbProcess {
  readonly port: number;
  readonly pid: number;
  /** stderr so far (for failure messages). */
  stderr(): string;
  /** SIGKILL, then waits until the process is reaped. */
  kill9(): Promise<void>;
  /** SIGTERM, then waits; returns the exit code. */
  stop(): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts `qsfs zdb` and resolves once it prints its "listening" line. */
export async function spawnZdb(options: ZdbProcessOptions): Promise<ZdbProcess> {
  const args = [
    "run",
    "-A",
    MAIN,
    "zdb",
    "--listen",
    `127.0.0.1:${options.port ?? 0}`,
    "--data",
    options.dataDir,
    "--log-level",
    "warn",
  ];
  if (options.mode !== undefined) args.push("--mode", options.mode);
  if (options.adminPassword !== undefined) args.push("--admin-password", options.adminPassword);
  if (options.sync !== undefined) args.push("--sync", options.sync);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  let onStdout = () => {};
  const drainStdout = drain(child.stdout, (chunk) => {
    stdout += chunk;
    onStdout();
  });
  const drainStderr = drain(child.stderr, (chunk) => (stderr += chunk));
  let exited = false;
  const status = child.status.then((result) => {
    exited = true;
    onStdout();
    return result;
  });
  const finish = async () => {
    const result = await status;
    await Promise.all([drainStdout, drainStderr]);
    return result.code;
  };
  let deadline: ReturnType<typeof setTimeout> | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      deadline = setTimeout(
        () => reject(new Error(`zdb did not print its listening line in ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      onStdout = () => {
        const match = LISTENING.exec(stdout);
        if (match) resolve(Number(match[1]));
        else if (exited) reject(new Error(`zdb exited before listening:\n${stderr}`));
      };
    });
    return {
      port,
      pid: child.pid,
      stderr: () => stderr,
      async kill9() {
        if (!exited) child.kill("SIGKILL");
        await finish();
      },
      async stop() {
        if (!exited) child.kill("SIGTERM");
        return await finish();
      },
      async [Symbol.asyncDispose]() {
        if (!exited) child.kill("SIGKILL");
        await finish();
      },
    };
  } catch (error) {
    if (!exited) child.kill("SIGKILL");
    await finish();
    throw error;
  } finally {
    clearTimeout(deadline);
  }
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void) {
  for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
}

/**
 * A free TCP port below the kernel's ephemeral range, for a server that must
 * come back on the same port: outgoing connections and port-0 listeners (of
 * this or any other process) never take such a port while it is down.
 */
export function freePortBelowEphemeralRange(): number {
  let low = 32768;
  try {
    low = Number(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").split(/\s+/)[0]);
  } catch {
    // Not Linux: keep the IANA default start of the dynamic range.
  }
  const first = 10_000;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = first + Math.floor(Math.random() * (low - first));
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error(`Cannot find a free port between ${first} and ${low}`);
}
