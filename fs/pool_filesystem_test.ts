// A filesystem on a pool of real ZDB servers over TCP: recovery from the nodes alone, node
// failures up to m and beyond, and the guards that keep a state directory from burying the pool.
import assert from "node:assert/strict";
import { openFilesystem, recoverFilesystem } from "./filesystem.ts";
import { EIO } from "./errno.ts";
import { ROOT_INO } from "./vfs/constants.ts";
import { isErrno, pattern, ROOT } from "./vfs/_testing.ts";
import { describeTree, writeTestFile } from "./vfs/_tree_testing.ts";
import { assertSameBytes } from "./zdb/_testing.ts";
import {
  CHUNK,
  openPoolFs,
  quiet,
  readFile,
  reopenUncached,
  TestNodes,
  writeFiles,
} from "./_pool_testing.ts";

Deno.test("pool: a tree written and closed comes back from the nodes alone into an empty state", async () => {
  // Proves the promise of the data path: the state directory is only a cache; with the keys
  // and the nodes, recovery rebuilds the same tree, and its file data reads from the nodes.
  await using nodes = await TestNodes.start(6);
  const firstState = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const first = await openFilesystem({
    stateDir: firstState,
    pool: nodes.pool(),
    chunkSizeBytes: CHUNK,
    logger: quiet,
  });
  const { vfs } = first;
  const docs = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "docs", mode: 0o750 });
  const big = await writeTestFile(vfs, docs.ino, "big.bin", pattern(5 * CHUNK + 17, 4), true);
  await writeTestFile(vfs, ROOT_INO, "small", pattern(100, 5));
  await vfs.symlink(ROOT, { parent: ROOT_INO, name: "link", target: "docs/big.bin" });
  await vfs.link(ROOT, { ino: big, newParent: ROOT_INO, newName: "hard" });
  await writeTestFile(vfs, ROOT_INO, "replaced", pattern(3 * CHUNK, 6), true);
  await writeTestFile(vfs, ROOT_INO, "replaced", pattern(CHUNK + 5, 7), true); // leaves garbage behind
  const expected = await describeTree(vfs, ROOT_INO);
  await first.sync(); // throws if anything is not on the nodes (close() keeps it for later)
  await first.close();
  await Deno.remove(firstState, { recursive: true });

  const secondState = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const report = await recoverFilesystem({
    stateDir: secondState,
    pool: nodes.pool(),
    logger: quiet,
  });
  assert.deepEqual(
    { files: report.files, directories: report.directories, symlinks: report.symlinks },
    { files: 3, directories: 2, symlinks: 1 },
  );
  // "replaced" was rewritten in place (no O_TRUNC): it keeps its 3 chunks.
  assert.equal(report.dataBytes, 5 * CHUNK + 17 + 100 + 3 * CHUNK);
  const second = await openFilesystem({ stateDir: secondState, pool: nodes.pool(), logger: quiet });
  assert.deepEqual(await describeTree(second.vfs, ROOT_INO), expected);
  const statfs = await second.vfs.statfs(ROOT);
  assert.equal(statfs.blocks - statfs.blocksFree, Math.ceil(report.dataBytes / 4096));
  await second.close();
  await Deno.remove(secondState, { recursive: true });
});

Deno.test("pool: an empty state never buries a pool's filesystem, and recovery never overwrites", async () => {
  // Proves the guards: opening a fresh state over nodes that hold a filesystem is refused
  // (leaving nothing behind that would block recovery), and so is recovering over a state.
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const fs = await openFilesystem({ stateDir: state, pool: nodes.pool(), logger: quiet });
  await writeTestFile(fs.vfs, ROOT_INO, "kept", pattern(1000, 1), true);
  await fs.close();
  await assert.rejects(
    recoverFilesystem({ stateDir: state, pool: nodes.pool(), logger: quiet }),
    /holds a filesystem already/,
  );
  const fresh = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  await assert.rejects(
    openFilesystem({ stateDir: fresh, pool: nodes.pool(), logger: quiet }),
    /recover it first/,
  );
  await recoverFilesystem({ stateDir: fresh, pool: nodes.pool(), logger: quiet });
  const recovered = await openFilesystem({ stateDir: fresh, pool: nodes.pool(), logger: quiet });
  assertSameBytes(await readFile(recovered.vfs, "kept"), pattern(1000, 1));
  await recovered.close();
  await assert.rejects(
    openFilesystem({ stateDir: fresh, pool: nodes.pool({ dataShards: 5 }), logger: quiet }),
    /needs at least 7/,
  );
  for (const dir of [state, fresh]) await Deno.remove(dir, { recursive: true });
});

Deno.test("pool: m nodes down, every file reads identical; m + 1 down, EIO; back up, reads again", async () => {
  // Proves the redundancy promise end to end, with the local cache dropped so every byte comes
  // from the nodes: two of six down is survived, three is a clean EIO (never wrong bytes).
  await using nodes = await TestNodes.start(6);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const fs = await openPoolFs(nodes, state);
  const files = await writeFiles(fs, 4, 20);
  await fs.close();

  const reopened = await reopenUncached(nodes, state);
  await nodes.stop(1);
  await nodes.stop(4);
  for (const [name, data] of files) assertSameBytes(await readFile(reopened.vfs, name), data, name);
  await reopened.close();

  await nodes.stop(2);
  const degraded = await reopenUncached(nodes, state);
  await assert.rejects(readFile(degraded.vfs, "f0"), isErrno(EIO));
  for (const index of [1, 2, 4]) await nodes.resume(index);
  for (const [name, data] of files) assertSameBytes(await readFile(degraded.vfs, name), data, name);
  await degraded.close();
  await Deno.remove(state, { recursive: true });
});

Deno.test("pool: grown by a node while open, then a node evacuated and deleted without loss", async () => {
  // Proves grow and remove: a 6-node 4+2 pool takes a 7th node while open; evacuating another
  // node and deleting it leaves every file able to survive two more nodes down, so every chunk
  // is back to six shards, none on the node that left.
  await using nodes = await TestNodes.start(7);
  const state = await Deno.makeTempDir({ prefix: "qsfs-pool-state-" });
  const fullPool = nodes.pool();
  const fs = await openFilesystem({
    stateDir: state,
    pool: { ...fullPool, nodes: fullPool.nodes.slice(0, 6) },
    chunkSizeBytes: CHUNK,
    logger: quiet,
  });
  const files = new Map<string, Uint8Array>();
  await assert.rejects(fs.pool!.evacuateNode("node-3"), /5 nodes would be left/);
  for (let i = 0; i < 5; i++) {
    const data = pattern(3 * CHUNK + i, 40 + i);
    await writeTestFile(fs.vfs, ROOT_INO, `f${i}`, data);
    files.set(`f${i}`, data);
  }
  await fs.sync(); // every chunk on the six first nodes, so one shard of each on node-3
  fs.pool!.addNode(fullPool.nodes[6]!);
  assert.throws(() => fs.pool!.addNode(fullPool.nodes[6]!), /in the pool already/);
  assert.equal(fs.pool!.nodeIds.length, 7);
  const report = await fs.pool!.evacuateNode("node-3");
  assert.equal(report.nodeId, "node-3");
  // 19 chunks: f0 has 3 (3 chunks exactly), the others 4; each had a shard on node-3.
  assert.equal(report.chunksMoved, 19);
  await fs.close();
  await nodes.stop(3);
  await Deno.remove(`${state}/cache`, { recursive: true });

  const leftPool = nodes.pool();
  const smaller = { ...leftPool, nodes: leftPool.nodes.filter((node) => node.id !== "node-3") };
  const reopened = await openFilesystem({ stateDir: state, pool: smaller, logger: quiet });
  await nodes.stop(0);
  await nodes.stop(6);
  for (const [name, data] of files) assertSameBytes(await readFile(reopened.vfs, name), data, name);
  await assert.rejects(reopened.pool!.evacuateNode("node-3"), /not in this filesystem's pool/);
  await reopened.close();
  await Deno.remove(state, { recursive: true });
});
