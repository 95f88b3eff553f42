import assert from "node:assert/strict";
import { ENOTDIR, errnoName, FsError } from "../errno.ts";
import { describe, Model } from "./_model.ts";
import { Random } from "./_random.ts";
import { openTestVfs, ROOT, type TestVfs, text } from "./_testing.ts";
import {
  O_RDONLY,
  O_RDWR,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  ROOT_INO,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "./constants.ts";
import { checkMetadata } from "./meta_check.ts";
import type { Ino } from "./types.ts";

const SEEDS = [1, 2, 3, 4, 5, 6];
const STEPS = 1000;
const NAMES = ["a", "b", "c"];
const CHUNK = 64;

/** The vfs side: paths resolved by lookups, as the kernel would. */
class VfsSide {
  constructor(readonly t: TestVfs) {}

  get vfs() {
    return this.t.vfs;
  }

  /** Like the kernel's path walk: every component before the last must be a directory. */
  async parent(path: string[]): Promise<Ino> {
    let ino = ROOT_INO;
    for (const name of path.slice(0, -1)) {
      const attr = await this.vfs.lookup(ROOT, ino, name);
      if ((attr.mode & S_IFMT) !== S_IFDIR) throw new FsError(ENOTDIR, "path walk");
      ino = attr.ino;
    }
    return ino;
  }

  async resolve(path: string[]): Promise<Ino> {
    if (path.length === 0) return ROOT_INO;
    return (await this.vfs.lookup(ROOT, await this.parent(path), path.at(-1)!)).ino;
  }

  async describe(ino: Ino): Promise<string> {
    const attr = await this.vfs.getattr(ROOT, ino);
    switch (attr.mode & S_IFMT) {
      case S_IFREG:
        return `file size=${attr.sizeBytes} nlink=${attr.nlink}`;
      case S_IFLNK:
        return `symlink ${text(await this.vfs.readlink(ROOT, ino))}`;
      default:
        return `dir nlink=${attr.nlink}`;
    }
  }

  async list(ino: Ino): Promise<string[]> {
    const fh = await this.vfs.opendir(ROOT, ino);
    const names: string[] = [];
    for (let offset = 0;;) {
      const entries = await this.vfs.readdir(ROOT, { fh, offset, limit: 2 });
      if (entries.length === 0) break;
      for (const entry of entries) names.push(text(entry.name));
      offset = entries.at(-1)!.offset;
    }
    await this.vfs.releasedir(ROOT, fh);
    return names.filter((name) => name !== "." && name !== "..").sort();
  }
}

interface Step {
  label: string;
  model: () => string | void;
  vfs: () => Promise<string | void>;
}

function randomPath(random: Random): string[] {
  return Array.from({ length: 1 + random.int(3) }, () => random.pick(NAMES));
}

type StepMaker = (
  random: Random,
  model: Model,
  side: VfsSide,
  path: string[],
  other: string[],
) => Step;

function show(path: string[]): string {
  return `/${path.join("/")}`;
}

function createStep(kind: "dir" | "file" | "symlink"): StepMaker {
  return (random, model, side, path) => {
    const name = path.at(-1)!;
    const target = `t${random.int(100)}`;
    return {
      label: `create ${kind} ${show(path)}`,
      model: () =>
        model.create(
          path,
          kind === "dir"
            ? { kind, entries: new Map() }
            : kind === "file"
            ? { kind, data: new Uint8Array(), nlink: 1 }
            : { kind, target },
        ),
      vfs: async () => {
        const parent = await side.parent(path);
        if (kind === "dir") await side.vfs.mkdir(ROOT, { parent, name, mode: 0o755 });
        else if (kind === "file") await side.vfs.mknod(ROOT, { parent, name, mode: 0o644 });
        else await side.vfs.symlink(ROOT, { parent, name, target });
      },
    };
  };
}

function removeStep(dir: boolean): StepMaker {
  return (_random, model, side, path) => ({
    label: `${dir ? "rmdir" : "unlink"} ${show(path)}`,
    model: () => dir ? model.rmdir(path) : model.unlink(path),
    vfs: async () => {
      const parent = await side.parent(path);
      if (dir) await side.vfs.rmdir(ROOT, parent, path.at(-1)!);
      else await side.vfs.unlink(ROOT, parent, path.at(-1)!);
    },
  });
}

function linkStep(_random: Random, model: Model, side: VfsSide, path: string[], other: string[]) {
  return {
    label: `link ${show(path)} ${show(other)}`,
    model: () => model.link(path, other),
    vfs: async () => {
      const ino = await side.resolve(path);
      const newParent = await side.parent(other);
      await side.vfs.link(ROOT, { ino, newParent, newName: other.at(-1)! });
    },
  };
}

function truncateStep(random: Random, model: Model, side: VfsSide, path: string[]): Step {
  const sizeBytes = random.int(6 * CHUNK);
  return {
    label: `truncate ${show(path)} ${sizeBytes}`,
    model: () => model.truncate(path, sizeBytes),
    vfs: async () => {
      await side.vfs.setattr(ROOT, await side.resolve(path), { sizeBytes });
    },
  };
}

function statStep(_random: Random, model: Model, side: VfsSide, path: string[]): Step {
  return {
    label: `stat+readdir ${show(path)}`,
    model: () => {
      const node = model.resolve(path);
      const names = node.kind === "dir" ? [...node.entries.keys()].sort().join(",") : "";
      return `${describe(node)} [${names}]`;
    },
    vfs: async () => {
      const ino = await side.resolve(path);
      const attr = await side.vfs.getattr(ROOT, ino);
      const names = (attr.mode & S_IFMT) === S_IFDIR ? (await side.list(ino)).join(",") : "";
      return `${await side.describe(ino)} [${names}]`;
    },
  };
}

function renameStep(
  random: Random,
  model: Model,
  side: VfsSide,
  path: string[],
  other: string[],
): Step {
  const flags = random.pick([0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE]);
  return {
    label: `rename ${show(path)} ${show(other)} flags=${flags}`,
    model: () => model.rename(path, other, flags === RENAME_EXCHANGE, flags === RENAME_NOREPLACE),
    vfs: async () => {
      const parent = await side.parent(path);
      const newParent = await side.parent(other);
      await side.vfs.rename(ROOT, {
        parent,
        name: path.at(-1)!,
        newParent,
        newName: other.at(-1)!,
        flags,
      });
    },
  };
}

function writeStep(random: Random, model: Model, side: VfsSide, path: string[]): Step {
  const offset = random.int(5 * CHUNK);
  const data = random.bytes(1 + random.int(3 * CHUNK));
  return {
    label: `write ${show(path)} ${offset}+${data.length}`,
    model: () => model.write(path, offset, data),
    vfs: async () => {
      const fh = await side.vfs.open(ROOT, await side.resolve(path), O_RDWR);
      await side.vfs.write(ROOT, { fh, offset, data });
      await side.vfs.release(ROOT, fh);
    },
  };
}

function readStep(random: Random, model: Model, side: VfsSide, path: string[]): Step {
  const offset = random.int(6 * CHUNK);
  const sizeBytes = random.int(4 * CHUNK);
  return {
    label: `read ${show(path)} ${offset}+${sizeBytes}`,
    model: () => {
      const node = model.resolve(path);
      if (node.kind !== "file") return "not a file";
      return node.data.subarray(offset, offset + sizeBytes).join(",");
    },
    vfs: async () => {
      const ino = await side.resolve(path);
      if (((await side.vfs.getattr(ROOT, ino)).mode & S_IFMT) !== S_IFREG) return "not a file";
      const fh = await side.vfs.open(ROOT, ino, O_RDONLY);
      const data = await side.vfs.read(ROOT, { fh, offset, sizeBytes });
      await side.vfs.release(ROOT, fh);
      return data.join(",");
    },
  };
}

const STEP_MAKERS: readonly StepMaker[] = [
  createStep("dir"),
  createStep("file"),
  createStep("symlink"),
  removeStep(false),
  removeStep(true),
  linkStep,
  renameStep,
  writeStep,
  writeStep,
  truncateStep,
  readStep,
  statStep,
];

/** One random operation, described for both sides. */
function randomStep(random: Random, model: Model, side: VfsSide): Step {
  const path = randomPath(random);
  const other = randomPath(random);
  return random.pick(STEP_MAKERS)(random, model, side, path, other);
}

async function outcome(action: () => string | void | Promise<string | void>): Promise<string> {
  try {
    return `ok ${(await action()) ?? ""}`;
  } catch (error) {
    if (error instanceof FsError) return errnoName(error.errno);
    throw error;
  }
}

/** Both trees, walked and described, must be the same. */
async function compareTrees(model: Model, side: VfsSide): Promise<void> {
  async function walk(path: string[], ino: Ino): Promise<void> {
    const node = model.resolve(path);
    assert.equal(await side.describe(ino), describe(node), `/${path.join("/")}`);
    if (node.kind !== "dir") return;
    assert.deepEqual(await side.list(ino), [...node.entries.keys()].sort());
    for (const name of node.entries.keys()) {
      await walk([...path, name], (await side.vfs.lookup(ROOT, ino, name)).ino);
    }
  }
  await walk([], ROOT_INO);
}

for (const seed of SEEDS) {
  Deno.test(`Vfs matches an in-memory model over ${STEPS} random operations (seed ${seed})`, async () => {
    await using t = await openTestVfs({ chunkSizeBytes: CHUNK, dirtyBytesMax: 4 * CHUNK });
    const random = new Random(seed);
    const model = new Model();
    const side = new VfsSide(t);
    for (let step = 0; step < STEPS; step++) {
      const { label, model: onModel, vfs: onVfs } = randomStep(random, model, side);
      const expected = await outcome(onModel);
      const actual = await outcome(onVfs);
      assert.equal(actual, expected, `step ${step} (seed ${seed}): ${label}`);
      if (step % 97 === 96) await t.reopen();
    }
    await compareTrees(model, side);
    assert.deepEqual(checkMetadata(t.store), []);
  });
}
