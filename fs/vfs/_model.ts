/**
 * A tiny in-memory model of a POSIX tree for the model-based test: the same
 * operations as the vfs on paths, returning a result or an errno, with the
 * errors checked in the same order the vfs checks them.
 *
 * @module
 */

import {
  EEXIST,
  EINVAL,
  EISDIR,
  ELOOP,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  FsError,
} from "../errno.ts";

export type ModelNode =
  | { kind: "file"; data: Uint8Array; nlink: number }
  | { kind: "dir"; entries: Map<string, ModelNode> }
  | { kind: "symlink"; target: string };

type Dir = Extract<ModelNode, { kind: "dir" }>;

function fail(errno: number): never {
  throw new FsError(errno, "model");
}

export class Model {
  readonly root: Dir = { kind: "dir", entries: new Map() };

  /** The directory holding the last component of `path`. */
  parentOf(path: string[]): Dir {
    let node: ModelNode = this.root;
    for (const name of path.slice(0, -1)) {
      if (node.kind !== "dir") fail(ENOTDIR);
      const next: ModelNode | undefined = node.entries.get(name);
      if (next === undefined) fail(ENOENT);
      node = next;
    }
    if (node.kind !== "dir") fail(ENOTDIR);
    return node;
  }

  resolve(path: string[]): ModelNode {
    if (path.length === 0) return this.root;
    const node = this.parentOf(path).entries.get(path.at(-1)!);
    if (node === undefined) fail(ENOENT);
    return node;
  }

  create(path: string[], node: ModelNode): void {
    const parent = this.parentOf(path);
    if (parent.entries.has(path.at(-1)!)) fail(EEXIST);
    parent.entries.set(path.at(-1)!, node);
  }

  unlink(path: string[]): void {
    const parent = this.parentOf(path);
    const node = parent.entries.get(path.at(-1)!);
    if (node === undefined) fail(ENOENT);
    if (node.kind === "dir") fail(EISDIR);
    parent.entries.delete(path.at(-1)!);
    if (node.kind === "file") node.nlink--;
  }

  rmdir(path: string[]): void {
    const parent = this.parentOf(path);
    const node = parent.entries.get(path.at(-1)!);
    if (node === undefined) fail(ENOENT);
    if (node.kind !== "dir") fail(ENOTDIR);
    if (node.entries.size > 0) fail(ENOTEMPTY);
    parent.entries.delete(path.at(-1)!);
  }

  link(from: string[], to: string[]): void {
    const node = this.resolve(from);
    const parent = this.parentOf(to);
    if (parent.entries.has(to.at(-1)!)) fail(EEXIST);
    if (node.kind === "dir") fail(EPERM);
    parent.entries.set(to.at(-1)!, node);
    if (node.kind === "file") node.nlink++;
  }

  rename(from: string[], to: string[], exchange: boolean, noReplace: boolean): void {
    const srcDir = this.parentOf(from);
    const dstDir = this.parentOf(to);
    const srcName = from.at(-1)!;
    const dstName = to.at(-1)!;
    const src = srcDir.entries.get(srcName);
    if (src === undefined) fail(ENOENT);
    const dst = dstDir.entries.get(dstName);
    if (exchange) {
      if (dst === undefined) fail(ENOENT);
      if (dst === src) return;
      if (src.kind === "dir" && srcDir !== dstDir && contains(src, dstDir)) fail(EINVAL);
      if (dst.kind === "dir" && srcDir !== dstDir && contains(dst, srcDir)) fail(EINVAL);
      srcDir.entries.set(srcName, dst);
      dstDir.entries.set(dstName, src);
      return;
    }
    if (dst !== undefined && noReplace) fail(EEXIST);
    if (dst === src) return;
    if (src.kind === "dir") {
      if (srcDir !== dstDir && contains(src, dstDir)) fail(EINVAL);
      if (dst !== undefined && dst.kind !== "dir") fail(ENOTDIR);
      if (dst?.kind === "dir" && dst.entries.size > 0) fail(ENOTEMPTY);
    } else if (dst?.kind === "dir") {
      fail(EISDIR);
    }
    if (dst?.kind === "file") dst.nlink--;
    dstDir.entries.set(dstName, src);
    srcDir.entries.delete(srcName);
  }

  write(path: string[], offset: number, data: Uint8Array): void {
    const node = this.fileAt(path, ELOOP);
    const end = Math.max(node.data.length, offset + data.length);
    const grown = new Uint8Array(end);
    grown.set(node.data);
    grown.set(data, offset);
    node.data = grown;
  }

  truncate(path: string[], sizeBytes: number): void {
    const node = this.fileAt(path, EINVAL);
    const resized = new Uint8Array(sizeBytes);
    resized.set(node.data.subarray(0, sizeBytes));
    node.data = resized;
  }

  /** The file at `path`; EISDIR for a directory, `symlinkErrno` for a symlink. */
  fileAt(path: string[], symlinkErrno: number): Extract<ModelNode, { kind: "file" }> {
    const node = this.resolve(path);
    if (node.kind === "dir") fail(EISDIR);
    if (node.kind !== "file") fail(symlinkErrno);
    return node;
  }
}

/** Whether `dir` is `ancestor` or lies inside it. */
function contains(ancestor: Dir, dir: Dir): boolean {
  if (ancestor === dir) return true;
  for (const child of ancestor.entries.values()) {
    if (child.kind === "dir" && contains(child, dir)) return true;
  }
  return false;
}

/** What stat shows of a node, for comparing. */
export function describe(node: ModelNode): string {
  switch (node.kind) {
    case "file":
      return `file size=${node.data.length} nlink=${node.nlink}`;
    case "symlink":
      return `symlink ${node.target}`;
    case "dir": {
      const subdirs = [...node.entries.values()].filter((child) => child.kind === "dir").length;
      return `dir nlink=${2 + subdirs}`;
    }
  }
}
