/** POSIX cases about regular files: open flags, offsets, truncation, unlink while open. */

import assert from "node:assert/strict";
import { type PosixCase, rejectsWith } from "./_context.ts";

export const fileCases: PosixCase[] = [
  {
    name: "open: O_CREAT|O_EXCL gives EEXIST (also on a dangling symlink); O_CREAT follows one",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("f", b"x")
        os.symlink("nowhere", "dangling")
        excl = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        r = {"existing": E(os.open, "f", excl, 0o644), "dangling": E(os.open, "dangling", excl, 0o644)}
        os.close(os.open("new", excl, 0o640))
        r["new_mode"] = st("new")["mode"]
        r["again"] = E(os.open, "new", excl, 0o644)
        os.close(os.open("dangling", os.O_WRONLY | os.O_CREAT, 0o644))
        r["followed"] = st("nowhere")["type"]
        out(r)`,
      );
      assert.deepEqual(r, {
        existing: "EEXIST",
        dangling: "EEXIST",
        new_mode: 0o640,
        again: "EEXIST",
        followed: "file",
      });
      await rejectsWith(Deno.open(`${dir}/f`, { write: true, createNew: true }), "EEXIST");
    },
  },
  {
    name: "open: the umask masks the creation mode of files and directories",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        os.umask(0o027)
        os.close(os.open("a", os.O_WRONLY | os.O_CREAT, 0o777))
        os.mkdir("d", 0o777)
        os.umask(0)
        os.close(os.open("b", os.O_WRONLY | os.O_CREAT, 0o666))
        os.mkdir("e", 0o1777)
        out([st("a")["mode"], st("d")["mode"], st("b")["mode"], st("e")["mode"]])`,
      );
      assert.deepEqual(r, [0o750, 0o750, 0o666, 0o1777]);
    },
  },
  {
    name: "open: O_TRUNC empties a file and updates its mtime",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        T0 = 10**18
        put("f", b"hello world")
        utimensat("f", T0, T0)
        os.close(os.open("f", os.O_WRONLY | os.O_TRUNC))
        s = st("f")
        fd = os.open("f", os.O_RDWR | os.O_TRUNC)
        os.write(fd, b"ab")
        os.close(fd)
        out({"size": s["size"], "newer": s["mtime"] > T0, "content": get("f")})`,
      );
      assert.deepEqual(r, { size: 0, newer: true, content: "ab" });
      await Deno.writeTextFile(`${dir}/g`, "a longer first version");
      await Deno.writeTextFile(`${dir}/g`, "short");
      assert.equal(await Deno.readTextFile(`${dir}/g`), "short");
    },
  },
  {
    name: "open: O_APPEND writes at the end even after a seek, and pwrite appends too (Linux)",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("f", b"0123")
        fd = os.open("f", os.O_WRONLY | os.O_APPEND)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"AB")
        pos = os.lseek(fd, 0, os.SEEK_CUR)
        os.pwrite(fd, b"CD", 1)
        fd2 = os.open("f", os.O_WRONLY | os.O_APPEND)
        os.write(fd2, b"x")
        os.write(fd, b"y")
        os.write(fd2, b"z")
        os.close(fd)
        os.close(fd2)
        out({"pos": pos, "content": get("f")})`,
      );
      assert.deepEqual(r, { pos: 6, content: "0123ABCDxyz" });
      const file = await Deno.open(`${dir}/f`, { append: true });
      await file.seek(0, Deno.SeekMode.Start);
      await file.write(new TextEncoder().encode("!"));
      file.close();
      assert.equal(await Deno.readTextFile(`${dir}/f`), "0123ABCDxyz!");
    },
  },
  {
    name: "open: ENOENT, ENOTDIR, EISDIR and EBADF where POSIX says",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("f", b"x")
        os.mkdir("d")
        ro, wo = os.open("f", os.O_RDONLY), os.open("f", os.O_WRONLY)
        out({
          "missing": E(os.open, "missing", os.O_RDONLY),
          "no_parent": E(os.open, "nodir/x", os.O_WRONLY | os.O_CREAT, 0o644),
          "through_file": E(os.open, "f/x", os.O_RDONLY),
          "trailing_slash": E(os.open, "f/", os.O_RDONLY),
          "o_directory": E(os.open, "f", os.O_RDONLY | os.O_DIRECTORY),
          "dir_wronly": E(os.open, "d", os.O_WRONLY),
          "dir_rdwr": E(os.open, "d", os.O_RDWR),
          "dir_creat": E(os.open, "d", os.O_WRONLY | os.O_CREAT, 0o644),
          "creat_slash": E(os.open, "new/", os.O_WRONLY | os.O_CREAT, 0o644),
          "write_rdonly": E(os.write, ro, b"y"),
          "read_wronly": E(os.read, wo, 1),
          "content": get("f"),
        })`,
      );
      assert.deepEqual(r, {
        missing: "ENOENT",
        no_parent: "ENOENT",
        through_file: "ENOTDIR",
        trailing_slash: "ENOTDIR",
        o_directory: "ENOTDIR",
        dir_wronly: "EISDIR",
        dir_rdwr: "EISDIR",
        dir_creat: "EISDIR",
        creat_slash: "EISDIR",
        write_rdonly: "EBADF",
        read_wronly: "EBADF",
        content: "x",
      });
      await rejectsWith(Deno.readFile(`${dir}/missing`), "ENOENT");
    },
  },
  {
    name: "read/write: pwrite/pread at offsets, a zero-filled gap, short reads at EOF",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        fd = os.open("f", os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(fd, b"abc", 0)
        os.pwrite(fd, b"XYZ", 10)
        os.pwrite(fd, b"12", 1)
        out({"size": os.fstat(fd).st_size, "all": os.pread(fd, 100, 0), "tail": os.pread(fd, 5, 11),
             "at_eof": os.pread(fd, 5, 13), "past_eof": os.pread(fd, 5, 1000)})`,
      );
      assert.deepEqual(r, {
        size: 13,
        all: "a12\0\0\0\0\0\0\0XYZ",
        tail: "YZ",
        at_eof: "",
        past_eof: "",
      });
      const file = await Deno.open(`${dir}/f`, { read: true, write: true });
      await file.seek(5, Deno.SeekMode.Start);
      await file.write(new TextEncoder().encode("mid"));
      await file.seek(-2, Deno.SeekMode.End);
      const buffer = new Uint8Array(10);
      assert.equal(await file.read(buffer), 2);
      file.close();
      assert.equal(new TextDecoder().decode(buffer.subarray(0, 2)), "YZ");
      assert.equal(await Deno.readTextFile(`${dir}/f`), "a12\0\0mid\0\0XYZ");
    },
  },
  {
    name: "read/write: 5 MiB of random bytes and an overwrite across 1 MiB boundaries read back",
    async run(dir) {
      const data = randomBytes(5 * 1024 * 1024 + 123);
      await Deno.writeFile(`${dir}/big`, data);
      const patch = randomBytes(300_000);
      const offset = 1024 * 1024 - 100;
      const file = await Deno.open(`${dir}/big`, { write: true });
      await file.seek(offset, Deno.SeekMode.Start);
      await writeAll(file, patch);
      file.close();
      data.set(patch, offset);
      const back = await Deno.readFile(`${dir}/big`);
      assert.equal(back.length, data.length);
      assert.ok(equalBytes(back, data), "read back bytes differ from those written");
    },
  },
  {
    name: "truncate: down then up never resurrects old bytes; EISDIR, EINVAL, ENOENT",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("t", b"0123456789")
        os.truncate("t", 4)
        a = get("t")
        os.truncate("t", 8)
        b = get("t")
        fd = os.open("t", os.O_RDWR)
        os.ftruncate(fd, 2)
        c = os.pread(fd, 10, 0)
        os.close(fd)
        big = os.urandom(2 << 20)
        put("z", big)
        os.truncate("z", 1000)
        os.truncate("z", 2 << 20)
        z = get("z")
        os.mkdir("d")
        ro = os.open("t", os.O_RDONLY)
        out({"a": a, "b": b, "c": c, "z_kept": z[:1000] == big[:1000], "z_zero": z[1000:] == bytes(len(z) - 1000),
             "dir": E(os.truncate, "d", 0), "negative": E(os.truncate, "t", -1),
             "missing": E(os.truncate, "missing", 0), "ftruncate_rdonly": E(os.ftruncate, ro, 0)})`,
      );
      assert.deepEqual(r, {
        a: "0123",
        b: "0123\0\0\0\0",
        c: "01",
        z_kept: true,
        z_zero: true,
        dir: "EISDIR",
        negative: "EINVAL",
        missing: "ENOENT",
        ftruncate_rdonly: "EINVAL",
      });
      await Deno.truncate(`${dir}/t`, 5);
      assert.equal(await Deno.readTextFile(`${dir}/t`), "01\0\0\0");
    },
  },
  {
    name: "unlink: an open file's data stays readable and writable until the last close",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        put("u", b"keep me")
        fa, fb = os.open("u", os.O_RDWR), os.open("u", os.O_RDONLY)
        os.unlink("u")
        r = {"stat": E(os.stat, "u"), "nlink": os.fstat(fa).st_nlink, "listed": os.listdir(".")}
        os.pwrite(fa, b"!", 7)
        r["size"] = os.fstat(fa).st_size
        put("u", b"new")
        os.close(fa)
        r["old"] = os.pread(fb, 100, 0)
        r["new"] = get("u")
        os.close(fb)
        out(r)`,
      );
      assert.deepEqual(r, {
        stat: "ENOENT",
        nlink: 0,
        listed: [],
        size: 8,
        old: "keep me!",
        new: "new",
      });
    },
  },
];

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65536)));
  }
  return bytes;
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) done += await file.write(data.subarray(done));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
