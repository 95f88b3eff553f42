/**
 * kill -9 of the process serving a mount, while another process writes and
 * fsyncs files on it: the stale mount is found and cleaned by the next
 * `qsfs mount` (first crash) and by `qsfs umount` (second crash), the new
 * mount shows a consistent tree, and every file whose fsync returned is there
 * byte for byte, as is every file closed before the kill (README's promise),
 * and every durable unlink stays done.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { checkMetadata, MetaStore } from "../../fs/vfs/mod.ts";
import { fileBytes } from "./_crash_writer.ts";
import { startWriter } from "./_writer_process.ts";
import {
  canMount,
  makeSharedTempDir,
  type MountProcess,
  runQsfs,
  startMount,
} from "./_qsfs_process.ts";
import { shOk, snapshotTree, type TreeEntry } from "./_tree.ts";

const DEADLINE_MS = 60_000;
const POLL_MS = 10;

/** What the writer printed, by kind of line. */
interface WriterLog {
  /** The round's directory, relative to the mountpoint. */
  dir: string;
  lines: string[];
}

function named(log: WriterLog, verb: string): string[] {
  return log.lines.filter((line) => line.startsWith(`${verb} `)).map((line) =>
    line.slice(verb.length + 1)
  );
}

async function pollUntil(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** How many FUSE mounts sit at `mountpoint` (from /proc/self/mountinfo). */
async function mountCount(mountpoint: string): Promise<number> {
  const info = await Deno.readTextFile("/proc/self/mountinfo");
  return info.split("\n").filter((line) => line.split(" ")[4] === mountpoint).length;
}

/**
 * Starts the writer in `mountpoint/dir`, waits until it has made files
 * durable and is in the middle of writing the next one, kills the server with
 * SIGKILL, and returns what the writer had printed once it gave up.
 */
async function writeAndKill(
  server: MountProcess,
  dir: string,
  syncedBeforeKill: number,
): Promise<WriterLog> {
  const writer = startWriter(`${server.mountpoint}/${dir}`);
  try {
    await pollUntil(`${syncedBeforeKill} files are synced and another is being written`, () => {
      if (writer.exited()) throw new Error(`the writer stopped early:\n${writer.text()}`);
      return writer.named("synced").length >= syncedBeforeKill &&
        writer.lines().at(-1)!.startsWith("writing ");
    });
  } catch (error) {
    writer.kill();
    await writer.finish();
    throw error;
  }
  server.kill("SIGKILL");
  await server.exited;
  const code = await writer.finish();
  assert.equal(code, 3, `the writer fails once the server is gone:\n${writer.text()}`);
  assert.match(writer.lines().at(-1)!, /^stopped (ENOTCONN|ECONNABORTED)$/);
  return { dir, lines: writer.lines() };
}

/** The stale mount fails with ENOTCONN (opening asks the server; stat may use cached attributes). */
async function assertStale(mountpoint: string): Promise<void> {
  await assert.rejects(Deno.open(mountpoint, { read: true }), (error: unknown) => {
    assert.equal((error as { code?: string }).code, "ENOTCONN");
    return true;
  });
  assert.equal(await mountCount(mountpoint), 1, "the stale mount is still there");
}

/**
 * Checks one round's directory on a new mount: every durable file is intact,
 * every durable unlink done, nothing else there but what was in flight.
 */
async function checkRound(mountpoint: string, log: WriterLog, tree: TreeEntry[]): Promise<void> {
  const synced = named(log, "synced");
  const closed = named(log, "closed");
  const unlinked = new Set(named(log, "unlinked"));
  const inFlightUnlink = named(log, "unlinking").filter((name) => !unlinked.has(name));
  const done = [...synced, ...closed];
  const writing = named(log, "writing").filter((name) => !done.includes(name));
  assert.ok(inFlightUnlink.length <= 1 && writing.length <= 1, "one operation at a time");
  const allowed = new Set([...done, ...writing]);
  for (const name of writing) allowed.add(`tmp/${name.split("/").pop()}`);
  const present = new Set(
    tree.filter((entry) => entry.path.startsWith(`${log.dir}/`) && entry.sha256 !== undefined)
      .map((entry) => entry.path.slice(log.dir.length + 1)),
  );
  for (const name of present) {
    assert.ok(allowed.has(name) && !unlinked.has(name), `${log.dir}/${name} should not exist`);
  }
  // fsynced files must be there; README promises closed ones too (a kill -9 loses no close).
  for (const name of done) {
    const path = `${mountpoint}/${log.dir}/${name}`;
    const how = synced.includes(name) ? "fsynced" : "closed";
    if (unlinked.has(name)) continue;
    if (inFlightUnlink.includes(name) && !present.has(name)) continue;
    assert.ok(present.has(name), `${log.dir}/${name} was ${how} and must exist`);
    const bytes = await Deno.readFile(path);
    assert.ok(
      Buffer.compare(bytes, fileBytes(name)) === 0,
      `${log.dir}/${name}: ${bytes.length} bytes read, ${fileBytes(name).length} ${how}`,
    );
  }
}

/** Directories are sound: each nlink counts its subdirectories; every file was read whole. */
function checkTreeShape(tree: TreeEntry[]): void {
  for (const entry of tree) {
    if (((entry.mode as number) & 0o170000) !== 0o040000) continue;
    const subdirs = tree.filter((child) =>
      child.path.startsWith(`${entry.path}/`) &&
      !child.path.slice(entry.path.length + 1).includes("/") &&
      ((child.mode as number) & 0o170000) === 0o040000
    ).length;
    assert.equal(entry.nlink, 2 + subdirs, `nlink of ${entry.path}`);
  }
}

/** After a failure: ends the server and removes any mount left, so the real error shows. */
async function cleanUp(server: MountProcess | undefined, mountpoint: string): Promise<void> {
  if (server !== undefined) {
    await server.unmount().catch(() => {
      server.kill("SIGKILL");
      return server.exited;
    });
  }
  if (await mountCount(mountpoint) > 0) await runQsfs(["umount", mountpoint]);
}

async function checkMount(mountpoint: string, logs: WriterLog[]): Promise<void> {
  const tree = await snapshotTree(mountpoint);
  checkTreeShape(tree);
  for (const log of logs) await checkRound(mountpoint, log, tree);
}

// Proves a kill -9 of the server loses no fsynced file, tears no tree, and its stale mount is cleaned.
Deno.test({
  name: "kill -9 of the server during fsynced writes: stale mount cleaned, fsynced files intact",
  ignore: !canMount(),
  async fn() {
    const root = await makeSharedTempDir("qsfs_crash_");
    const home = `${root}/home`;
    const mountpoint = `${root}/mnt`;
    await Deno.mkdir(mountpoint);
    let server: MountProcess | undefined = await startMount({ home, mountpoint });
    try {
      const killed = server;
      server = undefined;
      const first = await writeAndKill(killed, "r1", 25);
      await assertStale(mountpoint);
      server = await startMount({ home, mountpoint });
      assert.equal(await mountCount(mountpoint), 1, "qsfs mount replaced the stale mount");
      await checkMount(mountpoint, [first]);

      const killedAgain = server;
      server = undefined;
      const second = await writeAndKill(killedAgain, "r2", 40);
      await assertStale(mountpoint);
      const cleaned = await runQsfs(["umount", mountpoint]);
      assert.equal(cleaned.code, 0, cleaned.stderr);
      assert.match(cleaned.stdout, /stale mount/);
      assert.equal(await mountCount(mountpoint), 0, "qsfs umount removed the stale mount");
      server = await startMount({ home, mountpoint });
      await checkMount(mountpoint, [first, second]);

      // The tree is usable: new files, and both rounds removed whole.
      await shOk(`set -e; cd '${mountpoint}'; echo after > after.txt; rm -r r1 r2; ls -A`);
      assert.deepEqual((await snapshotTree(mountpoint)).map((entry) => entry.path), ["after.txt"]);
      await server.unmount();
      server = undefined;
      const store = MetaStore.open(`${home}/fs/meta.sqlite`);
      try {
        assert.deepEqual(checkMetadata(store), [], "the metadata store is consistent");
      } finally {
        store.close();
      }
    } finally {
      await cleanUp(server, mountpoint);
      await Deno.remove(root, { recursive: true });
    }
  },
});
