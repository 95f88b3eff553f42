/** POSIX cases about names: hard links, symlinks, mkdir/rmdir, name and path lengths. */

import assert from "node:assert/strict";
import { type PosixCase, rejectsWith } from "./_context.ts";

export const linkCases: PosixCase[] = [
  {
    name: "link: hard links share an inode, count nlink, and refuse dirs (EPERM) and EEXIST",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("a", b"one")
        os.link("a", "b")
        r = {"nlink": [st("a")["nlink"], st("b")["nlink"]], "same": st("a")["ino"] == st("b")["ino"]}
        with open("b", "ab") as f:
            f.write(b"two")
        r["shared"] = get("a")
        os.mkdir("d")
        os.link("a", "d/c")
        r["three"] = st("b")["nlink"]
        r["dir"] = E(os.link, "d", "dl")
        r["exists"] = E(os.link, "a", "b")
        r["missing"] = E(os.link, "nope", "x")
        r["no_parent"] = E(os.link, "a", "nodir/x")
        os.unlink("a")
        r["after_unlink"] = [st("b")["nlink"], get("d/c")]
        os.symlink("b", "sl")
        os.link("sl", "sl2", follow_symlinks=False)
        r["symlink_link"] = [st("sl2")["type"], st("sl")["nlink"], os.readlink("sl2")]
        out(r)`,
      );
      assert.deepEqual(r, {
        nlink: [2, 2],
        same: true,
        shared: "onetwo",
        three: 3,
        dir: "EPERM",
        exists: "EEXIST",
        missing: "ENOENT",
        no_parent: "ENOENT",
        after_unlink: [2, "onetwo"],
        symlink_link: ["symlink", 2, "b"],
      });
      await Deno.link(`${dir}/b`, `${dir}/e`);
      assert.equal((await Deno.stat(`${dir}/e`)).nlink, 3);
      await rejectsWith(Deno.link(`${dir}/b`, `${dir}/e`), "EEXIST");
    },
  },
  {
    name: "link: a directory's nlink is 2 plus its subdirectories",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        base = st(".")["nlink"]
        os.mkdir("d")
        r = [st("d")["nlink"]]
        os.mkdir("d/s1")
        os.mkdir("d/s2")
        put("d/f", b"")
        r.append(st("d")["nlink"])
        os.rename("d/s1", "s1")
        r += [st("d")["nlink"], st(".")["nlink"] - base]
        os.rmdir("d/s2")
        r.append(st("d")["nlink"])
        out(r)`,
      );
      assert.deepEqual(r, [2, 4, 3, 2, 2]);
    },
  },
  {
    name: "symlink: readlink is exact, dangling links lstat, loops give ELOOP, O_NOFOLLOW ELOOP",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        target = "target/with/../odd path"
        os.symlink(target, "l1")
        put("real", b"data")
        os.symlink("real", "good")
        os.symlink("missing", "dangling")
        os.symlink("loop2", "loop1")
        os.symlink("loop1", "loop2")
        os.symlink("self", "self")
        os.mkdir("dd")
        os.symlink("dd", "ld")
        put("ld/x", b"via link")
        for i in range(45):
            os.symlink("real" if i == 0 else f"c{i - 1}", f"c{i}")
        out({"readlink": os.readlink("l1") == target, "lstat": [st("l1")["type"], st("l1")["size"]],
             "follow": [get("good"), st("good", follow=True)["type"]],
             "dangling": [E(os.stat, "dangling"), st("dangling")["type"]],
             "loop": [E(os.open, "loop1", os.O_RDONLY), E(os.stat, "loop1"), E(os.stat, "self")],
             "exists": E(os.symlink, "x", "real"), "not_link": E(os.readlink, "real"),
             "nofollow": E(os.open, "good", os.O_RDONLY | os.O_NOFOLLOW),
             "dir_link": [get("dd/x"), E(os.rmdir, "ld")],
             "chain": [E(os.stat, "c30"), E(os.stat, "c44")],
             "empty": E(os.symlink, "", "empty"),
             "long_ok": E(os.symlink, "t" * 4095, "long"), "long_len": st("long")["size"],
             "too_long": E(os.symlink, "t" * 4096, "toolong")})`,
      );
      assert.deepEqual(r, {
        readlink: true,
        lstat: ["symlink", 23],
        follow: ["data", "file"],
        dangling: ["ENOENT", "symlink"],
        loop: ["ELOOP", "ELOOP", "ELOOP"],
        exists: "EEXIST",
        not_link: "EINVAL",
        nofollow: "ELOOP",
        dir_link: ["via link", "ENOTDIR"],
        chain: ["OK", "ELOOP"],
        empty: "ENOENT",
        long_ok: "OK",
        long_len: 4095,
        too_long: "ENAMETOOLONG",
      });
      assert.equal(await Deno.readLink(`${dir}/good`), "real");
      assert.equal((await Deno.lstat(`${dir}/dangling`)).isSymlink, true);
      await Deno.remove(`${dir}/good`);
      assert.equal(await Deno.readTextFile(`${dir}/real`), "data");
    },
  },
  {
    name: "mkdir/rmdir: EEXIST, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL on '.', EISDIR on unlink",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        os.mkdir("d", 0o777)
        put("f", b"")
        os.symlink("nowhere", "l")
        os.mkdir("e")
        os.mkdir("nest")
        os.mkdir("nest/inner")
        r = {"mode": st("d")["mode"], "again": E(os.mkdir, "d"), "over_file": E(os.mkdir, "f"),
             "over_link": E(os.mkdir, "l"), "no_parent": E(os.mkdir, "nope/x"),
             "through_file": E(os.mkdir, "f/x"), "trailing_slash": E(os.mkdir, "d2/")}
        put("d/x", b"")
        r["not_empty"] = E(os.rmdir, "d")
        r["nested_not_empty"] = E(os.rmdir, "nest")
        os.unlink("d/x")
        r["emptied"] = E(os.rmdir, "d")
        r.update({"rmdir_file": E(os.rmdir, "f"), "rmdir_missing": E(os.rmdir, "missing"),
                  "rmdir_link": E(os.rmdir, "l"), "rmdir_dot": E(os.rmdir, "e/."),
                  "rmdir_dotdot": E(os.rmdir, "e/.."), "unlink_dir": E(os.unlink, "e"),
                  "listing": sorted(os.listdir("."))})
        out(r)`,
      );
      assert.deepEqual(r, {
        mode: 0o755,
        again: "EEXIST",
        over_file: "EEXIST",
        over_link: "EEXIST",
        no_parent: "ENOENT",
        through_file: "ENOTDIR",
        trailing_slash: "OK",
        not_empty: "ENOTEMPTY",
        nested_not_empty: "ENOTEMPTY",
        emptied: "OK",
        rmdir_file: "ENOTDIR",
        rmdir_missing: "ENOENT",
        rmdir_link: "ENOTDIR",
        rmdir_dot: "EINVAL",
        rmdir_dotdot: "ENOTEMPTY",
        unlink_dir: "EISDIR",
        listing: ["d2", "e", "f", "l", "nest"],
      });
      await rejectsWith(Deno.mkdir(`${dir}/e`), "EEXIST");
      await rejectsWith(Deno.remove(`${dir}/nest`), "ENOTEMPTY");
    },
  },
  {
    name: "names: 255-byte names work everywhere, 256 bytes give ENAMETOOLONG, long paths too",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        n255, n256 = "n" * 255, "n" * 256
        u255, u256 = "é" * 127 + "x", "é" * 128
        put(n255, b"x")
        r = {"create": st(n255)["size"], "listed": n255 in os.listdir("."), "utf8_255": E(put, u255, b""),
             "utf8_256": E(os.open, u256, os.O_WRONLY | os.O_CREAT, 0o644),
             "mkdir255": E(os.mkdir, "d" * 255), "symlink255": E(os.symlink, n255, "s" * 255),
             "open": E(os.open, n256, os.O_WRONLY | os.O_CREAT, 0o644), "mkdir": E(os.mkdir, n256),
             "symlink": E(os.symlink, "x", n256), "rename": E(os.rename, n255, n256),
             "link": E(os.link, n255, n256), "stat": E(os.stat, n256),
             "long_path": E(os.stat, "a/" * 2100), "target": E(os.symlink, n256, "to_long")}
        r["via_long_target"] = E(os.stat, "to_long")
        r["renamed_255"] = E(os.rename, n255, "m" * 255)
        out(r)`,
      );
      assert.deepEqual(r, {
        create: 1,
        listed: true,
        utf8_255: "OK",
        utf8_256: "ENAMETOOLONG",
        mkdir255: "OK",
        symlink255: "OK",
        open: "ENAMETOOLONG",
        mkdir: "ENAMETOOLONG",
        symlink: "ENAMETOOLONG",
        rename: "ENAMETOOLONG",
        link: "ENAMETOOLONG",
        stat: "ENAMETOOLONG",
        long_path: "ENAMETOOLONG",
        target: "OK",
        via_long_target: "ENAMETOOLONG",
        renamed_255: "OK",
      });
      await Deno.writeTextFile(`${dir}/${"w".repeat(255)}`, "deno");
      await rejectsWith(Deno.writeTextFile(`${dir}/${"w".repeat(256)}`, "x"), "ENAMETOOLONG");
    },
  },
];
