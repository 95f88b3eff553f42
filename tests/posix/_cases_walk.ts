/**
 * POSIX cases about path walks: a directory that a user may not search stays
 * closed to that user whatever the kernel has cached (names others looked up,
 * a chmod that closes a directory, a rename into a closed one), and execve(2)
 * needs execute permission only, not read. A FUSE mount without
 * default_permissions would let a walk through cached names pass unchecked.
 */

import assert from "node:assert/strict";
import type { PosixCase } from "./_context.ts";

export const walkCases: PosixCase[] = [
  {
    name:
      "walk: closed directories stay closed through cached names, after chmod and after rename into them",
    root: true,
    async run(dir, ctx) {
      const { b } = ctx.users;
      // Root makes and looks at everything, so the kernel has it all cached.
      await ctx.py(
        dir,
        `
        pub("closed", 0o700)
        put("closed/f", b"c")
        pub("open", 0o755)
        put("open/f", b"o")
        pub("moving", 0o755)
        pub("moving/sub", 0o755)
        put("moving/sub/h", b"h")
        for path in ["closed/f", "open/f", "moving/sub/h"]:
            os.stat(path)
        out(0)`,
      );
      const probe = `out({"closed": E(os.stat, "closed/f"), "open": E(os.stat, "open/f"),
                          "moved": E(os.stat, "closed/sub/h"), "sub": E(os.stat, "moving/sub/h")})`;
      assert.deepEqual(await ctx.py(dir, probe, b), {
        closed: "EACCES",
        open: "OK",
        moved: "EACCES", // Not there yet, but the walk stops at "closed".
        sub: "OK",
      });
      await ctx.py(dir, `os.chmod("open", 0o700); os.rename("moving/sub", "closed/sub"); out(0)`);
      assert.deepEqual(await ctx.py(dir, probe, b), {
        closed: "EACCES",
        open: "EACCES",
        moved: "EACCES",
        sub: "ENOENT",
      });
      await ctx.py(dir, `os.chmod("open", 0o755); os.chmod("closed", 0o711); out(0)`);
      assert.deepEqual(await ctx.py(dir, probe, b), {
        closed: "OK",
        open: "OK",
        moved: "OK",
        sub: "ENOENT",
      });
    },
  },
  {
    name: "walk: execve needs execute permission only, by class",
    root: true,
    async run(dir, ctx) {
      await ctx.py(
        dir,
        `
        import shutil
        for name, mode in [("x_only", 0o711), ("owner_only", 0o700)]:
            shutil.copy("/bin/true", name)
            os.chmod(name, mode)
        out(0)`,
      );
      const probe = `
        import subprocess
        out({name: V(lambda: subprocess.run(["./" + name]).returncode) for name in ["x_only", "owner_only"]})`;
      assert.deepEqual(await ctx.py(dir, probe, ctx.users.b), { x_only: 0, owner_only: "EACCES" });
      assert.deepEqual(await ctx.py(dir, probe), { x_only: 0, owner_only: 0 });
    },
  },
];
