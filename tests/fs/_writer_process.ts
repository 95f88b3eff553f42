/**
 * The crash writer (_crash_writer.ts) as a child process, its stdout
 * collected as it comes: what the crash tests of tests/fs and tests/e2e read
 * to know how far it got before they kill the mount's server.
 */
import { fileURLToPath } from "node:url";

const WRITER = fileURLToPath(new URL("./_crash_writer.ts", import.meta.url));

export interface WriterProcess {
  /** Every complete line printed so far. */
  lines(): string[];
  /** The names printed after `verb` ("synced", "closed", "writing", ...), in order. */
  named(verb: string): string[];
  /** All output so far, for messages. */
  text(): string;
  exited(): boolean;
  /** Waits for the exit and the whole output; the exit code. */
  finish(): Promise<number>;
  kill(): void;
}

/** Starts the writer on `dir` (a directory in a mount). */
export function startWriter(dir: string): WriterProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, dir],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  const read = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (text += chunk) }),
  );
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const lines = () => text.split("\n").slice(0, -1);
  return {
    lines,
    named: (verb) =>
      lines().filter((line) => line.startsWith(`${verb} `)).map((line) =>
        line.slice(verb.length + 1)
      ),
    text: () => text,
    exited: () => exited,
    async finish() {
      const [{ code }] = await Promise.all([status, read]);
      return code;
    },
    kill() {
      if (!exited) child.kill("SIGKILL");
    },
  };
}
