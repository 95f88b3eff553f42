import assert from "node:assert/strict";
import { seededRandom } from "../../lib/seeded_random.ts";
import { fileURLToPath } from "node:url";
import { pattern, ROOT } from "./_testing.ts";
import { O_RDONLY, ROOT_INO } from "./constants.ts";
import { DiskChunkBackend } from "./disk_chunk_backend.ts";
import { checkMetadata } from "./meta_check.ts";
import { MetaStore } from "./meta_store.ts";
import { Vfs } from "./vfs.ts";

const CHILD = fileURLToPath(new URL("./_crash_child.ts", import.meta.url));
const ROUNDS = 3;

interface SyncedFile {
  name: string;
  seed: number;
  length: number;
}

/**
 * Runs the child until it has reported `killAfterSynced` more fsynced files (it is then in
 * the middle of its next operations), and kills it with SIGKILL.
 */
async function runAndKill(
  directory: string,
  seed: number,
  killAfterSynced: number,
): Promise<SyncedFile[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ directory, seed })));
  await writer.close();
  const synced: SyncedFile[] = [];
  const { promise: isReady, resolve: ready } = Promise.withResolvers<void>();
  const { promise: enoughSynced, resolve: syncedEnough } = Promise.withResolvers<void>();
  const reading = (async () => {
    let buffered = "";
    for await (const piece of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += piece;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === "ready") ready();
        const [word, name, fileSeed, length] = line.split(" ");
        if (word === "synced") synced.push({ name: name!, seed: +fileSeed!, length: +length! });
        if (synced.length >= killAfterSynced) syncedEnough();
      }
    }
  })();
  await Promise.race([isReady, child.status]);
  await Promise.race([enoughSynced, child.status]);
  child.kill("SIGKILL");
  const status = await child.status;
  await reading;
  assert.equal(status.signal, "SIGKILL", "the child was still working when killed");
  return synced;
}

/** Reopens after the kill: the tree is whole, every mapped chunk exists, synced files read back. */
async function checkAfterCrash(
  directory: string,
  synced: SyncedFile[],
): Promise<{ inodes: number; orphans: number }> {
  const store = MetaStore.open(`${directory}/meta.sqlite`);
  try {
    assert.deepEqual(checkMetadata(store), []);
    assert.deepEqual(store.orphans.list(), [], "orphans are removed at open");
    const backend = await DiskChunkBackend.open(`${directory}/chunks`);
    for (const row of store.query("SELECT ref, length FROM chunks")) {
      const bytes = await backend.get(row.ref as string);
      assert.ok(bytes.length >= (row.length as number), `chunk ${row.ref} is whole`);
    }
    const vfs = new Vfs(store, backend);
    await vfs.collectGarbage();
    assert.equal(store.garbage.list(10).length, 0, "garbage chunks are deleted");
    for (const file of synced) {
      const attr = await vfs.lookup(ROOT, ROOT_INO, file.name);
      const fh = await vfs.open(ROOT, attr.ino, O_RDONLY);
      const data = await vfs.read(ROOT, { fh, offset: 0, sizeBytes: file.length + 1 });
      assert.deepEqual(data, pattern(file.length, file.seed), `${file.name} is intact`);
      await vfs.release(ROOT, fh);
    }
    return { inodes: store.inodes.count(), orphans: store.orphansRemoved };
  } finally {
    store.close();
  }
}

Deno.test("a kill -9 during operations leaves a consistent tree and intact fsynced files", async () => {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-crash-" });
  try {
    const synced: SyncedFile[] = [];
    let inodes = 0;
    let orphans = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const killAfterSynced = 3 + Math.floor(seededRandom(round)() * 12);
      synced.push(...await runAndKill(directory, round, killAfterSynced));
      const found = await checkAfterCrash(directory, synced);
      inodes = found.inodes;
      orphans += found.orphans;
    }
    assert.ok(inodes > 10, `the children made a tree (${inodes} inodes)`);
    assert.ok(orphans > 0, "files unlinked while open were left as orphans and removed");
    assert.ok(synced.length > 0, "some files were fsynced");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
