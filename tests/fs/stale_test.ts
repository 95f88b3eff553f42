/**
 * A `qsfs mount` server killed with SIGKILL leaves a stale mount (ENOTCONN).
 * The next `qsfs umount` or `qsfs mount` detects and cleans it, and a new
 * mount shows a consistent tree in which every fsynced file is intact.
 */

import assert from "node:assert/strict";
import { isFuseMounted, isStaleMount } from "../../fs/fuse/mod.ts";
import { canMount, makeSharedTempDir, runQsfs, startMount } from "./_qsfs_process.ts";
import { sh, shOk } from "./_tree.ts";

/** Mounts, writes and fsyncs a file, then kills the server with SIGKILL. */
async function mountWriteAndKill(home: string, mountpoint: string, data: string): Promise<void> {
  const server = await startMount({ home, mountpoint });
  try {
    await shOk(`dd if='${data}' of='${mountpoint}/synced' bs=64k conv=fsync 2>/dev/null`);
    await shOk(`mkdir -p '${mountpoint}/dir/sub' && echo x > '${mountpoint}/dir/sub/f'`);
  } finally {
    server.kill("SIGKILL");
    await server.exited;
  }
}

async function withRoot(body: (root: string, data: string) => Promise<void>): Promise<void> {
  const root = await makeSharedTempDir("qsfs_stale_");
  try {
    await Deno.mkdir(`${root}/mnt`);
    await shOk(`head -c 9000000 /dev/urandom > '${root}/data'`);
    await body(root, `${root}/data`);
  } finally {
    await runQsfs(["umount", `${root}/mnt`]);
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test({
  name: "kill -9 leaves a stale mount that qsfs umount cleans up",
  ignore: !canMount(),
  async fn() {
    await withRoot(async (root, data) => {
      const mountpoint = `${root}/mnt`;
      await mountWriteAndKill(`${root}/home`, mountpoint, data);
      assert.match((await sh(`ls '${mountpoint}'`)).stderr, /Transport endpoint is not connected/);
      assert.equal(await isStaleMount(mountpoint), true);
      const result = await runQsfs(["umount", mountpoint]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout,
        `qsfs cleaned up the stale mount at ${mountpoint} (its server had stopped)\n`,
      );
      assert.equal(await isFuseMounted(mountpoint), false);
      const server = await startMount({ home: `${root}/home`, mountpoint });
      try {
        await shOk(`cmp '${data}' '${mountpoint}/synced'`);
        assert.equal(await Deno.readTextFile(`${mountpoint}/dir/sub/f`), "x\n");
      } finally {
        await server.unmount();
      }
    });
  },
});

Deno.test({
  name: "qsfs mount over a stale mount cleans it up and serves the same tree",
  ignore: !canMount(),
  async fn() {
    await withRoot(async (root, data) => {
      const mountpoint = `${root}/mnt`;
      await mountWriteAndKill(`${root}/home`, mountpoint, data);
      assert.equal(await isStaleMount(mountpoint), true);
      const server = await startMount({ home: `${root}/home`, mountpoint });
      try {
        assert.equal(await isStaleMount(mountpoint), false);
        await shOk(`cmp '${data}' '${mountpoint}/synced'`);
        assert.deepEqual(
          (await shOk(`cd '${mountpoint}' && find . | sort`)).split("\n"),
          [".", "./dir", "./dir/sub", "./dir/sub/f", "./synced", ""],
        );
      } finally {
        await server.unmount();
      }
    });
  },
});
