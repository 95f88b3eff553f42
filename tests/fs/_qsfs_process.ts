/**
 * Runs qsfs as the user would, in child processes: `qsfs mount DIR --foreground`
 * serving a mount (this process never serves it, so it may touch the mount
 * freely) and one-shot commands such as `qsfs umount DIR`.
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const READY_TIMEOUT_MS = 60_000;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether this machine can run the real-mount tests (root and /dev/fuse). */
export function canMount(): boolean {
  try {
    return Deno.uid() === 0 && Deno.statSync("/dev/fuse").isCharDevice === true;
  } catch {
    return false;
  }
}

/** Runs `qsfs ...args` to completion. */
export async function runQsfs(args: string[]): Promise<RunResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A `qsfs mount DIR --foreground` child process, mounted and ready. */
export interface MountProcess {
  readonly pid: number;
  readonly mountpoint: string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number>;
  /** Everything the process wrote to stderr so far (its logs). */
  stderr(): string;
  /** Sends a signal (SIGTERM and SIGINT unmount cleanly; SIGKILL leaves a stale mount). */
  kill(signal: Deno.Signal): void;
  /** `qsfs umount DIR`, then waits for the server to exit; throws unless both succeed. */
  unmount(): Promise<void>;
}

export interface StartOptions {
  home: string;
  mountpoint: string;
  /**
   * Extra arguments after `mount DIR`. @default ["--foreground", "--allow-other", "--local-only"]
   */
  args?: string[];
}

/** Starts `qsfs --home H mount DIR --foreground` and resolves once it printed "qsfs mounted". */
export async function startMount(options: StartOptions): Promise<MountProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--home",
      options.home,
      "mount",
      options.mountpoint,
      ...(options.args ?? ["--foreground", "--allow-other", "--local-only"]),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let errText = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (errText += chunk) }),
  );
  let outText = "";
  const stdoutDone = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (outText += chunk) }),
  );
  const exited = Promise.all([child.status, stderrDone, stdoutDone]).then(([status]) =>
    status.code
  );
  const process: MountProcess = {
    pid: child.pid,
    mountpoint: options.mountpoint,
    exited,
    stderr: () => errText,
    kill: (signal) => child.kill(signal),
    async unmount() {
      const result = await runQsfs(["umount", options.mountpoint]);
      if (result.code !== 0) throw new Error(`qsfs umount failed: ${result.stderr}`);
      const code = await exited;
      if (code !== 0) throw new Error(`qsfs mount exited ${code}: ${errText}`);
    },
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ended = false;
  exited.then(() => ended = true);
  while (!outText.includes("qsfs mounted ")) {
    if (ended) throw new Error(`qsfs mount exited before it was ready:\n${errText}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await exited;
      throw new Error(`qsfs mount was not ready within ${READY_TIMEOUT_MS} ms:\n${errText}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process;
}

/** A fresh temporary directory searchable by every user (the POSIX suite switches users). */
export async function makeSharedTempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  await Deno.chmod(dir, 0o755);
  return dir;
}
