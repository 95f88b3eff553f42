/**
 * Model-based random testing of a filesystem: one seeded sequence of operations is
 * applied to two roots (say a qsfs mount and a native directory), every operation's
 * result (value or errno) is compared, then the final trees are compared: types, modes,
 * owners, sizes, content hashes, nlink and hard-link structure, symlink targets, user.*
 * xattrs, and mtimes wherever one side still holds a value set explicitly by utimes.
 *
 * Both roots are driven by Python children (exact syscalls), never by this process.
 */

import { generateOps, type Op } from "./_generate.ts";
import { type OpResult, OpWorker, type TreeEntry } from "./_worker.ts";

export { generateOps, type Op } from "./_generate.ts";
export { type OpResult, OpWorker, type TreeEntry } from "./_worker.ts";

export interface RandomOpsOptions {
  seed: number;
  steps: number;
  /** Python interpreter for the workers (default /usr/bin/python3). */
  python?: string;
  /** Called after the operations and before the snapshots (tests use it to diverge). */
  beforeCompare?: (workers: { a: OpWorker; b: OpWorker }) => Promise<void>;
}

export interface OpMismatch {
  step: number;
  op: Op;
  a: OpResult;
  b: OpResult;
}

export interface RandomOpsReport {
  seed: number;
  steps: number;
  /** How many operations succeeded on side a (a sequence that does nothing proves nothing). */
  succeeded: number;
  mismatches: OpMismatch[];
  treeDiffs: string[];
  /** What side a's final tree holds, to show the comparison had something to compare. */
  tree: TreeSummary;
}

export interface TreeSummary {
  entries: number;
  files: number;
  dirs: number;
  symlinks: number;
  hardLinked: number;
  withXattrs: number;
  explicitMtimes: number;
}

/** Applies the seeded sequence to `rootA` and `rootB` and compares results and trees. */
export async function runRandomOps(
  rootA: string,
  rootB: string,
  options: RandomOpsOptions,
): Promise<RandomOpsReport> {
  const ops = generateOps(options.seed, options.steps);
  const a = OpWorker.start(rootA, options.python);
  const b = OpWorker.start(rootB, options.python);
  try {
    const mismatches: OpMismatch[] = [];
    let succeeded = 0;
    for (const [step, op] of ops.entries()) {
      const [ra, rb] = await Promise.all([a.apply(op), b.apply(op)]);
      if ("ok" in ra) succeeded++;
      if (JSON.stringify(ra) !== JSON.stringify(rb)) mismatches.push({ step, op, a: ra, b: rb });
    }
    await options.beforeCompare?.({ a, b });
    const [treeA, treeB] = await Promise.all([a.snapshot(), b.snapshot()]);
    const explicit = explicitMtimes(ops);
    return {
      seed: options.seed,
      steps: options.steps,
      succeeded,
      mismatches,
      treeDiffs: compareTrees(treeA, treeB, explicit),
      tree: summarize(treeA, explicit),
    };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** The mtimes the sequence sets explicitly (ns, as decimal strings). */
export function explicitMtimes(ops: Op[]): Set<string> {
  return new Set(ops.flatMap((op) => op.kind === "utimes" ? [op.mtime] : []));
}

/**
 * Lists every difference between two snapshots, one line each. An mtime is compared
 * only when either side holds a value from `explicit`: other mtimes are "now" at some
 * instant and legitimately differ between two runs.
 */
export function compareTrees(a: TreeEntry[], b: TreeEntry[], explicit: Set<string>): string[] {
  const diffs: string[] = [];
  const byPath = new Map(b.map((entry) => [entry.path, entry]));
  for (const left of a) {
    const right = byPath.get(left.path);
    byPath.delete(left.path);
    if (right === undefined) {
      diffs.push(`${left.path}: only in a (${left.type})`);
      continue;
    }
    for (const field of ["type", "mode", "uid", "gid", "nlink", "size", "target"] as const) {
      if (left[field] !== right[field]) {
        diffs.push(`${left.path}: ${field} ${show(left[field])} != ${show(right[field])}`);
      }
    }
    if (JSON.stringify(left.hash) !== JSON.stringify(right.hash)) {
      diffs.push(`${left.path}: content ${show(left.hash)} != ${show(right.hash)}`);
    }
    if (JSON.stringify(left.xattrs) !== JSON.stringify(right.xattrs)) {
      diffs.push(`${left.path}: xattrs ${show(left.xattrs)} != ${show(right.xattrs)}`);
    }
    if (left.linkGroup !== right.linkGroup) {
      diffs.push(`${left.path}: hard-linked with ${left.linkGroup} != ${right.linkGroup}`);
    }
    const explicitSide = explicit.has(left.mtime) || explicit.has(right.mtime);
    if (explicitSide && left.mtime !== right.mtime) {
      diffs.push(`${left.path}: mtime ${left.mtime} != ${right.mtime}`);
    }
  }
  for (const right of byPath.values()) diffs.push(`${right.path}: only in b (${right.type})`);
  return diffs;
}

/** Counts what a snapshot holds. */
export function summarize(tree: TreeEntry[], explicit: Set<string>): TreeSummary {
  const count = (test: (entry: TreeEntry) => boolean) => tree.filter(test).length;
  return {
    entries: tree.length,
    files: count((e) => e.type === "file"),
    dirs: count((e) => e.type === "dir"),
    symlinks: count((e) => e.type === "symlink"),
    hardLinked: count((e) => e.type !== "dir" && e.nlink > 1),
    withXattrs: count((e) => Object.keys(e.xattrs ?? {}).length > 0),
    explicitMtimes: count((e) => explicit.has(e.mtime)),
  };
}

/** A readable summary for assertion messages (first few mismatches, with the seed). */
export function formatReport(report: RandomOpsReport, limit = 10): string {
  const lines = [
    `seed ${report.seed}, ${report.steps} steps, ${report.succeeded} succeeded, ` +
    `tree ${JSON.stringify(report.tree)}; ${report.mismatches.length} op mismatches, ` +
    `${report.treeDiffs.length} tree differences`,
  ];
  for (const m of report.mismatches.slice(0, limit)) {
    lines.push(`  step ${m.step} ${JSON.stringify(m.op)}: a=${show(m.a)} b=${show(m.b)}`);
  }
  for (const diff of report.treeDiffs.slice(0, limit)) lines.push(`  ${diff}`);
  return lines.join("\n");
}

function show(value: unknown): string {
  return value === undefined ? "-" : JSON.stringify(value);
}
