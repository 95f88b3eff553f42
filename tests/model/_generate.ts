/**
 * Seeded generation of filesystem operations for the model-based test. A rough model of
 * the tree steers choices towards names that exist (so most operations do something),
 * while some operations still aim at missing or wrong-typed names to compare errnos.
 * The sequence depends only on the seed and the step count.
 */

export type Op =
  | { kind: "create"; path: string; mode: number; excl: boolean }
  | { kind: "write"; path: string; offset: number; length: number; seed: number }
  | { kind: "read"; path: string; offset: number; length: number }
  | { kind: "truncate"; path: string; size: number }
  | { kind: "rename"; from: string; to: string; flags: 0 | 1 | 2 }
  | { kind: "link"; from: string; to: string }
  | { kind: "unlink"; path: string }
  | { kind: "mkdir"; path: string; mode: number }
  | { kind: "rmdir"; path: string }
  | { kind: "symlink"; target: string; path: string }
  | { kind: "readlink"; path: string }
  | { kind: "chmod"; path: string; mode: number }
  | { kind: "utimes"; path: string; atime: string; mtime: string }
  | { kind: "touch"; path: string }
  | { kind: "setxattr"; path: string; name: string; value: string; flags: 0 | 1 | 2 }
  | { kind: "removexattr"; path: string; name: string }
  | { kind: "getxattr"; path: string; name: string }
  | { kind: "stat"; path: string }
  | { kind: "readdir"; path: string }
  | { kind: "open"; slot: number; path: string; flags: OpenFlags }
  | { kind: "pwrite"; slot: number; offset: number; length: number; seed: number }
  | { kind: "pread"; slot: number; offset: number; length: number }
  | { kind: "close"; slot: number };

export type OpenFlags = "r" | "w" | "rw" | "append" | "trunc" | "creat";

const NAMES = ["a", "b", "c", "d", "e"];
const FILE_MODES = [0o644, 0o600, 0o755, 0o444, 0o4755, 0o2750, 0o640];
const DIR_MODES = [0o755, 0o700, 0o1777, 0o2775, 0o555];
const OPEN_FLAGS: OpenFlags[] = ["r", "w", "rw", "append", "trunc", "creat"];
export const SLOTS = 3;

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = "file" | "dir" | "symlink";
type Node = { kind: Kind; id: number };

/** The generator's guess of the tree: only steers choices, never judges results. */
class Guess {
  entries = new Map<string, Node>();
  #nextId = 0;

  kind(path: string): Kind | undefined {
    return this.entries.get(path)?.kind;
  }

  paths(kind?: Kind): string[] {
    return [...this.entries].filter(([, n]) => kind === undefined || n.kind === kind).map(([p]) =>
      p
    );
  }

  parentIsDir(path: string): boolean {
    const slash = path.lastIndexOf("/");
    return slash < 0 || this.kind(path.slice(0, slash)) === "dir";
  }

  children(path: string): string[] {
    return [...this.entries.keys()].filter((p) => p.startsWith(`${path}/`));
  }

  add(path: string, kind: Kind, id = this.#nextId++): void {
    if (!this.entries.has(path) && this.parentIsDir(path)) this.entries.set(path, { kind, id });
  }

  link(from: string, to: string): void {
    const node = this.entries.get(from);
    if (node !== undefined && node.kind !== "dir") this.add(to, node.kind, node.id);
  }

  /** Follows rename(2) / renameat2(2) with flags 0, NOREPLACE (1) or EXCHANGE (2). */
  rename(from: string, to: string, flags: number): void {
    const node = this.entries.get(from);
    const target = this.entries.get(to);
    if (node === undefined || !this.parentIsDir(to) || from === to) return;
    if (to.startsWith(`${from}/`) || (flags === 2 && from.startsWith(`${to}/`))) return;
    if (flags === 2) {
      if (target === undefined) return;
      const mine = this.#detach(from);
      const theirs = this.#detach(to);
      this.#attach(mine, from, to);
      this.#attach(theirs, to, from);
      return;
    }
    if (target !== undefined && flags === 1) return;
    if (target?.id === node.id) return; // two links to one inode: rename does nothing
    if (target?.kind === "dir" && (node.kind !== "dir" || this.children(to).length > 0)) return;
    if (target !== undefined && target.kind !== "dir" && node.kind === "dir") return;
    this.entries.delete(to);
    this.#attach(this.#detach(from), from, to);
  }

  #detach(root: string): (readonly [string, Node])[] {
    const moved = [root, ...this.children(root)].map((p) => [p, this.entries.get(p)!] as const);
    for (const [path] of moved) this.entries.delete(path);
    return moved;
  }

  #attach(moved: (readonly [string, Node])[], from: string, to: string): void {
    for (const [path, node] of moved) this.entries.set(to + path.slice(from.length), node);
  }
}

/** Generates `steps` operations from `seed`. */
export function generateOps(seed: number, steps: number): Op[] {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const guess = new Guess();

  const freshPath = (): string => {
    const dirs = guess.paths("dir");
    const parent = dirs.length > 0 && random() < 0.6 ? `${pick(dirs)}/` : "";
    return parent + pick(NAMES);
  };
  const existing = (kind?: Kind): string => {
    const paths = guess.paths(kind);
    return paths.length > 0 && random() < 0.85 ? pick(paths) : freshPath();
  };
  const offset = () => random() < 0.02 ? int(40 << 20) : random() < 0.5 ? int(4096) : int(3 << 20);
  const length = () => random() < 0.1 ? int(300_000) + 1 : int(5000) + 1;
  const ns = () =>
    String(1_000_000_000n * BigInt(1_000_000_000 + int(300_000_000)) + BigInt(int(1e9)));

  const ops: Op[] = [];
  for (let step = 0; step < steps; step++) {
    const roll = int(100);
    let op: Op;
    if (roll < 10) {
      op = { kind: "create", path: freshPath(), mode: pick(FILE_MODES), excl: random() < 0.5 };
      guess.add(op.path, "file");
    } else if (roll < 22) {
      const seedValue = int(2 ** 31);
      op = {
        kind: "write",
        path: existing("file"),
        offset: offset(),
        length: length(),
        seed: seedValue,
      };
    } else if (roll < 26) {
      op = { kind: "read", path: existing("file"), offset: offset(), length: length() };
    } else if (roll < 31) {
      op = { kind: "truncate", path: existing("file"), size: offset() };
    } else if (roll < 37) {
      const flags = random() < 0.8 ? 0 : random() < 0.5 ? 1 : 2;
      op = {
        kind: "rename",
        from: existing(),
        to: random() < 0.5 ? existing() : freshPath(),
        flags,
      };
      guess.rename(op.from, op.to, flags);
    } else if (roll < 41) {
      op = { kind: "link", from: existing("file"), to: freshPath() };
      guess.link(op.from, op.to);
    } else if (roll < 46) {
      op = { kind: "unlink", path: existing(random() < 0.8 ? "file" : undefined) };
      if (guess.kind(op.path) !== "dir") guess.entries.delete(op.path);
    } else if (roll < 53) {
      op = { kind: "mkdir", path: freshPath(), mode: pick(DIR_MODES) };
      guess.add(op.path, "dir");
    } else if (roll < 56) {
      op = { kind: "rmdir", path: existing("dir") };
      if (guess.kind(op.path) === "dir" && guess.children(op.path).length === 0) {
        guess.entries.delete(op.path);
      }
    } else if (roll < 60) {
      const target = random() < 0.3 ? "missing/target" : existing().split("/").pop()!;
      op = { kind: "symlink", target, path: freshPath() };
      guess.add(op.path, "symlink");
    } else if (roll < 62) {
      op = { kind: "readlink", path: existing("symlink") };
    } else if (roll < 67) {
      const path = existing();
      op = { kind: "chmod", path, mode: pick(guess.kind(path) === "dir" ? DIR_MODES : FILE_MODES) };
    } else if (roll < 71) {
      op = { kind: "utimes", path: existing(), atime: ns(), mtime: ns() };
    } else if (roll < 72) {
      op = { kind: "touch", path: existing() };
    } else if (roll < 77) {
      const value = Array.from({ length: int(40) }, () => int(256).toString(16).padStart(2, "0"));
      const flags = random() < 0.7 ? 0 : random() < 0.5 ? 1 : 2;
      op = {
        kind: "setxattr",
        path: existing(),
        name: `user.${pick(NAMES)}`,
        value: value.join(""),
        flags,
      };
    } else if (roll < 79) {
      op = { kind: "removexattr", path: existing(), name: `user.${pick(NAMES)}` };
    } else if (roll < 81) {
      op = { kind: "getxattr", path: existing(), name: `user.${pick(NAMES)}` };
    } else if (roll < 85) {
      op = { kind: "stat", path: existing() };
    } else if (roll < 87) {
      op = { kind: "readdir", path: random() < 0.3 ? "." : existing("dir") };
    } else if (roll < 91) {
      op = { kind: "open", slot: int(SLOTS), path: existing("file"), flags: pick(OPEN_FLAGS) };
      if (op.flags === "creat") guess.add(op.path, "file");
    } else if (roll < 95) {
      op = {
        kind: "pwrite",
        slot: int(SLOTS),
        offset: offset(),
        length: length(),
        seed: int(2 ** 31),
      };
    } else if (roll < 98) {
      op = { kind: "pread", slot: int(SLOTS), offset: offset(), length: length() };
    } else {
      op = { kind: "close", slot: int(SLOTS) };
    }
    ops.push(op);
  }
  return ops;
}
