/** POSIX cases about metadata: timestamps, extended attributes, fifos, statfs. */

import assert from "node:assert/strict";
import type { PosixCase } from "./_context.ts";

const FILE_OPS = [
  "write",
  "truncate",
  "o_trunc",
  "read",
  "chmod",
  "chown",
  "link",
  "rename",
  "unlink",
  "setxattr",
  "utime",
];
const DIR_OPS = ["create", "unlink", "mkdir", "rmdir", "from", "to", "link", "symlink", "chmod"];
const NAMES = JSON.stringify([
  ...FILE_OPS.map((op) => `f_${op}`),
  ...DIR_OPS.map((op) => `d_${op}`),
]);

export const metaCases: PosixCase[] = [
  {
    name: "times: which operations change mtime and ctime of a file and of its parent dir",
    async run(dir, ctx) {
      const setup = await ctx.py(
        dir,
        `
        T0 = 10**18
        files, dirs = ${JSON.stringify(FILE_OPS)}, ${JSON.stringify(DIR_OPS)}
        put("linksrc", b"")
        for n in files:
            put("f_" + n, b"data")
        os.link("f_unlink", "f_unlink2")
        for n in dirs:
            os.mkdir("d_" + n)
        put("d_unlink/x", b"")
        os.mkdir("d_rmdir/x")
        put("d_from/x", b"")
        for n in ["f_" + n for n in files] + ["d_" + n for n in dirs]:
            utimensat(n, T0, T0)
        out(max(st(n)["ctime"] for n in os.listdir(".")))`,
      );
      await ctx.clockPast(setup);
      const r = await ctx.py(
        dir,
        `
        T0 = 10**18
        names = ${NAMES}
        before = {n: st(n) for n in names}
        fd = os.open("f_write", os.O_WRONLY)
        os.write(fd, b"x")
        os.close(fd)
        os.truncate("f_truncate", 1)
        os.close(os.open("f_o_trunc", os.O_WRONLY | os.O_TRUNC))
        get("f_read")
        os.chmod("f_chmod", 0o600)
        os.chown("f_chown", os.getuid(), os.getgid())
        os.link("f_link", "f_link_new")
        os.rename("f_rename", "f_rename_new")
        os.unlink("f_unlink2")
        os.setxattr("f_setxattr", "user.t", b"1")
        os.utime("f_utime", ns=(T0 + 5, T0 + 5))
        put("d_create/new", b"")
        os.unlink("d_unlink/x")
        os.mkdir("d_mkdir/new")
        os.rmdir("d_rmdir/x")
        os.rename("d_from/x", "d_to/x")
        os.link("linksrc", "d_link/l")
        os.symlink("t", "d_symlink/l")
        os.chmod("d_chmod", 0o700)
        after = {n: st(n + "_new" if n == "f_rename" else n) for n in names}
        res = {}
        for n in names:
            m = {T0: "T0", T0 + 5: "T0+5"}.get(after[n]["mtime"], "new" if after[n]["mtime"] > T0 else "older")
            res[n] = [m, "new" if after[n]["ctime"] > before[n]["ctime"] else "same"]
        out(res)`,
      );
      const expected: Record<string, [string | number, string]> = {};
      for (const op of FILE_OPS) expected[`f_${op}`] = ["T0", "new"];
      for (const op of DIR_OPS) expected[`d_${op}`] = ["new", "new"];
      for (const op of ["write", "truncate", "o_trunc"]) expected[`f_${op}`] = ["new", "new"];
      expected.f_read = ["T0", "same"];
      expected.f_utime = ["T0+5", "new"];
      expected.d_chmod = ["T0", "new"];
      assert.deepEqual(r, expected);
      const stat = await Deno.stat(`${dir}/f_write`);
      assert.ok(Math.abs(stat.mtime!.getTime() - Date.now()) < 60_000, "mtime is not now");
    },
  },
  {
    name: "times: utimensat keeps nanoseconds (also before 1970 and after 2106), NOW and OMIT",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        import time
        A, M = 1_000_000_000_123_456_789, 1_100_000_000_987_654_321
        put("f", b"")
        r = {}
        for label, (a, m) in {"ns": (A, M), "old": (-1_000_000_000_000_000_001, 5), "far": (7_258_118_400_000_000_009, 4_102_444_800_999_999_999)}.items():
            utimensat("f", a, m)
            r[label] = [st("f")["atime"] == a, st("f")["mtime"] == m]
        os.utime("f", ns=(A, M))
        utimensat("f", UTIME_OMIT, M + 1)
        r["omit_atime"] = [st("f")["atime"] == A, st("f")["mtime"] == M + 1]
        t0 = time.time_ns()
        utimensat("f", UTIME_NOW, UTIME_OMIT)
        t1 = time.time_ns()
        s = st("f")
        r["now_atime"] = [t0 - 20_000_000 <= s["atime"] <= t1 + 20_000_000, s["mtime"] == M + 1]
        utimensat("f", UTIME_OMIT, UTIME_OMIT)
        r["omit_both"] = st("f")["mtime"] == M + 1
        t0 = time.time_ns()
        os.utime("f")
        s = st("f")
        r["both_now"] = [s["atime"] >= t0 - 20_000_000, s["mtime"] >= t0 - 20_000_000]
        os.mkdir("d")
        utimensat("d", A, M)
        r["dir"] = [st("d")["atime"] == A, st("d")["mtime"] == M]
        os.symlink("f", "l")
        utimensat("l", A + 1, M + 2, nofollow=True)
        r["symlink"] = [st("l")["atime"] == A + 1, st("l")["mtime"] == M + 2, st("f")["mtime"] == s["mtime"]]
        out(r)`,
      );
      assert.deepEqual(r, {
        ns: [true, true],
        old: [true, true],
        far: [true, true],
        omit_atime: [true, true],
        now_atime: [true, true],
        omit_both: true,
        both_now: [true, true],
        dir: [true, true],
        symlink: [true, true, true],
      });
      await Deno.utime(`${dir}/f`, 1_000_000, new Date(2_000_000_123));
      const stat = await Deno.stat(`${dir}/f`);
      assert.deepEqual([stat.atime?.getTime(), stat.mtime?.getTime()], [
        1_000_000_000,
        2_000_000_123,
      ]);
    },
  },
  {
    name:
      "xattr: user.* set/get/list/remove, CREATE/REPLACE errors, ENODATA, follows inode, EPERM on links",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        def users(p, follow=True):
            return sorted(n for n in os.listxattr(p, follow_symlinks=follow) if n.startswith("user."))
        put("f", b"")
        r = {"empty": users("f")}
        os.setxattr("f", "user.a", b"1")
        os.setxattr("f", "user.bin", b"\\x00\\xff\\x00")
        r.update({"get": [os.getxattr("f", "user.a"), os.getxattr("f", "user.bin")], "list": users("f"),
                  "create_exists": E(os.setxattr, "f", "user.a", b"2", os.XATTR_CREATE),
                  "replace_missing": E(os.setxattr, "f", "user.new", b"2", os.XATTR_REPLACE),
                  "replace": E(os.setxattr, "f", "user.a", b"22", os.XATTR_REPLACE),
                  "create_new": E(os.setxattr, "f", "user.c", b"3", os.XATTR_CREATE)})
        r["replaced"] = os.getxattr("f", "user.a")
        r.update({"get_missing": E(os.getxattr, "f", "user.none"), "remove_missing": E(os.removexattr, "f", "user.none"),
                  "remove": E(os.removexattr, "f", "user.a")})
        r["after_remove"] = users("f")
        os.setxattr("f", "user.empty", b"")
        os.setxattr("f", "user.big", b"v" * 2000)
        os.setxattr("f", "user." + "n" * 250, b"x")
        r.update({"empty_value": os.getxattr("f", "user.empty"), "big": len(os.getxattr("f", "user.big")),
                  "name_255": os.getxattr("f", "user." + "n" * 250), "name_256": E(os.setxattr, "f", "user." + "n" * 251, b"x")})
        os.rename("f", "g")
        os.link("g", "h")
        r["follows_inode"] = os.getxattr("h", "user.bin")
        os.mkdir("d")
        os.setxattr("d", "user.dir", b"D")
        r["dir"] = os.getxattr("d", "user.dir")
        os.symlink("g", "l")
        os.mkfifo("p")
        r.update({"link_set": E(os.setxattr, "l", "user.x", b"1", follow_symlinks=False),
                  "link_get": E(os.getxattr, "l", "user.x", follow_symlinks=False),
                  "link_list": users("l", False), "fifo_set": E(os.setxattr, "p", "user.x", b"1"),
                  "via_link": E(os.setxattr, "l", "user.via", b"v")})
        r["on_target"] = os.getxattr("g", "user.via")
        out(r)`,
      );
      assert.deepEqual(r, {
        empty: [],
        get: ["1", "\0\xff\0"],
        list: ["user.a", "user.bin"],
        create_exists: "EEXIST",
        replace_missing: "ENODATA",
        replace: "OK",
        create_new: "OK",
        replaced: "22",
        get_missing: "ENODATA",
        remove_missing: "ENODATA",
        remove: "OK",
        after_remove: ["user.bin", "user.c"],
        empty_value: "",
        big: 2000,
        name_255: "x",
        name_256: "ERANGE",
        follows_inode: "\0\xff\0",
        dir: "D",
        link_set: "EPERM",
        link_get: "ENODATA",
        link_list: [],
        fifo_set: "EPERM",
        via_link: "OK",
        on_target: "v",
      });
    },
  },
  {
    name:
      "security.capability: removed by every write, truncation and chown, set again and removed again",
    root: true,
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        import struct
        # vfs_cap_data revision 2, effective, CAP_NET_RAW permitted.
        cap = struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0)
        def capped(p):
            put(p, b"data")
            os.setxattr(p, "security.capability", cap)
        def has(p):
            return E(os.getxattr, p, "security.capability")
        def write(p):
            with open(p, "r+b") as f:
                f.write(b"x")
        capped("w")
        r = {"set": os.getxattr("w", "security.capability") == cap}
        write("w")
        r["write"] = has("w")
        os.setxattr("w", "security.capability", cap)
        write("w")
        r["write_again"] = has("w")
        capped("t")
        os.truncate("t", 1)
        r["truncate"] = has("t")
        capped("c")
        os.chown("c", os.getuid(), os.getgid())
        r["chown"] = has("c")
        capped("keep")
        with open("keep", "rb") as f:
            f.read()
        os.utime("keep", (1, 1))
        r["read_and_utime"] = has("keep")
        out(r)`,
      );
      assert.deepEqual(r, {
        set: true,
        write: "ENODATA",
        write_again: "ENODATA",
        truncate: "ENODATA",
        chown: "ENODATA",
        read_and_utime: "OK",
      });
    },
  },
  {
    name: "xattr: setting needs write permission and reading needs read permission (EACCES)",
    root: true,
    async run(dir, ctx) {
      await ctx.py(
        dir,
        `
        put("shared", b"", 0o644)
        put("private", b"", 0o600)
        os.setxattr("shared", "user.k", b"v")
        os.setxattr("private", "user.k", b"v")
        out(0)`,
      );
      assert.deepEqual(
        await ctx.py(
          dir,
          `
          out([E(os.setxattr, "shared", "user.k", b"w"), V(os.getxattr, "shared", "user.k"),
               E(os.getxattr, "private", "user.k"), E(os.removexattr, "shared", "user.k")])`,
          ctx.users.b,
        ),
        ["EACCES", "v", "EACCES", "EACCES"],
      );
    },
  },
  {
    name: "fifo: mkfifo and mknod make fifos that carry data; mknod S_IFREG makes a file",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        os.mkfifo("p", 0o640)
        os.mknod("q", 0o600 | stat.S_IFIFO)
        os.mknod("r", 0o644 | stat.S_IFREG)
        rfd = os.open("p", os.O_RDONLY | os.O_NONBLOCK)
        wfd = os.open("p", os.O_WRONLY | os.O_NONBLOCK)
        os.write(wfd, b"ping")
        out({"p": [st("p")["type"], st("p")["mode"]], "q": st("q")["type"], "r": [st("r")["type"], st("r")["size"]],
             "again": E(os.mkfifo, "p"), "data": os.read(rfd, 10), "size": st("p")["size"]})`,
      );
      assert.deepEqual(r, {
        p: ["fifo", 0o640],
        q: "fifo",
        r: ["file", 0],
        again: "EEXIST",
        data: "ping",
        size: 0,
      });
      assert.equal((await Deno.lstat(`${dir}/p`)).isFifo, true);
    },
  },
  {
    name: "statfs: statvfs reports sane totals and a 255-byte name limit; df works",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        v = os.statvfs(".")
        out({"bsize": v.f_bsize > 0 and v.f_frsize > 0, "blocks": v.f_blocks > 0,
             "order": v.f_bavail <= v.f_bfree <= v.f_blocks, "files": v.f_ffree <= v.f_files,
             "namemax": v.f_namemax})`,
      );
      assert.deepEqual(r, { bsize: true, blocks: true, order: true, files: true, namemax: 255 });
      const df = await ctx.sh(dir, "df -P .");
      assert.equal(df.code, 0, df.stderr);
    },
  },
];
