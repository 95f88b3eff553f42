/**
 * The promise of issue 7, end to end, on a real mount over 6 local storage
 * nodes (real node processes under the daemon): a kill -9 of the mount's
 * server loses no fsynced byte; with the state directory and the identity
 * wiped, the words alone (on stdin) bring the same tree back (content, modes,
 * owners, times, symlinks, hard links, xattrs) into a new state directory.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { NodeRegistry } from "../../server/grid/registry.ts";
import { canMount, makeSharedTempDir, type MountProcess } from "../fs/_qsfs_process.ts";
import { shOk, snapshotTree } from "../fs/_tree.ts";
import { createNodes, firstLine, qsfs, qsfsOk, stopDaemon, WORDS } from "./_home.ts";
import {
  checkSynced,
  cleanUpMount,
  inFlightPaths,
  mountPool,
  TREE_SCRIPT,
  writeAndKill,
} from "./_mount.ts";

/** No namespace password (derived or not) in the mount's stderr or any log of the home. */
async function assertNoSecretLogged(home: string, mountLog: string): Promise<void> {
  const registry = NodeRegistry.open(join(home, "registry.sqlite"));
  let secrets: string[];
  try {
    secrets = registry.list().map((node) => registry.secret(node.passwordRef)!);
  } finally {
    registry.close();
  }
  let logs = mountLog;
  for await (const entry of Deno.readDir(join(home, "logs"))) {
    logs += await Deno.readTextFile(join(home, "logs", entry.name));
  }
  assert.ok(logs.length > 0);
  for (const secret of secrets) assert.ok(!logs.includes(secret), "a password was logged");
}

Deno.test({
  name: "pool: kill -9 keeps fsynced files; words alone recover the same tree into a new state",
  ignore: !canMount(),
  async fn() {
    const root = await makeSharedTempDir("qsfs_pool_recovery_");
    const home = join(root, "home");
    const mountpoint = join(root, "mnt");
    await Deno.mkdir(mountpoint);
    let server: MountProcess | undefined;
    try {
      await qsfsOk(home, ["recover"], { stdin: WORDS });
      await createNodes(home, 6, "256MiB");
      server = await mountPool(home, mountpoint);
      assert.match(server.stderr(), /filesystem opened on the pool .*nodes=6 geometry=4\+2/);
      const written = await writeAndKill(server, "crash", 6);
      server = undefined;
      server = await mountPool(home, mountpoint);
      assert.ok(await checkSynced(mountpoint, written) >= 5, "the fsynced files were checked");
      // The file being written at the kill was never fsynced: its data may be gone (EIO),
      // so only its attributes are compared.
      assert.equal(written.inFlight.length, 1);
      // The files being written at the kill lost their last chunks (never fsynced): deleting
      // them must replicate like any delete (it once made recovery abort: cascaded deletes).
      const unread: string[] = [];
      for (const path of inFlightPaths(written)) await Deno.remove(join(mountpoint, path));
      const settings = JSON.parse(await Deno.readTextFile(join(home, "pool.json")));
      assert.deepEqual([settings.dataShards, settings.parityShards], [4, 2]);
      assert.equal(settings.stateDir, join(home, "fs"));

      await shOk(`sh -c '${TREE_SCRIPT.replaceAll("'", "'\\''")}' tree '${mountpoint}'`);
      const before = await snapshotTree(mountpoint, unread);
      assert.ok(before.length > 12, "the tree has entries");
      await server.unmount();
      server = undefined;

      // A state directory that holds a filesystem is never recovered over.
      const over = await qsfs(home, ["recover", "--filesystem-only"]);
      assert.equal(over.code, 1);
      assert.match(
        firstLine(over.stderr),
        /Cannot recover the filesystem into .*: it already holds one/,
      );

      // Lose this machine's copy of everything but the node directories and their registry.
      await Deno.remove(join(home, "fs"), { recursive: true });
      const wiped = await qsfs(home, ["mount", mountpoint]);
      assert.equal(wiped.code, 1);
      assert.match(
        firstLine(wiped.stderr),
        /no longer holds the filesystem .*: bring it back with qsfs recover --filesystem-only$/,
      );
      for (const name of ["identity.json", "identity.key", "pool.json"]) {
        await Deno.remove(join(home, name));
      }
      const newState = join(root, "state2");
      const recovered = await qsfs(home, ["recover", "--state", newState], { stdin: WORDS });
      assert.equal(recovered.code, 0, recovered.stderr);
      assert.match(recovered.stdout, /Recovered the identity into/);
      assert.match(
        recovered.stdout,
        new RegExp(`Recovered the filesystem into ${newState} from 6 storage nodes \\(4\\+2,`),
      );
      assert.ok(!(recovered.stdout + recovered.stderr).includes("abandon abandon"), "no words");

      const elsewhere = await qsfs(home, ["mount", mountpoint, "--state", join(home, "fs")]);
      assert.equal(elsewhere.code, 1);
      assert.match(
        firstLine(elsewhere.stderr),
        new RegExp(`is cached in ${newState} \\(pool\\.json\\)`),
      );
      server = await mountPool(home, mountpoint);
      const after = await snapshotTree(mountpoint, unread);
      assert.deepEqual(after, before);
      assert.ok(await checkSynced(mountpoint, written) >= 5);
      await assertNoSecretLogged(home, server.stderr());
    } finally {
      await cleanUpMount(server, mountpoint);
      await stopDaemon(home);
      await Deno.remove(root, { recursive: true });
    }
  },
});
