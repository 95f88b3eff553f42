/**
 * The child process of the crash test: opens a Vfs in the directory named on
 * stdin and does random metadata and data operations until it is killed.
 * Prints "ready" once it runs, and "synced <name> <seed> <length>" after each
 * fsync of a file the parent must find intact after the kill.
 *
 * Input (stdin, JSON): { directory: string, seed: number }
 *
 * @module
 */

import { FsError } from "../errno.ts";
import { Random } from "./_random.ts";
import { pattern } from "./_testing.ts";
import { O_RDWR, RENAME_EXCHANGE, ROOT_INO, S_IFDIR, S_IFMT } from "./constants.ts";
import { DiskChunkBackend } from "./disk_chunk_backend.ts";
import { MetaStore } from "./meta_store.ts";
import type { CallContext, Fh, Ino } from "./types.ts";
import { Vfs } from "./vfs.ts";

const CRASH_CHUNK_BYTES = 1024;
const ROOT: CallContext = { uid: 0, gid: 0 };
const NAMES = Array.from({ length: 12 }, (_, i) => `n${i}`);
const OPEN_FILES_MAX = 6;
const HELD_ORPHANS_MAX = 3;

const input = JSON.parse(await new Response(Deno.stdin.readable).text());
const store = MetaStore.open(`${input.directory}/meta.sqlite`, {
  chunkSizeBytes: CRASH_CHUNK_BYTES,
});
const backend = await DiskChunkBackend.open(`${input.directory}/chunks`);
const vfs = new Vfs(store, backend, { dirtyBytesMax: 8 * CRASH_CHUNK_BYTES });
await vfs.collectGarbage();
const random = new Random(input.seed);
const open: Fh[] = [];
const held: Fh[] = [];
const encoder = new TextEncoder();
let synced = 0;

/** Some directory: the root or one found by walking a few random steps. */
async function someDir(): Promise<Ino> {
  let dir = ROOT_INO;
  for (let step = random.int(3); step > 0; step--) {
    const fh = await vfs.opendir(ROOT, dir);
    const entries = (await vfs.readdir(ROOT, { fh, offset: 2 }))
      .filter((entry) => (entry.attr.mode & S_IFMT) === S_IFDIR);
    await vfs.releasedir(ROOT, fh);
    if (entries.length === 0) break;
    dir = random.pick(entries).ino;
  }
  return dir;
}

async function someFile(dir: Ino): Promise<Ino | undefined> {
  try {
    const attr = await vfs.lookup(ROOT, dir, random.pick(NAMES));
    return (attr.mode & S_IFMT) === S_IFDIR ? undefined : attr.ino;
  } catch {
    return undefined;
  }
}

async function step(): Promise<void> {
  const dir = await someDir();
  const name = random.pick(NAMES);
  switch (random.int(13)) {
    case 0:
      await vfs.mkdir(ROOT, { parent: dir, name, mode: 0o755 });
      break;
    case 1:
      await vfs.rmdir(ROOT, dir, name);
      break;
    case 2:
      await vfs.unlink(ROOT, dir, name);
      break;
    case 3: {
      const flags = random.int(2) === 0 ? RENAME_EXCHANGE : 0;
      const newParent = await someDir();
      await vfs.rename(ROOT, { parent: dir, name, newParent, newName: random.pick(NAMES), flags });
      break;
    }
    case 4: {
      const ino = await someFile(dir);
      if (ino !== undefined) {
        await vfs.link(ROOT, { ino, newParent: await someDir(), newName: random.pick(NAMES) });
      }
      break;
    }
    case 5:
      await vfs.symlink(ROOT, { parent: dir, name, target: "../x" });
      break;
    case 6: {
      const ino = await someFile(dir);
      if (ino !== undefined) {
        await vfs.setxattr(ROOT, { ino, name: "user.k", value: encoder.encode(name) });
      }
      break;
    }
    case 7:
    case 8: {
      const { fh } = await vfs.create(ROOT, { parent: dir, name, mode: 0o644, flags: O_RDWR });
      const offset = random.int(6 * CRASH_CHUNK_BYTES);
      await vfs.write(ROOT, {
        fh,
        offset,
        data: random.bytes(1 + random.int(3 * CRASH_CHUNK_BYTES)),
      });
      open.push(fh);
      break;
    }
    case 9: {
      const ino = await someFile(dir);
      if (ino !== undefined) await vfs.setattr(ROOT, ino, { sizeBytes: random.int(5000) });
      break;
    }
    case 10:
      await syncedFile();
      break;
    case 11:
      await heldOrphan(dir, name);
      break;
    default: {
      const fh = open.splice(random.int(open.length), 1)[0];
      if (fh !== undefined) await vfs.release(ROOT, fh);
    }
  }
  while (open.length > OPEN_FILES_MAX) await vfs.release(ROOT, open.shift()!);
}

/** A file unlinked while open, and kept open for a while: an orphan at the kill. */
async function heldOrphan(dir: Ino, name: string): Promise<void> {
  const orphanName = `orphan-${name}`;
  const { fh } = await vfs.create(ROOT, { parent: dir, name: orphanName, mode: 0o644, flags: 2 });
  await vfs.write(ROOT, { fh, offset: 0, data: random.bytes(random.int(3 * CRASH_CHUNK_BYTES)) });
  await vfs.flush(ROOT, fh);
  await vfs.unlink(ROOT, dir, orphanName);
  held.push(fh);
  if (held.length > HELD_ORPHANS_MAX) await vfs.release(ROOT, held.shift()!);
}

/** A file in /synced-<n> written and fsynced: it must survive the kill whole. */
async function syncedFile(): Promise<void> {
  const name = `synced-${input.seed}-${synced++}`;
  const seed = 1 + random.int(1000);
  const length = random.int(4 * CRASH_CHUNK_BYTES);
  const { fh } = await vfs.create(ROOT, { parent: ROOT_INO, name, mode: 0o644, flags: O_RDWR });
  await vfs.write(ROOT, { fh, offset: 0, data: pattern(length, seed) });
  await vfs.fsync(ROOT, fh);
  await vfs.release(ROOT, fh);
  console.log(`synced ${name} ${seed} ${length}`);
}

console.log("ready");
while (true) {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof FsError)) throw error;
  }
}
