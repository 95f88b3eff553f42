/** Helpers for the real-mount tests: child processes and temporary mountpoints. */

import {
  type FuseServer,
  type RawFileSystem,
  serveFuse,
  type ServeOptions,
} from "../../fs/fuse/mod.ts";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a shell script in a child process (never touch the mount from the serving process). */
export async function sh(script: string): Promise<RunResult> {
  const output = await new Deno.Command("sh", { args: ["-c", script], stdin: "null" }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs a script and returns its stdout; throws with stderr if it fails. */
export async function shOk(script: string): Promise<string> {
  const result = await sh(script);
  if (result.code !== 0) throw new Error(`\`${script}\` exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Mounts `fs` in a fresh temporary directory, runs `body`, then unmounts and cleans up. */
export async function withMount(
  fs: RawFileSystem,
  body: (dir: string, server: FuseServer) => Promise<void>,
  options: ServeOptions = {},
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "qsfs_fuse_test_" });
  const dir = `${root}/mnt`;
  await Deno.mkdir(dir);
  const server = await serveFuse(fs, dir, { logger: quietLogger(), ...options });
  try {
    await server.ready;
    await body(dir, server);
  } finally {
    await server.unmount();
    await Deno.remove(root, { recursive: true });
  }
}

/** A logger that keeps messages for assertions instead of printing them. */
export function quietLogger(): {
  messages: string[];
  warn(m: string): void;
  error(m: string): void;
} {
  const messages: string[] = [];
  return {
    messages,
    warn: (message: string) => messages.push(message),
    error: (message: string) => messages.push(message),
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes (a bounded wait, not a sleep). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
