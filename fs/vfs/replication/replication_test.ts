// Metadata replication and recovery against real ZDB servers: the local store is only a cache.
import assert from "node:assert/strict";
import { ChunkStore, createChunkCodec, FaultyNode, type ShardNode } from "../../chunk/mod.ts";
import { startTestPool, type TestPool } from "../../chunk/_pool_testing.ts";
import { mulberry32 } from "../../zdb/_testing.ts";
import { ChunkStoreBackend } from "../chunk_store_backend.ts";
import { ROOT_INO } from "../constants.ts";
import { MetaStore } from "../meta_store.ts";
import { pattern, ROOT } from "../_testing.ts";
import { describeTree, writeTestFile } from "../_tree_testing.ts";
import { Vfs } from "../vfs.ts";
import { recoverMetadata } from "./recover.ts";
import { MetadataReplicator } from "./replicator.ts";
import { SuperblockStore } from "./superblock.ts";

const CHUNK = 64 * 1024;
const MASTER_KEY = new Uint8Array(32).fill(9);
const SUPERBLOCK_KEY = new Uint8Array(32).fill(5);

function superblocksOf(nodes: ShardNode[], cipherKey = SUPERBLOCK_KEY) {
  return new SuperblockStore({
    nodes: () => nodes,
    key: "qsfs-superblock-test",
    cipherKey,
    quorum: 5,
  });
}

function chunkStoreOf(pool: TestPool, seed: number) {
  const codec = createChunkCodec({ masterKey: MASTER_KEY, dataShards: 4, parityShards: 2 });
  return new ChunkStore({ codec, nodes: pool.nodes, random: mulberry32(seed), hedgeDelayMs: 20 });
}

/** A Vfs whose metadata replicates to the pool; the state directory is its only local state. */
async function openReplicated(pool: TestPool, stateDir: string, seed: number) {
  const chunks = chunkStoreOf(pool, seed);
  const backend = new ChunkStoreBackend(chunks, { capacityBytes: 1 << 30, deferDeletes: true });
  const store = MetaStore.open(`${stateDir}/meta.sqlite`, {
    chunkSizeBytes: CHUNK,
    rootMode: 0o755,
  });
  const replicator = await MetadataReplicator.start({
    store,
    chunks,
    superblocks: superblocksOf(pool.nodes),
    scratchDir: stateDir,
    intervalMs: 60_000,
    segmentsPerSnapshotMax: 4,
    afterDurable: () => backend.releaseDeferredDeletes(),
  }).catch((error) => {
    store.close();
    throw error;
  });
  const vfs = new Vfs(store, backend, { afterDurableCommit: () => replicator.flush() });
  return { chunks, store, replicator, vfs };
}

Deno.test("a tree written with fsync comes back from the nodes alone, identical", async () => {
  // Proves recovery: wipe the local state, rebuild the metadata from the superblock, snapshot
  // and log segments on the nodes, and every name, mode, owner, time, link and byte is back.
  await using pool = await startTestPool(6, 3000);
  const firstState = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  const first = await openReplicated(pool, firstState, 1);
  const { vfs } = first;
  const docs = await vfs.mkdir(ROOT, { parent: ROOT_INO, name: "docs", mode: 0o750 });
  const big = await writeTestFile(vfs, docs.ino, "big.bin", pattern(3 * CHUNK + 11, 4), false);
  await writeTestFile(vfs, docs.ino, "empty", new Uint8Array(0), false);
  await vfs.symlink(ROOT, { parent: ROOT_INO, name: "link", target: "docs/big.bin" });
  await vfs.link(ROOT, { ino: big, newParent: ROOT_INO, newName: "hard" });
  await vfs.setxattr(ROOT, { ino: big, name: "user.tag", value: new TextEncoder().encode("v1") });
  await vfs.setattr(ROOT, big, {
    uid: 1234,
    gid: 55,
    mtime: { sec: 1_600_000_000, nsec: 123_456_789 },
  });
  for (let i = 0; i < 6; i++) {
    // Overwrites leave garbage chunks and push the log past a snapshot.
    await writeTestFile(vfs, ROOT_INO, `note-${i}`, pattern(1000 + i, i), true);
  }
  await writeTestFile(vfs, ROOT_INO, "last", pattern(CHUNK + 1, 99), true);
  const expected = await describeTree(vfs, ROOT_INO);
  assert.ok(first.replicator.superblock.seq > 2, "several superblocks were written");
  // The machine is gone: no clean stop, the state directory is wiped.
  first.store.close();
  await first.replicator.stop().catch(() => {});
  await Deno.remove(firstState, { recursive: true });

  const secondState = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  const chunks = chunkStoreOf(pool, 2);
  await recoverMetadata(`${secondState}/meta.sqlite`, chunks, superblocksOf(pool.nodes));
  const store = MetaStore.open(`${secondState}/meta.sqlite`, { chunkSizeBytes: CHUNK });
  const recovered = new Vfs(store, new ChunkStoreBackend(chunks, { capacityBytes: 1 << 30 }));
  assert.deepEqual(await describeTree(recovered, ROOT_INO), expected);
  store.close();
  await Deno.remove(secondState, { recursive: true });
});

Deno.test("recovery refuses a foreign key and ignores a forged superblock", async () => {
  // Proves the superblock is authenticated: another key finds nothing, and bytes planted by a
  // node under the superblock key are skipped in favour of the genuine ones.
  await using pool = await startTestPool(6, 3100);
  const state = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  const replicated = await openReplicated(pool, state, 3);
  await writeTestFile(replicated.vfs, ROOT_INO, "a", pattern(10), true);
  await replicated.replicator.stop();
  replicated.store.close();
  await pool.nodes[0]!.put(
    "qsfs-superblock-test",
    new TextEncoder().encode("QSB1 forged superblock bytes"),
  );
  const other = `${state}/other.sqlite`;
  await assert.rejects(
    recoverMetadata(
      other,
      chunkStoreOf(pool, 4),
      superblocksOf(pool.nodes, new Uint8Array(32).fill(6)),
    ),
    /no node holds a superblock readable with this key/,
  );
  await Deno.remove(other).catch(() => {});
  const superblock = await recoverMetadata(other, chunkStoreOf(pool, 4), superblocksOf(pool.nodes));
  assert.equal(superblock.seq, replicated.replicator.superblock.seq);
  await Deno.remove(state, { recursive: true });
});

Deno.test("replication refuses to start from a state older than the nodes' metadata", async () => {
  // Proves the guard against burying newer metadata: a fresh state directory (or one that
  // missed later superblocks) cannot publish over the nodes; after a recovery it can, and its
  // superblocks then win over the old ones.
  await using pool = await startTestPool(6, 3200);
  const firstState = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  const first = await openReplicated(pool, firstState, 5);
  await writeTestFile(first.vfs, ROOT_INO, "kept", pattern(5000, 3), true);
  const published = first.replicator.superblock.seq;
  await first.replicator.stop();
  first.store.close();

  const freshState = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  await assert.rejects(openReplicated(pool, freshState, 6), /newer than this state directory/);
  assert.equal((await superblocksOf(pool.nodes).readLatest())!.seq, published, "nodes untouched");
  // The refused start left an empty store behind; recovery rebuilds it from the nodes.
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(`${freshState}/meta.sqlite${suffix}`).catch(() => {});
  }

  await recoverMetadata(
    `${freshState}/meta.sqlite`,
    chunkStoreOf(pool, 7),
    superblocksOf(pool.nodes),
  );
  await assert.rejects(
    recoverMetadata(`${freshState}/meta.sqlite`, chunkStoreOf(pool, 7), superblocksOf(pool.nodes)),
    Deno.errors.AlreadyExists,
  );
  const second = await openReplicated(pool, freshState, 8);
  assert.ok(second.replicator.superblock.seq > published);
  assert.ok((await describeTree(second.vfs, ROOT_INO)).has("/kept"));
  await second.replicator.stop();
  second.store.close();
  await Deno.remove(firstState, { recursive: true });
  await Deno.remove(freshState, { recursive: true });
});

Deno.test("the sequence a superblock will carry is recorded before it is written", async () => {
  // Proves the fix of a kill -9 window: were the file written after the superblock, a kill
  // between the two would leave the nodes newer than this state, and the next start refuses.
  // Here the superblock's nodes are down (the data nodes answer): its write fails, yet the file
  // already holds the sequence it was to carry.
  await using pool = await startTestPool(6, 3300);
  const state = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  const downNodes = pool.nodes.map((node, i) => {
    const down = new FaultyNode(node, 50 + i);
    down.plan = { down: true };
    return down;
  });
  const store = MetaStore.open(`${state}/meta.sqlite`, { chunkSizeBytes: CHUNK });
  const replicator = await MetadataReplicator.start({
    store,
    chunks: chunkStoreOf(pool, 11),
    superblocks: superblocksOf(downNodes),
    scratchDir: state,
    intervalMs: 60_000,
  });
  const recorded = JSON.parse(await Deno.readTextFile(`${state}/replication.json`)).seq;
  assert.ok(recorded > 0, "the intended sequence is on disk though the write failed");
  assert.equal(replicator.superblock.seq, 0, "nothing was made durable");
  await replicator.stop().catch(() => {});
  store.close();
  await Deno.remove(state, { recursive: true });
});

Deno.test("a deleted file's rows come back deleted: the log applies with cascaded deletes", async () => {
  // Proves the fix of a recovery that aborted: deleting a file deletes its chunk and xattr
  // rows by cascade, and the changeset holds those deletes too; applied with foreign keys on,
  // the inode's delete cascaded first and the changeset's own deletes found nothing.
  await using pool = await startTestPool(6, 3400);
  const state = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  const first = await openReplicated(pool, state, 12);
  const gone = await writeTestFile(first.vfs, ROOT_INO, "gone", pattern(3 * CHUNK + 5, 8), true);
  await first.vfs.setxattr(ROOT, { ino: gone, name: "user.k", value: pattern(8) });
  const kept = await writeTestFile(first.vfs, ROOT_INO, "kept", pattern(CHUNK, 9), true);
  // A changeset applies table by table in the order they were first changed: inodes first
  // here (as after a restart's own changes), so the inode's delete comes before its chunks'.
  await first.vfs.setattr(ROOT, kept, { mode: 0o600 });
  await first.vfs.unlink(ROOT, ROOT_INO, new TextEncoder().encode("gone"));
  const dir = await first.vfs.opendir(ROOT, ROOT_INO);
  await first.vfs.fsyncdir(ROOT, dir);
  await first.vfs.releasedir(ROOT, dir);
  const expected = await describeTree(first.vfs, ROOT_INO);
  assert.ok(!expected.has("/gone") && expected.has("/kept"));
  await first.replicator.stop();
  first.store.close();

  const other = await Deno.makeTempDir({ prefix: "qsfs-repl-" });
  await recoverMetadata(`${other}/meta.sqlite`, chunkStoreOf(pool, 13), superblocksOf(pool.nodes));
  const store = MetaStore.open(`${other}/meta.sqlite`, { chunkSizeBytes: CHUNK });
  const recovered = new Vfs(
    store,
    new ChunkStoreBackend(chunkStoreOf(pool, 14), { capacityBytes: 1 << 30 }),
  );
  assert.deepEqual(await describeTree(recovered, ROOT_INO), expected);
  store.close();
  for (const dir of [state, other]) await Deno.remove(dir, { recursive: true });
});
