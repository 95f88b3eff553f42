/** POSIX cases about rename(2), renameat2(2) flags and readdir. */

import assert from "node:assert/strict";
import { type PosixCase, rejectsWith } from "./_context.ts";

export const renameCases: PosixCase[] = [
  {
    name: "rename: a file replaces a file (open handles keep the old data); same-inode is a no-op",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("a", b"A")
        put("b", b"B")
        os.link("b", "b2")
        ino_a = st("a")["ino"]
        held = os.open("b", os.O_RDONLY)
        os.rename("a", "b")
        r = {"old_name": E(os.stat, "a"), "content": get("b"), "ino": st("b")["ino"] == ino_a,
             "other_link": [st("b2")["nlink"], get("b2")], "held": [os.pread(held, 9, 0), os.fstat(held).st_nlink]}
        os.link("b", "h")
        r["same_inode"] = E(os.rename, "b", "h")
        r["both_stay"] = [sorted(os.listdir(".")), st("h")["nlink"]]
        r["self"] = E(os.rename, "h", "h")
        os.mkdir("d")
        r["into_dir"] = E(os.rename, "h", "d/h")
        r.update({"missing": E(os.rename, "nope", "x"), "no_parent": E(os.rename, "b", "nodir/x"),
                  "through_file": E(os.rename, "b", "b2/x"), "dot": E(os.rename, ".", "x"),
                  "dotdot": E(os.rename, "d/..", "x")})
        out(r)`,
      );
      assert.deepEqual(r, {
        old_name: "ENOENT",
        content: "A",
        ino: true,
        other_link: [1, "B"],
        held: ["B", 1],
        same_inode: "OK",
        both_stay: [["b", "b2", "h"], 2],
        self: "OK",
        into_dir: "OK",
        missing: "ENOENT",
        no_parent: "ENOENT",
        through_file: "ENOTDIR",
        dot: "EBUSY",
        dotdot: "EBUSY",
      });
      await Deno.rename(`${dir}/b2`, `${dir}/d/b3`);
      assert.equal(await Deno.readTextFile(`${dir}/d/b3`), "B");
      await rejectsWith(Deno.rename(`${dir}/b2`, `${dir}/x`), "ENOENT");
    },
  },
  {
    name: "rename: dirs replace empty dirs; ENOTEMPTY, EISDIR, ENOTDIR, EINVAL into own subtree",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        os.makedirs("p/q")
        os.mkdir("empty")
        os.mkdir("full")
        put("full/x", b"")
        put("file", b"")
        base = st(".")["nlink"]
        r = {"over_empty": E(os.rename, "p", "empty"), "moved": st("empty/q")["type"], "old": E(os.stat, "p"),
             "nlink_drop": base - st(".")["nlink"]}
        os.mkdir("p2")
        r.update({"over_full": E(os.rename, "p2", "full"), "file_over_dir": E(os.rename, "file", "full"),
                  "dir_over_file": E(os.rename, "p2", "file"), "into_child": E(os.rename, "empty", "empty/q/in"),
                  "into_self": E(os.rename, "empty", "empty/new"), "self": E(os.rename, "p2", "p2"),
                  "ancestor_over_child": E(os.rename, "empty", "empty/q")})
        os.mkdir("m1")
        os.mkdir("m2")
        os.mkdir("m1/c")
        os.rename("m1/c", "m2/c")
        r["dotdot"] = st("m2/c/..")["ino"] == st("m2")["ino"]
        r["parents"] = [st("m1")["nlink"], st("m2")["nlink"]]
        out(r)`,
      );
      assert.deepEqual(r, {
        over_empty: "OK",
        moved: "dir",
        old: "ENOENT",
        nlink_drop: 1,
        over_full: "ENOTEMPTY",
        file_over_dir: "EISDIR",
        dir_over_file: "ENOTDIR",
        into_child: "EINVAL",
        into_self: "EINVAL",
        self: "OK",
        ancestor_over_child: "EINVAL",
        dotdot: true,
        parents: [2, 3],
      });
    },
  },
  {
    name: "renameat2: RENAME_NOREPLACE gives EEXIST, RENAME_EXCHANGE swaps a file and a dir",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("a", b"A")
        put("b", b"B")
        os.mkdir("d")
        put("d/in", b"I")
        ino_d = st("d")["ino"]
        r = {"noreplace_exists": E(renameat2, "a", "b", RENAME_NOREPLACE), "kept": [get("a"), get("b")],
             "noreplace_new": E(renameat2, "a", "c", RENAME_NOREPLACE),
             "exchange": E(renameat2, "c", "d", RENAME_EXCHANGE)}
        r["swapped"] = [get("d"), get("c/in"), st("c")["ino"] == ino_d]
        r["exchange_missing"] = E(renameat2, "c", "zz", RENAME_EXCHANGE)
        r["both_flags"] = E(renameat2, "b", "d", RENAME_NOREPLACE | RENAME_EXCHANGE)
        os.mkdir("x")
        put("x/y", b"Y")
        r["across_dirs"] = E(renameat2, "b", "x/y", RENAME_EXCHANGE)
        r["across_content"] = [get("b"), get("x/y")]
        r["into_subtree"] = E(renameat2, "c", "c/in", RENAME_EXCHANGE)
        os.mkdir("p")
        os.mkdir("p/sub")
        r["dir_dir"] = E(renameat2, "p/sub", "x", RENAME_EXCHANGE)
        r["dotdot"] = [st("x/..")["ino"] == st(".")["ino"], st("p/sub/..")["ino"] == st("p")["ino"]]
        r["moved_child"] = get("p/sub/y")
        out(r)`,
      );
      assert.deepEqual(r, {
        noreplace_exists: "EEXIST",
        kept: ["A", "B"],
        noreplace_new: "OK",
        exchange: "OK",
        swapped: ["A", "I", true],
        exchange_missing: "ENOENT",
        both_flags: "EINVAL",
        across_dirs: "OK",
        across_content: ["Y", "B"],
        into_subtree: "EINVAL",
        dir_dir: "OK",
        dotdot: [true, true],
        moved_child: "B",
      });
    },
  },
  {
    name:
      "readdir: lists exactly the entries, with types, for names with spaces, UTF-8, newlines, bytes",
    async run(dir, ctx) {
      const names = [
        "plain",
        "with space",
        " leading",
        "trailing ",
        "ünïcödé ☃",
        "日本語",
        "new\nline",
        "tab\tname",
        "-dash",
        "...",
        ".hidden",
        "back\\slash",
        "quote'\"",
        "*?[",
      ];
      for (const name of names) await Deno.writeTextFile(`${dir}/${name}`, name);
      await Deno.mkdir(`${dir}/sub`);
      await Deno.symlink("plain", `${dir}/link`);
      const seen = new Map<string, string>();
      for await (const entry of Deno.readDir(dir)) {
        assert.ok(!seen.has(entry.name), `${JSON.stringify(entry.name)} listed twice`);
        seen.set(entry.name, entry.isSymlink ? "symlink" : entry.isDirectory ? "dir" : "file");
      }
      const expected = new Map(names.map((name) => [name, "file"]));
      expected.set("sub", "dir").set("link", "symlink");
      assert.deepEqual(new Map([...seen].sort()), new Map([...expected].sort()));
      for (const name of names) assert.equal(await Deno.readTextFile(`${dir}/${name}`), name);
      const r = await ctx.py(
        dir,
        `
        raw = [b"\\xff\\xfe invalid utf-8", b"ok", b"\\x01ctl"]
        for name in raw:
            put(b"sub/" + name, name)
        out({"listed": sorted(os.listdir(b"sub")) == sorted(raw), "read": all(get(b"sub/" + n) == n for n in raw),
             "dotdot": st("sub/..")["ino"] == st(".")["ino"]})`,
      );
      assert.deepEqual(r, { listed: true, read: true, dotdot: true });
      const ls = (await ctx.sh(dir, "ls -1a sub")).stdout.split("\n");
      assert.ok(ls.includes(".") && ls.includes(".."), `ls -a shows no . and ..: ${ls}`);
    },
  },
  {
    name: "readdir: exact after 1500 creates, unlinks and renames; one pass of unlinks empties it",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        os.mkdir("many")
        want = set()
        for i in range(1500):
            os.close(os.open(f"many/f{i:04}", os.O_WRONLY | os.O_CREAT, 0o644))
            want.add(f"f{i:04}")
        for i in range(0, 1500, 2):
            os.unlink(f"many/f{i:04}")
            want.discard(f"f{i:04}")
        for i in range(200):
            os.mkdir(f"many/g{i}")
            want.add(f"g{i}")
        for i in range(1, 1500, 14):
            os.rename(f"many/f{i:04}", f"many/r{i}")
            want.discard(f"f{i:04}")
            want.add(f"r{i}")
        listed = os.listdir("many")
        r = {"exact": sorted(listed) == sorted(want), "no_duplicates": len(listed) == len(set(listed)),
             "count": len(want), "nlink": st("many")["nlink"]}
        removed = 0
        with os.scandir("many") as it:
            for e in it:
                (os.rmdir if e.is_dir(follow_symlinks=False) else os.unlink)(e.path)
                removed += 1
        r.update({"removed": removed, "left": os.listdir("many"), "rmdir": E(os.rmdir, "many")})
        out(r)`,
      );
      assert.deepEqual(r, {
        exact: true,
        no_duplicates: true,
        count: 950,
        nlink: 202,
        removed: 950,
        left: [],
        rmdir: "OK",
      });
    },
  },
];
