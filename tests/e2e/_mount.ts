/**
 * Mounts over the storage nodes for the end-to-end tests: a `qsfs mount`
 * child process (never this process, which reads the mount freely), the
 * fsynced writer of tests/fs/_crash_writer.ts killed with its server, and
 * checks that read files through `sh` (so EIO shows as it would to a person).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { fileBytes } from "../fs/_crash_writer.ts";
import { startWriter } from "../fs/_writer_process.ts";
import { type MountProcess, runQsfs, startMount } from "../fs/_qsfs_process.ts";

/** The writer's files of at least this size are "large" (it writes up to 5 MB). */
const LARGE_FILE_BYTES = 1_000_000;

/** `qsfs --home HOME mount DIR --foreground --allow-other ...extra` over the pool. */
export function mountPool(home: string, mountpoint: string, extra: string[] = []) {
  return startMount({
    home,
    mountpoint,
    args: ["--foreground", "--allow-other", ...extra],
  });
}

/** Unmounts if it can, else kills: for `finally` blocks, so the real error shows. */
export async function cleanUpMount(server: MountProcess | undefined, mountpoint: string) {
  if (server !== undefined) {
    await server.unmount().catch(() => {
      server.kill("SIGKILL");
      return server.exited;
    });
  }
  const info = await Deno.readTextFile("/proc/self/mountinfo");
  if (info.split("\n").some((line) => line.split(" ")[4] === mountpoint)) {
    await runQsfs(["umount", mountpoint]);
  }
}

/** What the writer made durable before its server was killed, and what it unlinked after. */
export interface WrittenFiles {
  dir: string;
  synced: string[];
  unlinkStarted: Set<string>;
  /**
   * Files being written when the server was killed (neither fsynced nor closed): their
   * chunks may never have reached the nodes, so their data may be lost and read as EIO.
   */
  inFlight: string[];
}

/**
 * Runs the fsyncing writer in `mountpoint/dir` until `syncedBeforeKill` files
 * are durable and a large one is a quarter written, then kills the server with
 * SIGKILL and returns what the writer reported.
 */
export async function writeAndKill(
  server: MountProcess,
  dir: string,
  syncedBeforeKill: number,
): Promise<WrittenFiles> {
  const writer = startWriter(`${server.mountpoint}/${dir}`);
  const { lines, named } = writer;
  const deadline = Date.now() + 120_000;
  // Killed in the middle of writing a large file: past the previous file's fsync and the
  // metadata it shipped, so what is checked is the kill, not one exact instant of it.
  const midLargeWrite = async () => {
    const last = lines().at(-1);
    if (named("synced").length < syncedBeforeKill || !last?.startsWith("writing ")) return false;
    const name = last.slice("writing ".length);
    if (fileBytes(name).length < LARGE_FILE_BYTES) return false;
    const path = `${server.mountpoint}/${dir}/${
      name.includes("/") ? `tmp/${name.split("/").pop()}` : name
    }`;
    const size = await Deno.stat(path).then((stat) => stat.size, () => 0);
    return size >= LARGE_FILE_BYTES / 4;
  };
  while (!(await midLargeWrite())) {
    if (writer.exited() || Date.now() > deadline) {
      writer.kill();
      await writer.finish();
      throw new Error(`the writer did not get far enough:\n${writer.text()}\n${server.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  server.kill("SIGKILL");
  await server.exited;
  await writer.finish();
  const done = new Set([...named("synced"), ...named("closed")]);
  return {
    dir,
    synced: named("synced"),
    unlinkStarted: new Set(named("unlinking")),
    inFlight: named("writing").filter((name) => !done.has(name)),
  };
}

/** Every fsynced file the writer did not start to unlink is there, byte for byte. */
export async function checkSynced(mountpoint: string, written: WrittenFiles): Promise<number> {
  let checked = 0;
  for (const name of written.synced) {
    if (written.unlinkStarted.has(name)) continue;
    const bytes = await Deno.readFile(`${mountpoint}/${written.dir}/${name}`);
    assert.ok(
      Buffer.compare(bytes, fileBytes(name)) === 0,
      `${written.dir}/${name}: ${bytes.length} bytes read, ${fileBytes(name).length} fsynced`,
    );
    checked++;
  }
  return checked;
}

/** The in-flight files' paths relative to the mountpoint, for snapshotTree's `unread`. */
export function inFlightPaths(written: WrittenFiles): string[] {
  return written.inFlight.map((name) => `${written.dir}/${name}`);
}

/** Builds a tree with every kind of entry and attribute a recovery must bring back. */
export const TREE_SCRIPT = String.raw`
set -e
cd "$1"
mkdir -p tree/a/b tree/empty
head -c 5000123 /dev/urandom > tree/a/big.bin
head -c 4096 /dev/urandom > tree/a/b/page.bin
: > tree/zero
printf 'hello\n' > tree/hello.txt
ln tree/hello.txt tree/a/hard-link.txt
ln -s ../hello.txt tree/a/sym-link
ln -s /nowhere/at/all tree/dangling
chmod 0640 tree/a/big.bin
chmod 4755 tree/a/b/page.bin
chmod 0700 tree/a/b
chown 1234:5678 tree/hello.txt
chown -h 42:43 tree/dangling
python3 -S -c 'import os; os.setxattr("tree/zero", "user.note", b"kept")'
touch -m -d '2001-02-03 04:05:06.123456789' tree/a/big.bin
touch -a -d '1999-12-31 23:59:59' tree/a/big.bin
touch -h -m -d '2010-10-10 10:10:10' tree/a/sym-link
`;
