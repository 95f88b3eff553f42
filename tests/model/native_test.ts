/**
 * The model-based random test proven on native filesystems: two native roots agree
 * exactly, and a root made to diverge (one extra write, one stray entry) is caught.
 */

import assert from "node:assert/strict";
import {
  compareTrees,
  formatReport,
  generateOps,
  runRandomOps,
  type TreeEntry,
} from "./random_ops.ts";

const isRoot = Deno.uid() === 0;

async function withRoots(body: (a: string, b: string) => Promise<void>): Promise<void> {
  const parent = await Deno.makeTempDir({ prefix: "qsfs_model_" });
  try {
    await Deno.mkdir(`${parent}/a`);
    await Deno.mkdir(`${parent}/b`);
    await body(`${parent}/a`, `${parent}/b`);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

async function run(argv: string[]): Promise<void> {
  const output = await new Deno.Command(argv[0]!, { args: argv.slice(1), stdin: "null" }).output();
  if (output.code !== 0) {
    throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

// The sequence is a pure function of the seed, and it mixes every kind of operation.
Deno.test("generateOps is deterministic per seed and covers every operation", () => {
  assert.deepEqual(generateOps(7, 300), generateOps(7, 300));
  assert.notDeepEqual(generateOps(7, 300), generateOps(8, 300));
  const kinds = new Set(generateOps(7, 2000).map((op) => op.kind));
  assert.equal(kinds.size, 23, `kinds seen: ${[...kinds].join(", ")}`);
});

// Two native directories on the same disk agree op by op and tree by tree, for several seeds.
Deno.test("two native roots agree exactly on random sequences", async () => {
  const seen = { files: 0, dirs: 0, symlinks: 0, hardLinked: 0, withXattrs: 0, explicitMtimes: 0 };
  for (const seed of [1, 2, 3, 4]) {
    await withRoots(async (a, b) => {
      const report = await runRandomOps(a, b, { seed, steps: 2500 });
      const summary = formatReport(report);
      assert.deepEqual(report.mismatches, [], summary);
      assert.deepEqual(report.treeDiffs, [], summary);
      // Without root, read-only modes the sequence sets lock the owner out of much of the tree.
      if (isRoot) assert.ok(report.succeeded > 1200, `too few operations succeeded: ${summary}`);
      for (const key of Object.keys(seen) as (keyof typeof seen)[]) seen[key] += report.tree[key];
    });
  }
  for (const [key, count] of Object.entries(seen)) {
    if (!isRoot) break;
    assert.ok(count > 0, `no final tree had any ${key}: the comparison did not exercise it`);
  }
});

// ext4 and tmpfs agree too: the comparison holds across different filesystem implementations.
Deno.test({
  name: "a native disk root and a tmpfs root agree exactly",
  ignore: !isRoot,
  async fn() {
    await withRoots(async (a, b) => {
      await run(["mount", "-t", "tmpfs", "-o", "size=512m", "qsfs_model", b]);
      try {
        const report = await runRandomOps(a, b, { seed: 11, steps: 1500 });
        assert.deepEqual([report.mismatches, report.treeDiffs], [[], []], formatReport(report));
      } finally {
        await run(["umount", b]);
      }
    });
  },
});

// One extra write on one side after the sequence shows up as a content difference of that file.
Deno.test("an extra write on one root is reported as a tree difference", async () => {
  await withRoots(async (a, b) => {
    let victim = "";
    const report = await runRandomOps(a, b, {
      seed: 5,
      steps: 400,
      beforeCompare: async (workers) => {
        const files = (await workers.a.snapshot()).filter((entry) => entry.type === "file");
        victim = files.find((entry) => (entry.size ?? 0) > 0)!.path;
        const op = { kind: "write", path: victim, offset: 0, length: 64, seed: 99 } as const;
        assert.deepEqual(await workers.a.apply(op), { ok: 64 });
      },
    });
    assert.deepEqual(report.mismatches, []);
    assert.ok(
      report.treeDiffs.some((diff) => diff.startsWith(`${victim}: content`)),
      formatReport(report),
    );
  });
});

// A stray entry in one root before the sequence makes some operation's result differ.
Deno.test("a root that starts different is caught op by op", async () => {
  await withRoots(async (a, b) => {
    await Deno.mkdir(`${b}/a`);
    const report = await runRandomOps(a, b, { seed: 5, steps: 400 });
    assert.ok(report.mismatches.length > 0, formatReport(report));
    assert.ok(report.treeDiffs.length > 0, formatReport(report));
  });
});

// Only explicitly set mtimes are compared; hard-link structure and xattrs always are.
Deno.test("compareTrees compares explicit mtimes, link groups and xattrs", () => {
  const base: TreeEntry = {
    path: "f",
    type: "file",
    mode: 0o644,
    uid: 0,
    gid: 0,
    nlink: 1,
    size: 3,
    hash: [3, "abcd"],
    xattrs: {},
    mtime: "100",
    linkGroup: "f",
  };
  const explicit = new Set(["100"]);
  assert.deepEqual(compareTrees([base], [{ ...base, mtime: "100" }], explicit), []);
  assert.deepEqual(
    compareTrees([{ ...base, mtime: "5" }], [{ ...base, mtime: "6" }], explicit),
    [],
  );
  assert.deepEqual(compareTrees([base], [{ ...base, mtime: "7" }], explicit), [
    "f: mtime 100 != 7",
  ]);
  assert.deepEqual(
    compareTrees([base], [{ ...base, linkGroup: "e", xattrs: { "user.a": "01" } }], explicit),
    [
      'f: xattrs {} != {"user.a":"01"}',
      "f: hard-linked with f != e",
    ],
  );
  assert.deepEqual(compareTrees([base], [], explicit), ["f: only in a (file)"]);
});
