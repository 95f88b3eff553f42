/**
 * `qsfs mount` over the storage nodes refuses what it cannot do with one clear
 * line and exit 1 (2 for bad usage), before anything is mounted or written:
 * no identity, a sealed identity without its passphrase, no nodes, too few
 * nodes for a pool, more nodes down than the pool can lose. Real daemon, real
 * node processes, words on stdin.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { NodeRegistry } from "../../server/grid/registry.ts";
import {
  deriveQsfsKeys,
  namespacePassword,
  parseMnemonic,
} from "../../server/services/identity/mod.ts";
import { canMount, makeSharedTempDir, startMount } from "../fs/_qsfs_process.ts";
import { createNodes, firstLine, qsfs, qsfsOk, stopDaemon, WORDS } from "./_home.ts";

Deno.test({
  name: "qsfs mount over the nodes: no identity, locked identity, no or too few nodes, nodes down",
  ignore: !canMount(),
  async fn() {
    const root = await makeSharedTempDir("qsfs_mount_errors_");
    const home = join(root, "home");
    const mnt = join(root, "mnt");
    const passphraseFile = join(root, "passphrase");
    await Deno.mkdir(mnt);
    await Deno.writeTextFile(passphraseFile, "correct horse\n");
    const mount = (...extra: string[]) => qsfs(home, ["mount", mnt, ...extra]);
    try {
      const noIdentity = await mount();
      assert.equal(noIdentity.code, 1);
      assert.match(
        firstLine(noIdentity.stderr),
        /^qsfs: Cannot mount: this home \(.*\) has no identity; run qsfs init \(new words\) or qsfs recover \(your words\), or mount with --local-only/,
      );

      const noIdentityRecover = await qsfs(home, ["recover", "--filesystem-only"]);
      assert.equal(noIdentityRecover.code, 1);
      assert.match(
        firstLine(noIdentityRecover.stderr),
        /^qsfs: Cannot recover the filesystem: this home \(.*\) has no identity; run qsfs init/,
      );
      const mixed = await qsfs(home, ["recover", "--filesystem-only", "--mnemonic-file", "x"]);
      assert.equal(mixed.code, 2);
      assert.equal(
        firstLine(mixed.stderr),
        "qsfs: Cannot use --mnemonic-file with --filesystem-only: it uses the identity this home holds",
      );

      await qsfsOk(home, ["recover", "--passphrase-file", passphraseFile], { stdin: WORDS });
      const locked = await mount();
      assert.equal(locked.code, 1);
      assert.match(
        firstLine(locked.stderr),
        /^qsfs: Cannot mount: cannot open the identity: it is protected by a passphrase; give it with --passphrase-file or QSFS_PASSPHRASE$/,
      );

      const noNodes = await mount("--passphrase-file", passphraseFile);
      assert.equal(noNodes.code, 1);
      assert.match(
        firstLine(noNodes.stderr),
        /has no storage nodes; create them with qsfs nodes create/,
      );

      const usage = await mount("--data-shards", "2");
      assert.equal(usage.code, 2);
      assert.equal(
        firstLine(usage.stderr),
        "qsfs: Cannot use --data-shards without --parity-shards: give both",
      );

      // The daemon this starts opens the sealed identity with the passphrase file.
      const nodes = await createNodes(home, 2, "16MiB", ["--passphrase-file", passphraseFile]);
      const keys = deriveQsfsKeys(parseMnemonic(WORDS));
      const registry = NodeRegistry.open(join(home, "registry.sqlite"));
      try {
        for (const node of nodes) {
          assert.equal(registry.secret(node.passwordRef), namespacePassword(keys, node.id));
        }
      } finally {
        registry.close();
      }
      const tooFew = await mount("--passphrase-file", passphraseFile);
      assert.equal(tooFew.code, 1);
      assert.match(
        firstLine(tooFew.stderr),
        /Cannot make a pool of 2 storage node\(s\): qsfs needs at least 3 \(2 data \+ 1 parity\)/,
      );
      const tooBig = await mount(
        "--passphrase-file",
        passphraseFile,
        "--data-shards",
        "2",
        "--parity-shards",
        "1",
      );
      assert.match(
        firstLine(tooBig.stderr),
        /Cannot use a 2\+1 pool on 2 storage node\(s\): it needs 3/,
      );

      const [third] = await createNodes(home, 1, "16MiB");
      await qsfsOk(home, ["nodes", "stop", nodes[0]!.id]);
      await qsfsOk(home, ["nodes", "stop", third!.id]);
      const down = await mount("--passphrase-file", passphraseFile);
      assert.equal(down.code, 1);
      assert.match(firstLine(down.stderr), /Cannot mount: 2 of 3 storage nodes do not answer: /);
      assert.match(down.stderr, new RegExp(`${nodes[0]!.id} \\(127\\.0\\.0\\.1:\\d+: `));
      assert.match(down.stderr, /a 2\+1 pool works with at most 1 down/);
      assert.ok(!down.stderr.includes("correct horse"), "no passphrase in messages");
      await assert.rejects(Deno.stat(join(home, "pool.json")), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(join(home, "fs")), Deno.errors.NotFound);

      // A filesystem kept on this machine only is never opened over the nodes.
      await qsfsOk(home, ["nodes", "start", nodes[0]!.id]);
      await qsfsOk(home, ["nodes", "start", third!.id]);
      const local = await startMount({ home, mountpoint: mnt });
      await local.unmount();
      const mixedState = await mount("--passphrase-file", passphraseFile);
      assert.equal(mixedState.code, 1);
      assert.match(
        firstLine(mixedState.stderr),
        /holds a filesystem kept on this machine only .*; mount it with --local-only/,
      );
    } finally {
      await stopDaemon(home);
      await Deno.remove(root, { recursive: true });
    }
  },
});
