/**
 * A real mount of a tiny in-memory filesystem, driven by ordinary programs in
 * child processes (ls, cat, stat, dd, mkdir, rm). Needs root or fusermount3,
 * and /dev/fuse.
 */

import assert from "node:assert/strict";
import { isFuseMounted, serveFuse } from "../../fs/fuse/mod.ts";
import { quietLogger, sh, shOk, withMount } from "./_helpers.ts";
import { MemFs } from "./mem_fs.ts";

Deno.test("a mounted RawFileSystem serves ls, cat and stat", async () => {
  await withMount(new MemFs(), async (dir) => {
    assert.equal(await shOk(`ls ${dir}`), "hello.txt\nsub\n");
    assert.equal(await shOk(`ls ${dir}/sub`), "inner.txt\n");
    assert.equal(await shOk(`cat ${dir}/hello.txt`), "hello, fuse\n");
    assert.equal(await shOk(`stat -c '%s %F %a %h' ${dir}/hello.txt`), "12 regular file 644 1\n");
    assert.equal(await shOk(`stat -c '%F %a %h' ${dir}/sub`), "directory 755 2\n");
    const missing = await sh(`cat ${dir}/nope`);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No such file or directory/);
    assert.equal(await shOk(`stat -f -c '%l %S' ${dir}`), "255 4096\n");
  });
});

Deno.test("a mounted RawFileSystem serves mkdir, create, write, rm and rmdir", async () => {
  await withMount(new MemFs(), async (dir) => {
    await shOk(`mkdir ${dir}/d && echo one > ${dir}/d/a.txt && echo two >> ${dir}/d/a.txt`);
    assert.equal(await shOk(`cat ${dir}/d/a.txt`), "one\ntwo\n");
    assert.equal(await shOk(`ls ${dir}/d`), "a.txt\n");
    assert.match((await sh(`rmdir ${dir}/d`)).stderr, /Directory not empty/);
    assert.match((await sh(`mkdir ${dir}/d`)).stderr, /File exists/);
    await shOk(`echo short > ${dir}/d/a.txt`); // O_TRUNC
    assert.equal(await shOk(`cat ${dir}/d/a.txt`), "short\n");
    await shOk(`rm ${dir}/d/a.txt && rmdir ${dir}/d`);
    assert.equal(await shOk(`ls ${dir}`), "hello.txt\nsub\n");
    const symlink = await sh(`ln -s hello.txt ${dir}/link`);
    assert.match(symlink.stderr, /Function not implemented/); // MemFs has no symlink: ENOSYS
  });
});

Deno.test("dd writes 8 MiB in 1 MiB blocks and reads back the same bytes", async () => {
  await withMount(new MemFs(), async (dir) => {
    const root = dir.slice(0, -"/mnt".length);
    await shOk(`head -c 8388608 /dev/urandom > ${root}/src`);
    await shOk(`dd if=${root}/src of=${dir}/copy bs=1M 2>/dev/null`);
    assert.equal(await shOk(`stat -c %s ${dir}/copy`), "8388608\n");
    await shOk(`cmp ${root}/src ${dir}/copy`);
    await shOk(
      `dd if=${dir}/copy of=${root}/back bs=1M iflag=direct 2>/dev/null && cmp ${root}/src ${root}/back`,
    );
    await shOk(`rm ${root}/src ${root}/back`);
  });
});

Deno.test("dd reads a large file in 1 MiB blocks (throughput printed)", async () => {
  const sizeBytes = 512 * 1024 * 1024;
  await withMount(new MemFs({ bigFileBytes: sizeBytes }), async (dir) => {
    const started = performance.now();
    const result = await sh(`dd if=${dir}/big of=/dev/null bs=1M 2>&1`);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /536870912 bytes/);
    console.log(
      `dd bs=1M read: ${(sizeBytes / 1e6 / seconds).toFixed(0)} MB/s (${
        result.stdout.trim().split("\n").pop()
      })`,
    );
    const sample = await shOk(
      `dd if=${dir}/big bs=1 skip=1000000 count=4 2>/dev/null | od -An -tu1`,
    );
    const expected = [0, 1, 2, 3].map((i) => (1_000_000 + i) % 251);
    assert.deepEqual(sample.trim().split(/\s+/).map(Number), expected);
  });
});

Deno.test("unmount ends the session and leaves nothing mounted", async () => {
  const root = await Deno.makeTempDir({ prefix: "qsfs_fuse_test_" });
  const dir = `${root}/mnt`;
  await Deno.mkdir(dir);
  const server = await serveFuse(new MemFs(), dir, { logger: quietLogger() });
  await server.ready;
  assert.equal(await isFuseMounted(dir), true);
  await server.unmount();
  await server.done;
  assert.equal(await isFuseMounted(dir), false);
  assert.equal(await shOk(`ls -A ${dir}`), "");
  await Deno.remove(root, { recursive: true });
});

Deno.test("fusermount3 mounts and unmounts with the fd passed over SCM_RIGHTS", async () => {
  const hasFusermount = (await sh("command -v fusermount3")).code === 0;
  if (!hasFusermount) {
    console.log("skipped: fusermount3 is not installed (apt-get install fuse3)");
    return;
  }
  await withMount(new MemFs(), async (dir) => {
    assert.equal(await shOk(`cat ${dir}/sub/inner.txt`), "inner\n");
    assert.match(await shOk(`grep ' ${dir} ' /proc/mounts`), /fuse\.qsfs/);
  }, { method: "fusermount" });
});
