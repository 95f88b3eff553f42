/**
 * What a mount stores survives unmounting: a tree built by real programs and
 * a seeded random sequence looks exactly the same (inode numbers, modes,
 * owners, sizes, times in nanoseconds, contents, links, xattrs) after
 * `qsfs umount` and a new `qsfs mount` of the same home.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { generateOps, OpWorker } from "../model/random_ops.ts";
import { canMount, makeSharedTempDir, startMount } from "./_qsfs_process.ts";
import { shOk, snapshotTree } from "./_tree.ts";

const FS_SOURCES = fileURLToPath(new URL("../../fs", import.meta.url));

/** Builds a varied tree at `dir` with ordinary programs. */
async function buildTree(dir: string): Promise<void> {
  await shOk(`
    set -e
    cd '${dir}'
    cp -a '${FS_SOURCES}' src
    mkdir -p deep/a/b/c && echo leaf > deep/a/b/c/leaf.txt
    ln -s ../src/mod.ts deep/link && ln -s missing deep/dangling
    ln deep/a/b/c/leaf.txt hard && mkfifo fifo
    head -c 5242881 /dev/urandom > random.bin
    truncate -s 200M sparse && printf tail | dd of=sparse bs=1 seek=209715200 conv=notrunc 2>/dev/null
    printf head | dd of=sparse conv=notrunc 2>/dev/null
    touch -d '2001-02-03 04:05:06.123456789' deep/a/old
    chmod 4750 random.bin && chmod 1777 deep && chown 4001:4002 deep/a/old
    python3 -S -c 'import os; os.setxattr("random.bin", "user.note", b"\\x00kept")'
    printf 'x%.0s' $(seq 1 300) > "$(printf 'n%.0s' $(seq 1 255))"
  `);
}

Deno.test({
  name: "a remount shows the same tree, byte for byte and nanosecond for nanosecond",
  ignore: !canMount(),
  async fn() {
    const root = await makeSharedTempDir("qsfs_persist_");
    const home = `${root}/home`;
    const mountpoint = `${root}/mnt`;
    await Deno.mkdir(mountpoint);
    let server = await startMount({ home, mountpoint });
    try {
      await Deno.mkdir(`${mountpoint}/tree`);
      await buildTree(`${mountpoint}/tree`);
      await Deno.mkdir(`${mountpoint}/random`);
      const worker = OpWorker.start(`${mountpoint}/random`);
      try {
        for (const op of generateOps(21, 1500)) await worker.apply(op);
      } finally {
        await worker.close();
      }
      const before = await snapshotTree(mountpoint);
      assert.ok(before.length > 100, `the tree holds ${before.length} entries`);
      await server.unmount();
      server = await startMount({ home, mountpoint });
      const after = await snapshotTree(mountpoint);
      assert.deepEqual(after, before);
    } finally {
      try {
        await server.unmount();
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    }
  },
});
