/**
 * The seeded model-based random test against a real qsfs mount (served by a
 * `qsfs mount DIR --foreground` child process) and a native directory: every
 * operation's result and the final trees must agree exactly.
 */

import assert from "node:assert/strict";
import { canMount, makeSharedTempDir, startMount } from "../fs/_qsfs_process.ts";
import { formatReport, runRandomOps } from "./random_ops.ts";

const SEEDS = [1, 2, 3];
const STEPS = 2500;

Deno.test({
  name: "model test: a qsfs mount and a native directory agree on random sequences",
  ignore: !canMount(),
  async fn() {
    const root = await makeSharedTempDir("qsfs_model_qsfs_");
    const mountpoint = `${root}/mnt`;
    await Deno.mkdir(mountpoint);
    const server = await startMount({ home: `${root}/home`, mountpoint });
    try {
      for (const seed of SEEDS) {
        const a = `${mountpoint}/seed_${seed}`;
        const b = `${root}/native_${seed}`;
        await Deno.mkdir(a);
        await Deno.mkdir(b);
        const report = await runRandomOps(a, b, { seed, steps: STEPS });
        const summary = formatReport(report);
        assert.deepEqual(report.mismatches, [], summary);
        assert.deepEqual(report.treeDiffs, [], summary);
        assert.ok(report.succeeded > STEPS / 2, `too few operations succeeded: ${summary}`);
        assert.ok(report.tree.files > 0 && report.tree.dirs > 0, summary);
      }
    } finally {
      try {
        await server.unmount();
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    }
  },
});
