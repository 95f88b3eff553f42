/**
 * A reusable POSIX conformance suite: every case takes a fresh empty directory on the
 * filesystem under test and checks behaviour there, with exact errno names. The test
 * process only touches that directory through Deno's async fs API and child processes,
 * so the suite may run against a FUSE mount (served by another process or not).
 *
 * The directory a factory hands out must be searchable by every user (mode 0755 up the
 * path) and, on a FUSE mount, mounted with allow_other, because several cases run as
 * unprivileged users. Those cases need root and are skipped without it.
 *
 * Use from a test (e.g. a later tests/posix/qsfs_test.ts, with the mount served by a
 * `qsfs mount DIR --foreground` child):
 *
 *   Deno.test("posix suite: qsfs", async (t) => {
 *     let n = 0;
 *     await runPosixSuite(t, async () => {
 *       const dir = `${mountpoint}/case_${n++}`;
 *       await Deno.mkdir(dir);
 *       return dir;
 *     });
 *   });
 */

import { dataCases } from "./_cases_data.ts";
import { fileCases } from "./_cases_files.ts";
import { linkCases } from "./_cases_links.ts";
import { metaCases } from "./_cases_meta.ts";
import { permCases } from "./_cases_perms.ts";
import { renameCases } from "./_cases_rename.ts";
import { walkCases } from "./_cases_walk.ts";
import {
  type ContextOptions,
  createContext,
  type PosixCase,
  type PosixContext,
} from "./_context.ts";

export type { PosixCase, PosixContext } from "./_context.ts";

/** Every case of the suite, in a stable order. */
export const posixCases: PosixCase[] = [
  ...fileCases,
  ...dataCases,
  ...linkCases,
  ...renameCases,
  ...permCases,
  ...walkCases,
  ...metaCases,
];

/** Hands out a fresh, empty directory for one case (named after it, for messages). */
export type DirFactory = (caseName: string) => Promise<string>;

export interface SuiteOptions extends ContextOptions {
  /** Cases to skip, by name, with the reason (reported as ignored steps). */
  skip?: Record<string, string>;
}

/** The outcome of one case when run outside a test's steps. */
export interface CaseResult {
  name: string;
  status: "ok" | "failed" | "skipped";
  error?: unknown;
}

function skipped(posixCase: PosixCase, ctx: PosixContext, options: SuiteOptions): boolean {
  return (posixCase.root === true && !ctx.isRoot) ||
    options.skip?.[posixCase.name] !== undefined;
}

/** Runs one case in a fresh 0755 directory from `makeDir`. */
async function runCase(posixCase: PosixCase, ctx: PosixContext, makeDir: DirFactory) {
  const dir = await makeDir(posixCase.name);
  await Deno.chmod(dir, 0o755);
  await posixCase.run(dir, ctx);
}

/**
 * Runs every case as a step of the test `t`, each in a directory from `makeDir`.
 * The factory's owner removes the directories afterwards.
 */
export async function runPosixSuite(
  t: Deno.TestContext,
  makeDir: DirFactory,
  options: SuiteOptions = {},
): Promise<void> {
  const ctx = await createContext(options);
  for (const posixCase of posixCases) {
    await t.step({
      name: posixCase.name,
      ignore: skipped(posixCase, ctx, options),
      fn: () => runCase(posixCase, ctx, makeDir),
    });
  }
}

/** Runs every case outside any test and returns the outcomes (for reports and meta-tests). */
export async function runPosixCases(
  makeDir: DirFactory,
  options: SuiteOptions = {},
): Promise<CaseResult[]> {
  const ctx = await createContext(options);
  const results: CaseResult[] = [];
  for (const posixCase of posixCases) {
    if (skipped(posixCase, ctx, options)) {
      results.push({ name: posixCase.name, status: "skipped" });
      continue;
    }
    try {
      await runCase(posixCase, ctx, makeDir);
      results.push({ name: posixCase.name, status: "ok" });
    } catch (error) {
      results.push({ name: posixCase.name, status: "failed", error });
    }
  }
  return results;
}
