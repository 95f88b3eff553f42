/**
 * Helpers of the end-to-end tests: `qsfs` run as a person runs it, in child
 * processes of a fresh temporary home (words and passphrases on stdin or in
 * files, never on the command line), and the clean-up of the daemon it starts.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeSharedTempDir } from "../fs/_qsfs_process.ts";
import { shOk } from "../fs/_tree.ts";
import { isProcessAlive, readDaemonInfo } from "../../lib/daemon_file.ts";
import type { StorageNode } from "../../server/grid/provider.ts";
import { waitFor } from "../../server/_testing.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
/** The BIP39 words of all-zero entropy: the identity every e2e home recovers. */
export const WORDS = "abandon ".repeat(23) + "art";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
}

/** `qsfs --home HOME ...args`, to completion. */
export async function qsfs(
  home: string,
  args: string[],
  options: RunOptions = {},
): Promise<Result> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--home", home, ...args],
    env: { NO_COLOR: "1", ...options.env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.stdin ?? ""));
  await writer.close();
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** `qsfs ...args` that must succeed; returns its stdout. */
export async function qsfsOk(home: string, args: string[], options?: RunOptions) {
  const result = await qsfs(home, args, options);
  if (result.code !== 0) {
    throw new Error(`qsfs ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
  }
  return result.stdout;
}

/** Creates `count` local nodes of `size` (the daemon starts in the background). */
export async function createNodes(
  home: string,
  count: number,
  size: string,
  extra: string[] = [],
): Promise<StorageNode[]> {
  const out = await qsfsOk(home, [
    "nodes",
    "create",
    "--count",
    String(count),
    "--size",
    size,
    "--json",
    ...extra,
  ]);
  return (JSON.parse(out) as { nodes: StorageNode[] }).nodes;
}

/** Stops the home's daemon (and so its nodes), whatever state the test left. */
export async function stopDaemon(home: string): Promise<void> {
  const info = readDaemonInfo(home);
  if (info === undefined || !isProcessAlive(info.pid)) return;
  const stopped = await qsfs(home, ["stop"]);
  if (stopped.code === 0) return;
  Deno.kill(info.pid, "SIGTERM");
  await waitFor(`daemon ${info.pid} to exit`, () => !isProcessAlive(info.pid));
}

/** The first line of qsfs's stderr: the one-line error. */
export function firstLine(text: string): string {
  return text.split("\n")[0]!;
}

/** A fresh pool home for an e2e test: the e2e identity, local nodes, a mountpoint, source files. */
export interface PoolHome {
  root: string;
  home: string;
  mountpoint: string;
  /** `f0`, `f1`, ...: random files to copy onto the mount. */
  source: string;
  nodes: StorageNode[];
}

export async function makePoolHome(
  prefix: string,
  options: { nodes: number; files: number; fileBytes: number },
): Promise<PoolHome> {
  const root = await makeSharedTempDir(prefix);
  const home = join(root, "home");
  const mountpoint = join(root, "mnt");
  const source = join(root, "source");
  await Deno.mkdir(mountpoint);
  await Deno.mkdir(source);
  await qsfsOk(home, ["recover"], { stdin: WORDS });
  const nodes = await createNodes(home, options.nodes, "256MiB");
  for (let i = 0; i < options.files; i++) {
    await shOk(`head -c ${options.fileBytes} /dev/urandom > '${source}/f${i}'`);
  }
  return { root, home, mountpoint, source, nodes };
}
