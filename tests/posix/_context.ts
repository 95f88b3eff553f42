/**
 * What a POSIX case may use besides Deno's async fs API: Python snippets for exact
 * syscalls (run as root or as an unprivileged uid/gid), shell commands, and a wait for
 * the clock to pass a timestamp. Everything touching the directory runs in a child
 * process, so the suite is safe against a mount served by any process.
 */

import { PYTHON_PRELUDE } from "./_prelude.ts";

/** Credentials for a child process; no `uid` means "as the test process" (root in CI). */
export interface Creds {
  uid: number;
  gid: number;
  groups?: number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PosixContext {
  /** True when the test process is root (cases that switch users need it). */
  isRoot: boolean;
  /** Two unprivileged users with their own groups, and a group only `a` belongs to. */
  users: { a: Creds; b: Creds; shared: number };
  /**
   * Runs a Python snippet (after the prelude in _prelude.ts) with its cwd in `dir`;
   * returns the value it passed to `out(...)`. Ints above 2^53 arrive as strings.
   */
  py<T = any>(dir: string, code: string, as?: Creds): Promise<T>;
  /** Runs `sh -c script` with its cwd in `dir`. */
  sh(dir: string, script: string, as?: Creds): Promise<RunResult>;
  /** Resolves once the wall clock is safely past `ns` (so a new timestamp must differ). */
  clockPast(ns: bigint | number | string): Promise<void>;
}

export interface ContextOptions {
  /** First of the uids/gids used for the unprivileged users (uses base .. base+2). */
  baseId?: number;
  /** Python interpreter; it must be runnable by the unprivileged users too. */
  python?: string;
}

/** Builds the context; probes the Python interpreter once. */
export async function createContext(options: ContextOptions = {}): Promise<PosixContext> {
  const base = options.baseId ?? 4001;
  const python = options.python ?? await findPython();
  const isRoot = Deno.uid() === 0;
  return {
    isRoot,
    users: {
      a: { uid: base, gid: base, groups: [base + 2] },
      b: { uid: base + 1, gid: base + 1 },
      shared: base + 2,
    },
    py: (dir, code, as) => runPython(python, dir, code, as),
    sh: (dir, script, as) => run(["sh", "-c", `cd -- "$0" || exit 97\n${script}`, dir], as),
    clockPast,
  };
}

/** Picks the system Python (readable by any uid) over a per-user shim. */
async function findPython(): Promise<string> {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    try {
      const { code } = await new Deno.Command(candidate, {
        args: ["-S", "-c", "import ctypes, os; os.SEEK_HOLE"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (code === 0) return candidate;
    } catch { /* try the next one */ }
  }
  throw new Error("the POSIX suite needs python3 (with ctypes)");
}

function withCreds(argv: string[], as?: Creds): string[] {
  if (as === undefined) return argv;
  const groups = as.groups && as.groups.length > 0
    ? [`--groups=${as.groups.join(",")}`]
    : ["--clear-groups"];
  return ["setpriv", `--reuid=${as.uid}`, `--regid=${as.gid}`, ...groups, "--", ...argv];
}

async function run(argv: string[], as?: Creds): Promise<RunResult> {
  const [command, ...args] = withCreds(argv, as);
  const output = await new Deno.Command(command!, {
    args,
    stdin: "null",
    env: { LC_ALL: "C", PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function runPython<T>(python: string, dir: string, code: string, as?: Creds): Promise<T> {
  const source = `${PYTHON_PRELUDE}\n${dedent(code)}\n`;
  const result = await run([python, "-S", "-c", source, dir], as);
  if (result.code !== 0) {
    throw new Error(`python snippet failed (exit ${result.code}):\n${result.stderr}\n${code}`);
  }
  const lines = result.stdout.trimEnd().split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (!last.startsWith("@@")) throw new Error(`python snippet printed no out():\n${result.stdout}`);
  return JSON.parse(last.slice(2)) as T;
}

/** Removes the common indentation of a template-literal snippet. */
export function dedent(code: string): string {
  const lines = code.replace(/^\n/, "").split("\n");
  const indents = lines.filter((line) => line.trim() !== "").map((line) =>
    line.length - line.trimStart().length
  );
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(cut)).join("\n");
}

/**
 * Waits until the wall clock is 20 ms past `ns`: a kernel's coarse clock lags by at most
 * one tick (4-10 ms) and a FUSE server may keep milliseconds, so a timestamp taken after
 * this must be larger. This waits on the clock itself, not on another actor.
 */
async function clockPast(ns: bigint | number | string): Promise<void> {
  const targetMs = Number(BigInt(ns) / 1_000_000n) + 20;
  while (Date.now() <= targetMs) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, targetMs - Date.now() + 1)));
  }
}

/** One check of filesystem behaviour, run in a fresh empty directory `dir`. */
export interface PosixCase {
  name: string;
  /** Needs root (switches to unprivileged users, chowns); skipped otherwise. */
  root?: boolean;
  run(dir: string, ctx: PosixContext): Promise<void>;
}

/** Asserts that `promise` rejects with a Deno error whose `.code` is `code` (e.g. "EEXIST"). */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const actual = (error as { code?: string }).code;
    if (actual === code) return;
    throw new Error(`expected ${code}, got ${actual ?? String(error)}`);
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
