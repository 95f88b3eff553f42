/**
 * The POSIX suite against native filesystems (ext4 under the temp dir, and a tmpfs
 * mounted here when root): this proves the suite's expectations are right before it is
 * pointed at a qsfs mount.
 */

import assert from "node:assert/strict";
import { posixCases, runPosixCases, runPosixSuite } from "./suite.ts";

const isRoot = Deno.uid() === 0;

/** Makes a 0755 root for case directories and removes it (recursively) afterwards. */
async function withCaseRoot(
  root: string,
  body: (makeDir: (name: string) => Promise<string>) => Promise<void>,
): Promise<void> {
  let count = 0;
  try {
    await body(async () => {
      const dir = `${root}/case_${String(count++).padStart(3, "0")}`;
      await Deno.mkdir(dir);
      return dir;
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function run(argv: string[]): Promise<void> {
  const output = await new Deno.Command(argv[0]!, { args: argv.slice(1), stdin: "null" }).output();
  if (output.code !== 0) {
    throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
}

// Every case holds on the native disk under the temp dir (ext4 here).
Deno.test("posix suite: native temp dir", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "qsfs_posix_native_" });
  await Deno.chmod(root, 0o755);
  await withCaseRoot(root, (makeDir) => runPosixSuite(t, makeDir));
});

// Every case holds on a tmpfs mounted for the test (a second, independent filesystem).
Deno.test({
  name: "posix suite: tmpfs",
  ignore: !isRoot,
  async fn(t) {
    const mountpoint = await Deno.makeTempDir({ prefix: "qsfs_posix_tmpfs_" });
    await run(["mount", "-t", "tmpfs", "-o", "size=256m,mode=0755", "qsfs_posix", mountpoint]);
    try {
      await withCaseRoot(`${mountpoint}/cases`, async (makeDir) => {
        await Deno.mkdir(`${mountpoint}/cases`, { mode: 0o755 });
        await runPosixSuite(t, makeDir);
      });
    } finally {
      await run(["umount", mountpoint]);
      await Deno.remove(mountpoint);
    }
  },
});

// The suite can fail: on ramfs (no user or security xattrs, no hole tracking, no fallocate, zero statfs
// totals) exactly the cases about those report failures, and every other case passes.
Deno.test({
  name: "posix suite: ramfs fails exactly the cases about what ramfs lacks",
  ignore: !isRoot,
  async fn() {
    const mountpoint = await Deno.makeTempDir({ prefix: "qsfs_posix_ramfs_" });
    await run(["mount", "-t", "ramfs", "-o", "mode=0755", "qsfs_posix", mountpoint]);
    try {
      let count = 0;
      const results = await runPosixCases(async () => {
        const dir = `${mountpoint}/case_${count++}`;
        await Deno.mkdir(dir);
        return dir;
      });
      const failed = results.filter((r) => r.status === "failed").map((r) => r.name.split(":")[0]);
      assert.deepEqual(failed, [
        "sparse",
        "large file",
        "fallocate",
        "times",
        "xattr",
        "security.capability",
        "xattr",
        "statfs",
      ]);
      assert.equal(results.filter((r) => r.status === "ok").length, posixCases.length - 8);
    } finally {
      await run(["umount", mountpoint]);
      await Deno.remove(mountpoint);
    }
  },
});
