/**
 * POSIX cases about file extents and data paths: holes and SEEK_DATA/SEEK_HOLE, files
 * past 4 GiB, fallocate, copy_file_range, fsync, mmap. Hole positions are checked up to a
 * 16 MiB granularity, so a filesystem that tracks holes per chunk (not per 4 KiB block)
 * passes too.
 */

import assert from "node:assert/strict";
import type { PosixCase } from "./_context.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The coarsest hole granularity the suite accepts. */
const GRANULE = 16 * MiB;

export const dataCases: PosixCase[] = [
  {
    name: "sparse: holes read as zeros and SEEK_DATA/SEEK_HOLE find data and holes (ENXIO past)",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        M = 1 << 20
        fd = os.open("s", os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(fd, b"A" * 4096, 0)
        os.pwrite(fd, b"B" * 4096, 40 * M)
        os.ftruncate(fd, 100 * M)
        hole0 = os.lseek(fd, 0, os.SEEK_HOLE)
        out({"size": os.fstat(fd).st_size, "blocks": os.fstat(fd).st_blocks,
             "data0": V(os.lseek, fd, 0, os.SEEK_DATA), "hole0": hole0,
             "data_after_hole0": V(os.lseek, fd, hole0, os.SEEK_DATA),
             "hole_after_b": V(os.lseek, fd, 40 * M, os.SEEK_HOLE),
             "data_in_tail": V(os.lseek, fd, 72 * M, os.SEEK_DATA),
             "hole_in_tail": V(os.lseek, fd, 72 * M, os.SEEK_HOLE),
             "data_at_eof": V(os.lseek, fd, 100 * M, os.SEEK_DATA),
             "hole_at_eof": V(os.lseek, fd, 100 * M, os.SEEK_HOLE),
             "zeros_mid": os.pread(fd, 4096, 20 * M) == bytes(4096),
             "edge": os.pread(fd, 8, 40 * M - 4), "after": os.pread(fd, 8, 40 * M + 4092),
             "zeros_tail": os.pread(fd, 4096, 99 * M) == bytes(4096)})`,
      );
      assert.equal(r.size, 100 * MiB);
      assert.equal(r.data0, 0);
      assert.ok(r.hole0 >= 4096 && r.hole0 <= 40 * MiB, `SEEK_HOLE from 0 gave ${r.hole0}`);
      assert.ok(
        r.data_after_hole0 > r.hole0 && r.data_after_hole0 <= 40 * MiB,
        `SEEK_DATA from the first hole gave ${r.data_after_hole0}`,
      );
      assert.ok(
        r.hole_after_b >= 40 * MiB + 4096 && r.hole_after_b <= 40 * MiB + GRANULE,
        `SEEK_HOLE from the second extent gave ${r.hole_after_b}`,
      );
      assert.equal(r.data_in_tail, "ENXIO");
      assert.equal(r.hole_in_tail, 72 * MiB);
      assert.equal(r.data_at_eof, "ENXIO");
      assert.equal(r.hole_at_eof, "ENXIO");
      assert.equal(r.zeros_mid, true);
      assert.equal(r.edge, "\0\0\0\0BBBB");
      assert.equal(r.after, "BBBB\0\0\0\0");
      assert.equal(r.zeros_tail, true);
      assert.ok(r.blocks * 512 < 50 * MiB, `a 100 MiB sparse file uses ${r.blocks} blocks`);
    },
  },
  {
    name:
      "large file: a write at 5 GiB gives the right size, reads back, and wraps nothing at 4 GiB",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        G = 1 << 30
        fd = os.open("big", os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(fd, b"tail-bytes", 5 * G)
        os.pwrite(fd, b"x", 4 * G + 1)
        r = {"size": os.fstat(fd).st_size, "tail": os.pread(fd, 10, 5 * G),
             "at4g": os.pread(fd, 4, 4 * G - 1), "head": os.pread(fd, 4, 0),
             "data_from_2g": os.lseek(fd, 2 * G, os.SEEK_DATA)}
        os.ftruncate(fd, 4 * G + 2)
        r["shrunk"] = os.fstat(fd).st_size
        r["gone"] = os.pread(fd, 10, 5 * G)
        os.close(fd)
        out(r)`,
      );
      assert.deepEqual({ ...r, data_from_2g: undefined }, {
        size: 5 * GiB + 10,
        tail: "tail-bytes",
        at4g: "\0\0x\0",
        head: "\0\0\0\0",
        data_from_2g: undefined,
        shrunk: 4 * GiB + 2,
        gone: "",
      });
      const dataAt = r.data_from_2g;
      assert.ok(dataAt >= 4 * GiB - GRANULE && dataAt <= 4 * GiB + 1, `SEEK_DATA gave ${dataAt}`);
      assert.equal((await Deno.stat(`${dir}/big`)).size, 4 * GiB + 2);
    },
  },
  {
    name: "fallocate: mode 0 extends the size with zeros, KEEP_SIZE does not; EBADF read-only",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        fd = os.open("fa", os.O_RDWR | os.O_CREAT, 0o644)
        os.write(fd, b"abc")
        r = {"mode0": E(fallocate, fd, 0, 0, 8192), "size0": os.fstat(fd).st_size}
        r["keep"] = E(fallocate, fd, FALLOC_FL_KEEP_SIZE, 8192, 1 << 20)
        r["size_keep"] = os.fstat(fd).st_size
        r["posix"] = E(os.posix_fallocate, fd, 10000, 100)
        r["size_posix"] = os.fstat(fd).st_size
        r["zero_len"] = E(fallocate, fd, 0, 0, 0)
        ro = os.open("fa", os.O_RDONLY)
        r["rdonly"] = E(fallocate, ro, 0, 0, 100000)
        data = get("fa")
        r["content"] = data[:3] == b"abc" and data[3:] == bytes(len(data) - 3)
        out(r)`,
      );
      assert.deepEqual(r, {
        mode0: "OK",
        size0: 8192,
        keep: "OK",
        size_keep: 8192,
        posix: "OK",
        size_posix: 10100,
        zero_len: "EINVAL",
        rdonly: "EBADF",
        content: true,
      });
    },
  },
  {
    name: "copy_file_range copies exactly the requested bytes at both offsets, short at EOF",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        data = os.urandom(300000)
        put("src", data)
        fi = os.open("src", os.O_RDONLY)
        fo = os.open("dst", os.O_WRONLY | os.O_CREAT, 0o644)
        copied = 0
        while copied < 100000:
            n = os.copy_file_range(fi, fo, 100000 - copied, 5000 + copied, 1000 + copied)
            assert n > 0
            copied += n
        short = os.copy_file_range(fi, fo, 1000, 299500, 200000)
        at_eof = os.copy_file_range(fi, fo, 1000, 300000, 200000)
        dst = get("dst")
        ro = os.open("src", os.O_RDONLY)
        out({"copied": copied, "short": short, "at_eof": at_eof, "size": len(dst),
             "gap": dst[:1000] == bytes(1000), "range": dst[1000:101000] == data[5000:105000],
             "tail": dst[200000:] == data[299500:], "hole": dst[101000:200000] == bytes(99000),
             "to_rdonly": E(os.copy_file_range, fi, ro, 10, 0, 0)})`,
      );
      assert.deepEqual(r, {
        copied: 100000,
        short: 500,
        at_eof: 0,
        size: 200500,
        gap: true,
        range: true,
        tail: true,
        hole: true,
        to_rdonly: "EBADF",
      });
    },
  },
  {
    name: "fsync and fdatasync succeed on files and directories",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        fd = os.open("y", os.O_RDWR | os.O_CREAT, 0o644)
        os.write(fd, b"durable")
        dfd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
        out([E(os.fsync, fd), E(os.fdatasync, fd), E(os.fsync, dfd), E(os.fdatasync, dfd)])`,
      );
      assert.deepEqual(r, ["OK", "OK", "OK", "OK"]);
      const file = await Deno.open(`${dir}/y`, { read: true, write: true });
      await file.write(new TextEncoder().encode("D"));
      await file.sync();
      await file.syncData();
      file.close();
      assert.equal(await Deno.readTextFile(`${dir}/y`), "Durable");
    },
  },
  {
    name: "mmap: MAP_SHARED stores reach read(2) and pwrite reaches the mapping",
    async run(dir, ctx) {
      const r = await ctx.py(
        dir,
        `
        import mmap
        put("m", bytes(8192))
        fd = os.open("m", os.O_RDWR)
        mm = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        mm[4000:4010] = b"0123456789"
        mm.flush()
        os.pwrite(fd, b"pw", 100)
        seen = mm[100:102]
        mm.close()
        os.close(fd)
        out({"stored": get("m")[4000:4010], "seen": seen})`,
      );
      assert.deepEqual(r, { stored: "0123456789", seen: "pw" });
    },
  },
];
