/**
 * A long-lived Python child that applies model operations under one root with exact
 * syscalls and answers one JSON line per request: {"ok": value} or {"err": "ENOENT"}.
 * It also snapshots the tree. The test process itself never touches the root, so the
 * root may be a FUSE mount served by the test process.
 */

import type { Op } from "./_generate.ts";

export type OpResult = { ok: unknown } | { err: string };

/** One entry of a tree snapshot (paths relative to the root, root itself excluded). */
export interface TreeEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Not for directories (their st_size differs between filesystems). */
  size?: number;
  /** [length, sha256 prefix] of a file's bytes. */
  hash?: [number, string];
  target?: string;
  /** user.* attributes, values in hex (files and directories only). */
  xattrs?: Record<string, string>;
  mtime: string;
  /** The first path (sorted) of this inode: equal for hard links to one inode. */
  linkGroup: string;
}

const WORKER = String.raw`
import ctypes, errno, hashlib, json, os, random, stat, sys
os.chdir(sys.argv[1])
os.umask(0o022)
libc = ctypes.CDLL(None, use_errno=True)
libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
FLAGS = {"r": os.O_RDONLY, "w": os.O_WRONLY, "rw": os.O_RDWR, "append": os.O_WRONLY | os.O_APPEND,
         "trunc": os.O_WRONLY | os.O_TRUNC, "creat": os.O_RDWR | os.O_CREAT}
KINDS = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink"}
slots = {}

def digest(data):
    return [len(data), hashlib.sha256(data).hexdigest()[:16]]

def payload(seed, n):
    return random.Random(seed).randbytes(n)

def slot(op):
    if op["slot"] not in slots:
        raise OSError(errno.EBADF, "empty slot")
    return slots[op["slot"]]

def with_fd(path, flags, fn):
    fd = os.open(path, flags)
    try:
        return fn(fd)
    finally:
        os.close(fd)

def apply(op):
    k, p = op["kind"], op.get("path")
    if k == "create":
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | (os.O_EXCL if op["excl"] else 0), op["mode"]))
    elif k == "write":
        return with_fd(p, os.O_WRONLY, lambda fd: os.pwrite(fd, payload(op["seed"], op["length"]), op["offset"]))
    elif k == "read":
        return with_fd(p, os.O_RDONLY, lambda fd: digest(os.pread(fd, op["length"], op["offset"])))
    elif k == "truncate":
        os.truncate(p, op["size"])
    elif k == "rename":
        if op["flags"] == 0:
            os.rename(op["from"], op["to"])
        elif libc.renameat2(-100, op["from"].encode(), -100, op["to"].encode(), op["flags"]) != 0:
            raise OSError(ctypes.get_errno(), "renameat2")
    elif k == "link":
        os.link(op["from"], op["to"], follow_symlinks=False)
    elif k == "unlink":
        os.unlink(p)
    elif k == "mkdir":
        os.mkdir(p, op["mode"])
    elif k == "rmdir":
        os.rmdir(p)
    elif k == "symlink":
        os.symlink(op["target"], p)
    elif k == "readlink":
        return os.readlink(p)
    elif k == "chmod":
        os.chmod(p, op["mode"])
    elif k == "utimes":
        os.utime(p, ns=(int(op["atime"]), int(op["mtime"])))
    elif k == "touch":
        os.utime(p)
    elif k == "setxattr":
        os.setxattr(p, op["name"], bytes.fromhex(op["value"]), op["flags"])
    elif k == "removexattr":
        os.removexattr(p, op["name"])
    elif k == "getxattr":
        return os.getxattr(p, op["name"]).hex()
    elif k == "stat":
        s = os.lstat(p)
        kind = KINDS.get(stat.S_IFMT(s.st_mode), "other")
        return [kind, stat.S_IMODE(s.st_mode), s.st_nlink, None if kind == "dir" else s.st_size]
    elif k == "readdir":
        return sorted(os.listdir(p))
    elif k == "open":
        if op["slot"] in slots:
            os.close(slots.pop(op["slot"]))
        slots[op["slot"]] = os.open(p, FLAGS[op["flags"]], 0o644)
    elif k == "pwrite":
        return os.pwrite(slot(op), payload(op["seed"], op["length"]), op["offset"])
    elif k == "pread":
        return digest(os.pread(slot(op), op["length"], op["offset"]))
    elif k == "close":
        os.close(slot(op))
        del slots[op["slot"]]
    else:
        raise ValueError("unknown op " + k)
    return None

def entry(path):
    s = os.lstat(path)
    kind = KINDS.get(stat.S_IFMT(s.st_mode), "other")
    e = {"path": path, "type": kind, "mode": stat.S_IMODE(s.st_mode), "uid": s.st_uid, "gid": s.st_gid,
         "nlink": s.st_nlink, "mtime": str(s.st_mtime_ns), "ino": s.st_ino}
    if kind != "dir":
        e["size"] = s.st_size
    if kind == "file":
        with open(path, "rb") as f:
            e["hash"] = digest(f.read())
    if kind == "symlink":
        e["target"] = os.readlink(path)
    if kind in ("file", "dir"):
        names = sorted(n for n in os.listxattr(path, follow_symlinks=False) if n.startswith("user."))
        e["xattrs"] = {n: os.getxattr(path, n, follow_symlinks=False).hex() for n in names}
    return e

def snapshot():
    for fd in slots.values():
        os.close(fd)
    slots.clear()
    entries, todo = [], ["."]
    while todo:
        d = todo.pop()
        for name in sorted(os.listdir(d)):
            path = name if d == "." else d + "/" + name
            e = entry(path)
            entries.append(e)
            if e["type"] == "dir":
                todo.append(path)
    entries.sort(key=lambda e: e["path"])
    first = {}
    for e in entries:
        first.setdefault(e["ino"], e["path"])
    for e in entries:
        e["linkGroup"] = first[e.pop("ino")]
    return entries

for line in iter(sys.stdin.buffer.readline, b""):
    request = json.loads(line)
    try:
        value = snapshot() if request.get("cmd") == "snapshot" else apply(request["op"])
        reply = {"ok": value}
    except OSError as e:
        reply = {"err": errno.errorcode.get(e.errno, str(e.errno))}
    except Exception as e:
        reply = {"err": "EXC:" + type(e).__name__}
    sys.stdout.write(json.dumps(reply, default=str) + "\n")
    sys.stdout.flush()
`;

/** A running worker bound to one root directory. Requests are answered in order. */
export class OpWorker {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = splitLines(child.stdout.pipeThrough(new TextDecoderStream()));
  }

  /** Starts a worker for `root` with the given Python (the system one by default). */
  static start(root: string, python = "/usr/bin/python3"): OpWorker {
    const child = new Deno.Command(python, {
      args: ["-S", "-c", WORKER, root],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    return new OpWorker(child);
  }

  /** Applies one operation; resolves to its result (value or errno name). */
  apply(op: Op): Promise<OpResult> {
    return this.#request({ op }) as Promise<OpResult>;
  }

  /** Closes the worker's open slots and lists the whole tree. */
  async snapshot(): Promise<TreeEntry[]> {
    const result = await this.#request({ cmd: "snapshot" }) as OpResult;
    if ("err" in result) throw new Error(`snapshot failed: ${result.err}`);
    return result.ok as TreeEntry[];
  }

  /** Ends the worker (closing its stdin) and waits for it to exit. */
  async close(): Promise<void> {
    await this.#queue.catch(() => {});
    await this.#writer.close();
    await this.#lines.return?.();
    await this.#child.status;
  }

  #request(message: unknown): Promise<unknown> {
    const next = this.#queue.then(async () => {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
      const line = await this.#lines.next();
      if (line.done) throw new Error("model worker exited");
      return JSON.parse(line.value);
    });
    this.#queue = next.catch(() => {});
    return next;
  }
}

async function* splitLines(stream: ReadableStream<string>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream) {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
}
