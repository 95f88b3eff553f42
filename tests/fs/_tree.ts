/**
 * A full snapshot of a tree, taken by a Python child (this process never reads
 * the mount itself): every entry's type, inode number, mode, owner, size,
 * nlink, blocks, mtime and ctime in nanoseconds, content hash, symlink target
 * and user.* xattrs. Two snapshots of one tree before and after a remount must
 * be equal.
 */

const SNAPSHOT = String.raw`
import hashlib, json, os, stat, sys
root = sys.argv[1]
unread = set(sys.argv[2:])
out = []
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(dirnames + filenames):
        path = os.path.join(dirpath, name)
        s = os.lstat(path)
        e = {"path": os.path.relpath(path, root), "ino": s.st_ino, "mode": s.st_mode,
             "uid": s.st_uid, "gid": s.st_gid, "nlink": s.st_nlink, "blocks": s.st_blocks,
             "mtime": str(s.st_mtime_ns), "ctime": str(s.st_ctime_ns)}
        if stat.S_ISLNK(s.st_mode):
            e["target"] = os.readlink(path)
        elif stat.S_ISREG(s.st_mode) and e["path"] in unread:
            e["size"] = s.st_size
        elif stat.S_ISREG(s.st_mode):
            e["size"] = s.st_size
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            e["sha256"] = h.hexdigest()
        if not stat.S_ISLNK(s.st_mode) and not stat.S_ISFIFO(s.st_mode):
            e["xattrs"] = {n: os.getxattr(path, n).hex() for n in sorted(os.listxattr(path))}
        out.append(e)
print(json.dumps(out))
`;

/** One entry of a snapshot. */
export type TreeEntry = Record<string, unknown> & { path: string };

/**
 * Snapshots the tree under `root` (the root itself excluded). The content of the files
 * named in `unread` (paths relative to `root`) is not read: only their attributes count.
 */
export async function snapshotTree(root: string, unread: string[] = []): Promise<TreeEntry[]> {
  const output = await new Deno.Command("/usr/bin/python3", {
    args: ["-S", "-c", SNAPSHOT, root, ...unread],
    stdin: "null",
  }).output();
  if (output.code !== 0) {
    throw new Error(`snapshot of ${root} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Runs `sh -c script`; throws with stderr unless it succeeds; returns stdout. */
export async function shOk(script: string): Promise<string> {
  const output = await new Deno.Command("sh", { args: ["-c", script], stdin: "null" }).output();
  const decoder = new TextDecoder();
  if (output.code !== 0) {
    throw new Error(`\`${script}\` exited ${output.code}: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}

/** Runs `sh -c script` and returns its exit code and stderr. */
export async function sh(script: string): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command("sh", { args: ["-c", script], stdin: "null" }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}
