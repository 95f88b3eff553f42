/**
 * POSIX cases about permissions, run as unprivileged users (root only sets up): access
 * classes, directory search/write, sticky and setgid directories, chmod/chown rules.
 */

import assert from "node:assert/strict";
import type { PosixCase } from "./_context.ts";

export const permCases: PosixCase[] = [
  {
    name:
      "perms: EACCES on read, write, truncate and exec by class; access(2) agrees; root's exec rule",
    root: true,
    async run(dir, ctx) {
      const { a, b, shared } = ctx.users;
      await ctx.py(
        dir,
        `
        put("secret", b"s", 0o600)
        put("readable", b"r", 0o644)
        put("script", b"#!/bin/sh\\necho ran\\n", 0o644)
        put("script_x", b"#!/bin/sh\\necho ran\\n", 0o755)
        put("owner_none", b"o")
        os.chown("owner_none", ${a.uid}, ${a.gid})
        os.chmod("owner_none", 0o077)
        put("group_none", b"g")
        os.chown("group_none", 0, ${shared})
        os.chmod("group_none", 0o604)
        out(0)`,
      );
      const probe = `
        import subprocess
        def run(p):
            return subprocess.run([p], capture_output=True).stdout
        out({"secret": E(os.open, "secret", os.O_RDONLY), "readable": E(os.open, "readable", os.O_RDONLY),
             "write": E(os.open, "readable", os.O_WRONLY), "truncate": E(os.truncate, "readable", 0),
             "exec": V(run, "./script"), "exec_x": V(run, "./script_x"),
             "owner_none": E(os.open, "owner_none", os.O_RDONLY),
             "group_none": E(os.open, "group_none", os.O_RDONLY),
             "access": [os.access("secret", os.R_OK), os.access("readable", os.R_OK),
                        os.access("readable", os.W_OK), os.access("script", os.X_OK),
                        os.access("script_x", os.X_OK), os.access("readable", os.F_OK)]})`;
      assert.deepEqual(await ctx.py(dir, probe, a), {
        secret: "EACCES",
        readable: "OK",
        write: "EACCES",
        truncate: "EACCES",
        exec: "EACCES",
        exec_x: "ran\n",
        owner_none: "EACCES",
        group_none: "EACCES",
        access: [false, true, false, false, true, true],
      });
      const asB = await ctx.py(dir, probe, b);
      assert.deepEqual([asB.owner_none, asB.group_none], ["OK", "OK"]);
      const asRoot = await ctx.py(dir, probe);
      assert.deepEqual(asRoot, {
        secret: "OK",
        readable: "OK",
        write: "OK",
        truncate: "OK",
        exec: "EACCES",
        exec_x: "ran\n",
        owner_none: "OK",
        group_none: "OK",
        access: [true, true, true, false, true, true],
      });
    },
  },
  {
    name: "perms: directories need x to search, r to list, w+x to create, unlink and rename",
    root: true,
    async run(dir, ctx) {
      await ctx.py(
        dir,
        `
        pub("closed", 0o700)
        put("closed/f", b"c")
        pub("searchonly", 0o711)
        put("searchonly/f", b"s")
        pub("ro", 0o755)
        put("ro/f", b"r")
        os.chown("ro/f", ${ctx.users.b.uid}, ${ctx.users.b.gid})
        pub("open", 0o777)
        out(0)`,
      );
      assert.deepEqual(
        await ctx.py(
          dir,
          `
          out({"stat_closed": E(os.stat, "closed/f"), "list_closed": E(os.listdir, "closed"),
               "chdir_closed": E(os.chdir, "closed"), "read_searchonly": V(get, "searchonly/f"),
               "list_searchonly": E(os.listdir, "searchonly"),
               "create_ro": E(os.open, "ro/new", os.O_WRONLY | os.O_CREAT, 0o644),
               "mkdir_ro": E(os.mkdir, "ro/d"), "unlink_ro": E(os.unlink, "ro/f"),
               "rename_out": E(os.rename, "ro/f", "open/f"), "symlink_ro": E(os.symlink, "x", "ro/l"),
               "link_ro": E(os.link, "ro/f", "open/l"), "link_into_ro": E(os.link, "ro/f", "ro/l2"),
               "create_open": E(put, "open/mine", b"m"),
               "access": [os.access("closed", os.X_OK), os.access("ro", os.W_OK),
                          os.access("searchonly", os.X_OK), os.access("searchonly", os.R_OK)]})`,
          ctx.users.b,
        ),
        {
          stat_closed: "EACCES",
          list_closed: "EACCES",
          chdir_closed: "EACCES",
          read_searchonly: "s",
          list_searchonly: "EACCES",
          create_ro: "EACCES",
          mkdir_ro: "EACCES",
          unlink_ro: "EACCES",
          rename_out: "EACCES",
          symlink_ro: "EACCES",
          link_ro: "OK",
          link_into_ro: "EACCES",
          create_open: "OK",
          access: [false, false, true, false],
        },
      );
      assert.deepEqual(
        await ctx.py(dir, `out([sorted(os.listdir("closed")), E(os.unlink, "ro/f")])`),
        [["f"], "OK"],
      );
    },
  },
  {
    name: "sticky: others cannot unlink, rename or replace your entries; owner and root can",
    root: true,
    async run(dir, ctx) {
      const { a, b } = ctx.users;
      await ctx.py(
        dir,
        `
        pub("tmp", 0o1777)
        pub("open", 0o777)
        pub("atmp", 0o1777, (${a.uid}, ${a.gid}))
        out(0)`,
      );
      await ctx.py(
        dir,
        `
        put("tmp/a_file", b"a")
        os.mkdir("tmp/a_dir")
        put("open/a_file", b"a")
        out(0)`,
        a,
      );
      assert.deepEqual(
        await ctx.py(
          dir,
          `
          put("tmp/b_file", b"b")
          put("atmp/b_file", b"b")
          out({"unlink": E(os.unlink, "tmp/a_file"), "rename": E(os.rename, "tmp/a_file", "tmp/b_name"),
               "rmdir": E(os.rmdir, "tmp/a_dir"), "replace": E(os.rename, "tmp/b_file", "tmp/a_file"),
               "own": E(os.rename, "tmp/b_file", "tmp/b_moved"), "own_unlink": E(os.unlink, "tmp/b_moved"),
               "not_sticky": E(os.unlink, "open/a_file")})`,
          b,
        ),
        {
          unlink: "EPERM",
          rename: "EPERM",
          rmdir: "EPERM",
          replace: "EPERM",
          own: "OK",
          own_unlink: "OK",
          not_sticky: "OK",
        },
      );
      assert.deepEqual(
        await ctx.py(dir, `out([E(os.unlink, "atmp/b_file"), E(os.unlink, "tmp/a_file")])`, a),
        ["OK", "OK"],
      );
      assert.deepEqual(await ctx.py(dir, `out(E(os.rmdir, "tmp/a_dir"))`), "OK");
    },
  },
  {
    name:
      "setgid dirs: new entries take the dir's group, subdirs inherit the bit; non-members lose it",
    root: true,
    async run(dir, ctx) {
      const { a, b, shared } = ctx.users;
      const r = await ctx.py(
        dir,
        `
        pub("sg", 0o2777, (0, ${shared}))
        pub("plain", 0o777)
        put("sg/rootfile", b"")
        os.mkdir("sg/sub")
        out({"file": st("sg/rootfile")["gid"], "sub": [st("sg/sub")["gid"], st("sg/sub")["mode"]]})`,
      );
      assert.deepEqual(r, { file: shared, sub: [shared, 0o2755] });
      const create = (name: string) => `
        os.close(os.open("sg/${name}", os.O_WRONLY | os.O_CREAT, 0o2755))
        os.close(os.open("plain/${name}", os.O_WRONLY | os.O_CREAT, 0o644))
        out([st("sg/${name}")["gid"], st("sg/${name}")["mode"], st("plain/${name}")["gid"]])`;
      assert.deepEqual(await ctx.py(dir, create("a"), a), [shared, 0o2755, a.gid]);
      assert.deepEqual(await ctx.py(dir, create("b"), b), [shared, 0o755, b.gid]);
    },
  },
  {
    name:
      "chmod/chown: EPERM for non-owners, chgrp only to own groups, suid/sgid cleared by chown and write",
    root: true,
    async run(dir, ctx) {
      const { a, b, shared } = ctx.users;
      await ctx.py(
        dir,
        `
        pub("pub", 0o777)
        put("rootfile", b"r")
        put("pub/afile", b"a")
        os.chown("pub/afile", ${a.uid}, ${a.gid})
        put("pub/ag", b"")
        os.chown("pub/ag", ${a.uid}, ${b.gid})
        put("pub/w", b"")
        os.chmod("pub/w", 0o6777)
        put("pub/tw", b"")
        os.chmod("pub/tw", 0o666)
        out(0)`,
      );
      assert.deepEqual(
        await ctx.py(
          dir,
          `
          r = {"chmod_other": E(os.chmod, "rootfile", 0o777), "chmod_own": E(os.chmod, "pub/afile", 0o2600)}
          r["mode_own"] = st("pub/afile")["mode"]
          os.chmod("pub/ag", 0o2755)
          r["sgid_dropped"] = st("pub/ag")["mode"]
          r.update({"chown_uid": E(os.chown, "pub/afile", ${b.uid}, -1),
                    "chown_self": E(os.chown, "pub/afile", ${a.uid}, -1),
                    "chgrp_member": E(os.chown, "pub/afile", -1, ${shared}),
                    "chgrp_other": E(os.chown, "pub/afile", -1, ${b.gid}),
                    "chgrp_not_owner": E(os.chown, "rootfile", -1, ${shared})})
          r["gid"] = st("pub/afile")["gid"]
          fd = os.open("pub/w", os.O_WRONLY)
          os.write(fd, b"x")
          os.close(fd)
          r["write_cleared"] = st("pub/w")["mode"]
          r.update({"touch_writable": E(os.utime, "pub/tw", None), "set_times": E(os.utime, "pub/tw", ns=(1, 1)),
                    "touch_readonly": E(os.utime, "rootfile", None), "own_times": E(os.utime, "pub/afile", ns=(1, 1))})
          out(r)`,
          a,
        ),
        {
          chmod_other: "EPERM",
          chmod_own: "OK",
          mode_own: 0o2600,
          sgid_dropped: 0o755,
          chown_uid: "EPERM",
          chown_self: "OK",
          chgrp_member: "OK",
          chgrp_other: "EPERM",
          chgrp_not_owner: "EPERM",
          gid: shared,
          write_cleared: 0o777,
          touch_writable: "OK",
          set_times: "EPERM",
          touch_readonly: "EACCES",
          own_times: "OK",
        },
      );
      assert.deepEqual(
        await ctx.py(
          dir,
          `
          put("s1", b"")
          os.chmod("s1", 0o6755)
          os.chown("s1", ${a.uid}, -1)
          put("s2", b"")
          os.chmod("s2", 0o2644)
          os.chown("s2", ${a.uid}, -1)
          pub("sd", 0o2755)
          os.chown("sd", ${a.uid}, ${shared})
          out([st("s1")["mode"], st("s2")["mode"], st("sd")["mode"], st("s1")["uid"]])`,
        ),
        [0o755, 0o2644, 0o2755, a.uid],
      );
    },
  },
];
