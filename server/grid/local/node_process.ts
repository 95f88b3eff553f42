/**
 * One local storage node's server process: the qsfs program itself run with
 * the `zdb` subcommand, so a node can fail or be killed alone, as a grid node
 * would. The admin password reaches it through the environment, never the
 * command line (which every user of the machine can read).
 *
 * @module
 */

const LISTENING = /^zdb listening on 127\.0\.0\.1:(\d+)$/m;
const STDERR_TAIL_BYTES_MAX = 4096;

export interface NodeLaunch {
  /** The command that runs qsfs, e.g. [deno, "run", "-A", "/path/main.ts"]. */
  selfCommand: readonly string[];
  /** The node's own directory: its `--home` (logs go to logs/ in it). */
  nodeDir: string;
  dataDir: string;
  port: number;
  adminPassword: string;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs: number;
}

export interface NodeExit {
  code: number;
  signal: Deno.Signal | null;
}

/** A node process that did not come up; `addressInUse` says when its port was taken. */
export class NodeStartError extends Error {
  readonly addressInUse: boolean;

  constructor(message: string, addressInUse: boolean) {
    super(message);
    this.name = "NodeStartError";
    this.addressInUse = addressInUse;
  }
}

export class NodeProcess {
  readonly pid: number;
  readonly port: number;
  /** Settles when the process has exited and its output is drained. */
  readonly exited: Promise<NodeExit>;
  readonly #child: Deno.ChildProcess;
  readonly #stderr: () => string;
  #hasExited = false;

  private constructor(
    child: Deno.ChildProcess,
    port: number,
    exited: Promise<NodeExit>,
    stderr: () => string,
  ) {
    this.#child = child;
    this.pid = child.pid;
    this.port = port;
    this.exited = exited.then((exit) => {
      this.#hasExited = true;
      return exit;
    });
    this.#stderr = stderr;
  }

  /** Spawns the node and resolves once it accepts connections. @throws {NodeStartError} */
  static async start(launch: NodeLaunch): Promise<NodeProcess> {
    const [command, ...prefix] = launch.selfCommand;
    const child = new Deno.Command(command!, {
      args: [
        ...prefix,
        "--home",
        launch.nodeDir,
        "--log-level",
        "warn",
        "zdb",
        "--listen",
        `127.0.0.1:${launch.port}`,
        "--data",
        launch.dataDir,
        "--mode",
        "user",
      ],
      env: { QSFS_ZDB_ADMIN_PASSWORD: launch.adminPassword, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let stdout = "";
    let stderr = "";
    let onOutput = () => {};
    const drained = Promise.all([
      drain(child.stdout, (text) => {
        stdout = (stdout + text).slice(-STDERR_TAIL_BYTES_MAX);
        onOutput();
      }),
      drain(child.stderr, (text) => (stderr = (stderr + text).slice(-STDERR_TAIL_BYTES_MAX))),
    ]);
    let exited = false;
    const exit = child.status.then(async (status) => {
      await drained;
      exited = true;
      onOutput();
      return { code: status.code, signal: status.signal };
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const port = await new Promise<number>((resolve, reject) => {
        timer = setTimeout(() => {
          reject(new NodeStartError(`it did not listen within ${launch.startTimeoutMs} ms`, false));
        }, launch.startTimeoutMs);
        onOutput = () => {
          const match = LISTENING.exec(stdout);
          if (match) return resolve(Number(match[1]));
          if (!exited) return;
          const reason = lastLine(stderr) || "it exited before listening";
          reject(new NodeStartError(reason, /address already in use|AddrInUse/i.test(stderr)));
        };
        onOutput();
      });
      return new NodeProcess(child, port, exit, () => stderr);
    } catch (error) {
      if (!exited) child.kill("SIGKILL");
      await exit;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  get hasExited(): boolean {
    return this.#hasExited;
  }

  /** The end of what the process wrote to stderr, for failure reports. */
  stderrTail(): string {
    return this.#stderr();
  }

  /** SIGTERM (the node flushes and exits), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<NodeExit> {
    this.#signal("SIGTERM");
    const timer = setTimeout(() => this.#signal("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL, then waits until the process is reaped. */
  kill(): Promise<NodeExit> {
    this.#signal("SIGKILL");
    return this.exited;
  }

  #signal(signal: Deno.Signal) {
    if (this.#hasExited) return;
    try {
      this.#child.kill(signal);
    } catch {
      // It exited in between.
    }
  }
}

async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void) {
  for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines[lines.length - 1] ?? "").replace(/^qsfs: /, "").trim();
}
