/**
 * A tiny in-memory RawFileSystem, only for the fs/fuse tests: directories,
 * regular files, lookup/getattr/setattr/readdir/open/read/write/create/mkdir/
 * unlink/rmdir. Optionally a large read-only file whose bytes come from one
 * shared pattern buffer, to measure the wire without allocating.
 */

import { EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, FsError } from "../../fs/errno.ts";
import { abi } from "../../fs/fuse/mod.ts";
import type {
  AttrReply,
  CreateIn,
  CreateReply,
  DirentBuffer,
  Entry,
  FileHandle,
  FuseAttr,
  GetattrIn,
  MkdirIn,
  NameIn,
  NodeId,
  OpenIn,
  OpenReply,
  RawFileSystem,
  ReadIn,
  RequestContext,
  SetattrIn,
  StatfsReply,
  WriteIn,
} from "../../fs/fuse/mod.ts";

export interface Node {
  ino: number;
  mode: number;
  nlink: number;
  data: Uint8Array;
  size: number;
  children: Map<string, number> | null;
  mtimeMs: number;
  /** For the virtual big file: every read returns a view of this pattern. */
  pattern: Uint8Array | null;
}

const TIMEOUT_MS = 1000;

export interface MemFsOptions {
  /** Adds /big of this size, readable only, served from a shared pattern. */
  bigFileBytes?: number;
}

export class MemFs implements RawFileSystem {
  readonly #nodes = new Map<number, Node>();
  #nextIno = 2;
  /** Lookup counts the kernel holds, by node: FORGET brings them back to zero. */
  readonly lookups = new Map<number, number>();

  constructor(options: MemFsOptions = {}) {
    this.#nodes.set(abi.FUSE_ROOT_ID, this.#newNode(abi.FUSE_ROOT_ID, abi.S_IFDIR | 0o755));
    const root = this.#nodes.get(abi.FUSE_ROOT_ID)!;
    this.#addChild(root, "hello.txt", this.#file("hello, fuse\n"));
    const sub = this.#newNode(this.#nextIno++, abi.S_IFDIR | 0o755);
    this.#nodes.set(sub.ino, sub);
    this.#addChild(root, "sub", sub);
    this.#addChild(sub, "inner.txt", this.#file("inner\n"));
    if (options.bigFileBytes !== undefined) {
      const big = this.#newNode(this.#nextIno++, abi.S_IFREG | 0o444);
      big.size = options.bigFileBytes;
      big.pattern = new Uint8Array(new ArrayBuffer(2 * 1024 * 1024)).map((_, i) => i % 251);
      this.#nodes.set(big.ino, big);
      this.#addChild(root, "big", big);
    }
  }

  #newNode(ino: number, mode: number): Node {
    const dir = (mode & abi.S_IFMT) === abi.S_IFDIR;
    return {
      ino,
      mode,
      nlink: dir ? 2 : 1,
      data: new Uint8Array(0),
      size: 0,
      children: dir ? new Map() : null,
      mtimeMs: Date.now(),
      pattern: null,
    };
  }

  #file(text: string): Node {
    const node = this.#newNode(this.#nextIno++, abi.S_IFREG | 0o644);
    node.data = new TextEncoder().encode(text);
    node.size = node.data.length;
    this.#nodes.set(node.ino, node);
    return node;
  }

  #addChild(parent: Node, name: string, child: Node): void {
    parent.children!.set(name, child.ino);
    if (child.children !== null) parent.nlink++;
  }

  #node(id: number): Node {
    const node = this.#nodes.get(id);
    if (node === undefined) throw new FsError(ENOENT, `Cannot find node ${id}`);
    return node;
  }

  #dir(id: number): Node {
    const node = this.#node(id);
    if (node.children === null) throw new FsError(ENOTDIR, `Node ${id} is not a directory`);
    return node;
  }

  #attr(node: Node): FuseAttr {
    const sec = Math.floor(node.mtimeMs / 1000);
    const nsec = Math.round((node.mtimeMs % 1000) * 1e6);
    return {
      ino: node.ino,
      size: node.size,
      blocks: Math.ceil(node.size / 512),
      atimeSec: sec,
      atimeNsec: nsec,
      mtimeSec: sec,
      mtimeNsec: nsec,
      ctimeSec: sec,
      ctimeNsec: nsec,
      mode: node.mode,
      nlink: node.nlink,
      uid: 0,
      gid: 0,
      rdev: 0,
      blksize: 4096,
    };
  }

  #entry(node: Node): Entry {
    this.lookups.set(node.ino, (this.lookups.get(node.ino) ?? 0) + 1);
    return {
      nodeId: node.ino as NodeId,
      generation: 1,
      entryTimeoutMs: TIMEOUT_MS,
      attrTimeoutMs: TIMEOUT_MS,
      attr: this.#attr(node),
    };
  }

  forget(input: { nodeId: NodeId; nlookup: number }): void {
    const left = (this.lookups.get(input.nodeId) ?? 0) - input.nlookup;
    if (left <= 0) this.lookups.delete(input.nodeId);
    else this.lookups.set(input.nodeId, left);
  }

  lookup(_ctx: RequestContext, input: NameIn): Promise<Entry> {
    const ino = this.#dir(input.parent).children!.get(input.name);
    if (ino === undefined) return Promise.reject(new FsError(ENOENT, `No entry ${input.name}`));
    return Promise.resolve(this.#entry(this.#node(ino)));
  }

  getattr(_ctx: RequestContext, input: GetattrIn): Promise<AttrReply> {
    return Promise.resolve({
      attr: this.#attr(this.#node(input.nodeId)),
      attrTimeoutMs: TIMEOUT_MS,
    });
  }

  setattr(_ctx: RequestContext, input: SetattrIn): Promise<AttrReply> {
    const node = this.#node(input.nodeId);
    if (input.mode !== undefined) node.mode = (node.mode & abi.S_IFMT) | (input.mode & 0o7777);
    if (input.size !== undefined) this.#resize(node, input.size);
    if (input.mtime !== undefined) {
      node.mtimeMs = input.mtime === "now"
        ? Date.now()
        : input.mtime.sec * 1000 + input.mtime.nsec / 1e6;
    }
    return Promise.resolve({ attr: this.#attr(node), attrTimeoutMs: TIMEOUT_MS });
  }

  #resize(node: Node, size: number): void {
    if (size > node.data.length) {
      const grown = new Uint8Array(Math.max(size, node.data.length * 2));
      grown.set(node.data.subarray(0, node.size));
      node.data = grown;
    } else if (size < node.size) {
      node.data.fill(0, size, node.size);
    }
    node.size = size;
  }

  async readdir(_ctx: RequestContext, input: ReadIn, out: DirentBuffer): Promise<void> {
    const entries = this.listDir(input.nodeId);
    for (let i = input.offset; i < entries.length; i++) {
      const [name, node] = entries[i]!;
      const type = (node.mode & abi.S_IFMT) >> 12;
      if (!out.add({ ino: node.ino, offset: i + 1, name, type })) break;
    }
    await Promise.resolve();
  }

  /** The entries of a directory, "." and ".." first. */
  protected listDir(id: number): [string, Node][] {
    const dir = this.#dir(id);
    const entries: [string, Node][] = [[".", dir], ["..", this.#node(abi.FUSE_ROOT_ID)]];
    for (const [name, ino] of dir.children!) entries.push([name, this.#node(ino)]);
    return entries;
  }

  /** An entry reply for a node, counting the lookup the kernel takes. */
  protected entryOf(node: Node): Entry {
    return this.#entry(node);
  }

  open(_ctx: RequestContext, input: OpenIn): Promise<OpenReply> {
    const node = this.#node(input.nodeId);
    if (node.children !== null) {
      return Promise.reject(new FsError(EISDIR, "Cannot open a directory as a file"));
    }
    if ((input.flags & abi.O_TRUNC) !== 0) this.#resize(node, 0);
    return Promise.resolve({ fh: node.ino as FileHandle });
  }

  read(_ctx: RequestContext, input: ReadIn): Promise<Uint8Array> {
    const node = this.#node(input.nodeId);
    const end = Math.min(node.size, input.offset + input.size);
    if (input.offset >= end) return Promise.resolve(new Uint8Array(0));
    if (node.pattern !== null) {
      const start = input.offset % 251;
      return Promise.resolve(node.pattern.subarray(start, start + end - input.offset));
    }
    return Promise.resolve(node.data.subarray(input.offset, end));
  }

  write(_ctx: RequestContext, input: WriteIn): Promise<number> {
    const node = this.#node(input.nodeId);
    const end = input.offset + input.data.length;
    if (end > node.size) this.#resize(node, end);
    node.data.set(input.data, input.offset);
    node.mtimeMs = Date.now();
    return Promise.resolve(input.data.length);
  }

  create(_ctx: RequestContext, input: CreateIn): Promise<CreateReply> {
    const parent = this.#dir(input.parent);
    if (parent.children!.has(input.name)) {
      return Promise.reject(new FsError(EEXIST, `${input.name} exists`));
    }
    const node = this.#newNode(this.#nextIno++, abi.S_IFREG | (input.mode & 0o7777));
    this.#nodes.set(node.ino, node);
    this.#addChild(parent, input.name, node);
    return Promise.resolve({ entry: this.#entry(node), open: { fh: node.ino as FileHandle } });
  }

  mkdir(_ctx: RequestContext, input: MkdirIn): Promise<Entry> {
    const parent = this.#dir(input.parent);
    if (parent.children!.has(input.name)) {
      return Promise.reject(new FsError(EEXIST, `${input.name} exists`));
    }
    const node = this.#newNode(this.#nextIno++, abi.S_IFDIR | (input.mode & 0o7777));
    this.#nodes.set(node.ino, node);
    this.#addChild(parent, input.name, node);
    return Promise.resolve(this.#entry(node));
  }

  unlink(_ctx: RequestContext, input: NameIn): Promise<void> {
    return this.#remove(input, false);
  }

  rmdir(_ctx: RequestContext, input: NameIn): Promise<void> {
    return this.#remove(input, true);
  }

  #remove(input: NameIn, dir: boolean): Promise<void> {
    const parent = this.#dir(input.parent);
    const ino = parent.children!.get(input.name);
    if (ino === undefined) return Promise.reject(new FsError(ENOENT, `No entry ${input.name}`));
    const node = this.#node(ino);
    if (dir && node.children === null) {
      return Promise.reject(new FsError(ENOTDIR, `${input.name} is a file`));
    }
    if (!dir && node.children !== null) {
      return Promise.reject(new FsError(EISDIR, `${input.name} is a directory`));
    }
    if (dir && node.children!.size > 0) {
      return Promise.reject(new FsError(ENOTEMPTY, `${input.name} not empty`));
    }
    parent.children!.delete(input.name);
    if (dir) parent.nlink--;
    node.nlink = 0;
    return Promise.resolve();
  }

  statfs(): Promise<StatfsReply> {
    return Promise.resolve({
      blocks: 1 << 20,
      bfree: 1 << 19,
      bavail: 1 << 19,
      files: 1000,
      ffree: 900,
      bsize: 4096,
      namelen: 255,
      frsize: 4096,
    });
  }
}
