/**
 * `qsfs mount` and `qsfs umount` as a person runs them: the mount is served by
 * a child process until `qsfs umount`, SIGTERM or SIGINT, which unmount
 * cleanly and keep what was written; bad input gets one clear line and the
 * exit codes of DESIGN.md (1 a failure it explains, 2 bad usage).
 */

import assert from "node:assert/strict";
import { isFuseMounted } from "../../fs/fuse/mod.ts";
import { canMount, makeSharedTempDir, runQsfs, startMount } from "./_qsfs_process.ts";
import { sh, shOk } from "./_tree.ts";

/** The lines qsfs wrote to stderr that start with "qsfs: " (its error lines, not its logs). */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("qsfs: "));
}

async function withRoot(body: (root: string) => Promise<void>): Promise<void> {
  const root = await makeSharedTempDir("qsfs_mount_cli_");
  try {
    await Deno.mkdir(`${root}/mnt`);
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("qsfs mount and umount refuse bad usage with exit code 2", async () => {
  for (
    const [args, message] of <[string[], string][]> [
      [["mount"], "Cannot run mount: give the mountpoint DIR"],
      [["mount", "a", "b"], 'Cannot run mount: unexpected argument "b"'],
      [["mount", "a", "--bogus"], "Cannot parse flag --bogus: unknown flag"],
      [["mount", "a", "--state="], "Cannot use --state: the path is empty"],
      [["umount"], "Cannot run umount: give the mountpoint DIR"],
    ]
  ) {
    const result = await runQsfs(["--home", "/nonexistent/qsfs_home", ...args]);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(errorLines(result.stderr)[0], `qsfs: ${message}`);
    assert.match(result.stderr, /Usage: qsfs u?mount DIR/);
  }
});

Deno.test("qsfs mount --help says it serves in the foreground", async () => {
  const result = await runQsfs(["mount", "--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--foreground is accepted\nand implied/);
  assert.match(result.stdout, /--state DIR/);
});

Deno.test({
  name: "qsfs mount and umount explain failures in one line with exit code 1",
  ignore: !canMount(),
  async fn() {
    await withRoot(async (root) => {
      const home = `${root}/home`;
      const missing = await runQsfs(["--home", home, "mount", `${root}/nope`, "--local-only"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, `qsfs: Cannot mount on ${root}/nope: no such directory\n`);
      await Deno.writeTextFile(`${root}/file`, "");
      const file = await runQsfs(["--home", home, "mount", `${root}/file`, "--local-only"]);
      assert.equal(file.code, 1);
      assert.equal(file.stderr, `qsfs: Cannot mount on ${root}/file: not a directory\n`);
      const inside = await runQsfs(["mount", root, "--state", `${root}/state`, "--local-only"]);
      assert.equal(inside.code, 1);
      assert.deepEqual(errorLines(inside.stderr), [
        `qsfs: Cannot mount on ${root}: the filesystem's state lives in ${root}/state, inside the mountpoint`,
      ]);
      const notMounted = await runQsfs(["umount", `${root}/mnt`]);
      assert.equal(notMounted.code, 1);
      assert.deepEqual(errorLines(notMounted.stderr), [
        `qsfs: Cannot unmount ${root}/mnt: no FUSE filesystem is mounted there`,
      ]);
    });
  },
});

Deno.test({
  name: "qsfs mount serves DIR until qsfs umount, then exits 0; a busy DIR or state is refused",
  ignore: !canMount(),
  async fn() {
    await withRoot(async (root) => {
      const mountpoint = `${root}/mnt`;
      const server = await startMount({ home: `${root}/home`, mountpoint });
      try {
        await shOk(`echo hello > '${mountpoint}/a' && mkdir '${mountpoint}/d'`);
        assert.equal(await Deno.readTextFile(`${mountpoint}/a`), "hello\n");
        assert.match(await shOk(`grep ' ${mountpoint} ' /proc/mounts`), /^qsfs \S+ fuse\.qsfs /);
        // The readahead window was raised from FUSE's 128 KiB (we run as root here).
        const device = (await shOk(`mountpoint -d '${mountpoint}'`)).trim();
        const readahead = await Deno.readTextFile(`/sys/class/bdi/${device}/read_ahead_kb`);
        assert.equal(readahead.trim(), "4096");
        const again = await runQsfs([
          "--home",
          `${root}/other`,
          "mount",
          mountpoint,
          "--local-only",
        ]);
        assert.equal(again.code, 1);
        assert.match(errorLines(again.stderr)[0]!, /a live FUSE filesystem is mounted there$/);
        await Deno.mkdir(`${root}/mnt2`);
        const shared = await runQsfs([
          "--home",
          `${root}/home`,
          "mount",
          `${root}/mnt2`,
          "--local-only",
        ]);
        assert.equal(shared.code, 1);
        assert.deepEqual(errorLines(shared.stderr), [
          `qsfs: Cannot open the filesystem in ${root}/home/fs: another qsfs process ` +
          `(pid ${server.pid}) is using it`,
        ]);
        assert.equal(await isFuseMounted(`${root}/mnt2`), false);
      } finally {
        await server.unmount();
      }
      assert.equal(await isFuseMounted(mountpoint), false);
      assert.match(server.stderr(), /INFO unmounted/);
    });
  },
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test({
    name: `${signal} unmounts cleanly and keeps what was written`,
    ignore: !canMount(),
    async fn() {
      await withRoot(async (root) => {
        const home = `${root}/home`;
        const mountpoint = `${root}/mnt`;
        const first = await startMount({ home, mountpoint });
        try {
          await shOk(`head -c 3000000 /dev/urandom > '${root}/data'`);
          await shOk(`cp '${root}/data' '${mountpoint}/data' && echo kept > '${mountpoint}/note'`);
        } finally {
          first.kill(signal);
          assert.equal(await first.exited, 0, first.stderr());
        }
        assert.equal(await isFuseMounted(mountpoint), false);
        const second = await startMount({ home, mountpoint });
        try {
          await shOk(`cmp '${root}/data' '${mountpoint}/data'`);
          assert.equal(await Deno.readTextFile(`${mountpoint}/note`), "kept\n");
        } finally {
          await second.unmount();
        }
      });
    },
  });
}

Deno.test({
  // A root mount without allow_other answers EACCES to every other user, even
  // on a 0755 directory; native filesystems (and the POSIX suites run on them,
  // which switch users) see only the permission bits.
  name: "a mount by root lets other users in by default, and the permission bits still apply",
  ignore: !canMount(), // root, which the default is about
  async fn() {
    await withRoot(async (root) => {
      const mountpoint = `${root}/mnt`;
      const server = await startMount({
        home: `${root}/home`,
        mountpoint,
        args: ["--foreground", "--local-only"],
      });
      try {
        await shOk(`cd '${mountpoint}' && echo open > a && echo secret > s && chmod 600 s`);
        assert.match(await shOk(`grep ' ${mountpoint} ' /proc/mounts`), /[,\s]allow_other[,\s]/);
        const nobody = `setpriv --reuid=65534 --regid=65534 --clear-groups --`;
        assert.equal(await shOk(`${nobody} cat '${mountpoint}/a'`), "open\n");
        const denied = await sh(`${nobody} cat '${mountpoint}/s'`);
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /Permission denied/);
      } finally {
        await server.unmount();
      }
    });
  },
});
