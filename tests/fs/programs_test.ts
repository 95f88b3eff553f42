/**
 * Real programs on a real mount, each run as a child process: git, tar,
 * rsync, sqlite3 and a sparse cp. Each works on the mount exactly as it does
 * on a native disk, and what they wrote is still right after a remount.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { canMount, makeSharedTempDir, type MountProcess, startMount } from "./_qsfs_process.ts";
import { shOk } from "./_tree.ts";

const FS_SOURCES = fileURLToPath(new URL("../../fs", import.meta.url));

/** git without the user's or the machine's configuration, with a fixed identity. */
const GIT_ENV = `export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
GIT_AUTHOR_NAME=qsfs GIT_AUTHOR_EMAIL=qsfs@example.org \
GIT_COMMITTER_NAME=qsfs GIT_COMMITTER_EMAIL=qsfs@example.org`;

const SQLITE_TRANSACTIONS = 80;
const SQLITE_ROWS_PER_TRANSACTION = 50;
const GIB = 1024 ** 3;

/** A scratch area on native disk beside the mount. */
interface Places {
  native: string;
  mnt: string;
}

/** git: clone a native repository onto the mount, commit there, gc, fsck, push back. */
async function gitClone({ native, mnt }: Places): Promise<void> {
  await shOk(`
    set -e
    ${GIT_ENV}
    git init -q -b main '${native}/origin'
    cd '${native}/origin'
    cp -r '${native}/src' src && git add -A && git commit -q -m "sources"
    echo one > notes.txt && git add notes.txt && git commit -q -m "notes"
    git mv notes.txt renamed.txt && git commit -q -m "rename"
  `);
  const log = await shOk(`
    set -e
    ${GIT_ENV}
    git clone -q --no-local '${native}/origin' '${mnt}/clone'
    cd '${mnt}/clone'
    echo two >> renamed.txt && printf '#!/bin/sh\\n' > run.sh && chmod +x run.sh
    git add -A && git commit -q -m "on the mount"
    git rm -q -r src/vfs && git commit -q -m "remove a directory"
    git gc -q --aggressive
    git fsck --full --strict --no-progress
    test -z "$(git status --porcelain)"
    git push -q origin main:from-mount
    git log --format=%s
  `);
  assert.deepEqual(log.trim().split("\n"), [
    "remove a directory",
    "on the mount",
    "rename",
    "notes",
    "sources",
  ]);
  await shOk(`
    set -e
    cd '${native}/origin'
    git fsck --full --strict --no-progress
    git merge-base --is-ancestor main from-mount && test "$(git rev-list --count from-mount)" = 5
  `);
}

/** tar: a tarball extracted onto the mount and created again from it is the same tree. */
async function tarRoundTrip({ native, mnt }: Places): Promise<void> {
  await shOk(`
    set -e
    cd '${native}'
    tar -c --sort=name -f src.tar src
    mkdir '${mnt}/untar' && tar -x -p -f src.tar -C '${mnt}/untar'
    tar -c --sort=name -f back.tar -C '${mnt}/untar' src
    mkdir back && tar -x -p -f back.tar -C back
    diff -r src back/src
  `);
  const listing = (tarball: string) =>
    shOk(`tar -t -v --full-time --numeric-owner -f '${native}/${tarball}'`);
  assert.equal(await listing("back.tar"), await listing("src.tar"), "modes, owners, sizes, times");
}

/** rsync: after `rsync -aHX` onto the mount, a checksum comparison finds nothing to do. */
async function rsyncTree({ native, mnt }: Places): Promise<void> {
  await shOk(`
    set -e
    cd '${native}'
    cp -a src tree
    ln tree/mod.ts tree/mod_hardlink.ts && ln -s mod.ts tree/mod_link.ts
    chmod 0750 tree/vfs && chmod 0600 tree/errno.ts
    /usr/bin/python3 -S -c 'import os; os.setxattr("tree/errno.ts", "user.origin", b"native")'
    touch -h -d '2003-04-05 06:07:08.5' tree/mod_link.ts
    rsync -aHX tree/ '${mnt}/rsync/'
  `);
  const changes = await shOk(
    `rsync -aHX --checksum --dry-run --itemize-changes '${native}/tree/' '${mnt}/rsync/'`,
  );
  assert.equal(changes, "", "rsync finds nothing to copy");
  const reverse = await shOk(
    `rsync -aHX --checksum --dry-run --itemize-changes '${mnt}/rsync/' '${native}/tree/'`,
  );
  assert.equal(reverse, "", "nor in the other direction");
}

/** sqlite3: a database with a rollback journal, then one with a WAL, on the mount. */
async function sqliteDatabases({ mnt }: Places): Promise<void> {
  const batches = Array.from(
    { length: SQLITE_TRANSACTIONS },
    (_, i) =>
      `BEGIN; INSERT INTO t(batch, v) SELECT ${i}, hex(randomblob(64 + value % 200))
        FROM generate_series(1, ${SQLITE_ROWS_PER_TRANSACTION}); COMMIT;`,
  ).join("\n");
  const setup = `CREATE TABLE t(id INTEGER PRIMARY KEY, batch INTEGER, v TEXT);
    CREATE INDEX t_v ON t(v);`;
  const expected = SQLITE_TRANSACTIONS * SQLITE_ROWS_PER_TRANSACTION;
  for (const mode of ["delete", "wal"]) {
    const db = `${mnt}/${mode}.sqlite`;
    const script = `PRAGMA journal_mode=${mode}; PRAGMA synchronous=FULL; ${setup}
      ${batches}
      BEGIN; DELETE FROM t WHERE batch % 7 = 0; ROLLBACK;
      BEGIN; UPDATE t SET v = lower(v) WHERE batch % 3 = 0; COMMIT;
      PRAGMA integrity_check; SELECT count(*), count(DISTINCT batch) FROM t;`;
    const out = await shOk(`sqlite3 -batch '${db}' <<'SQL'\n${script}\nSQL`);
    assert.equal(out.trim(), `${mode}\nok\n${expected}|${SQLITE_TRANSACTIONS}`);
  }
}

/** cp --sparse=always: a 2 GiB file with a few written regions stays sparse and reads back equal. */
async function sparseCopy({ native, mnt }: Places): Promise<void> {
  await shOk(`
    set -e
    truncate -s 2G '${native}/sparse'
    for mib in 0 3 700 1500 2047; do
      head -c 300000 /dev/urandom | dd of='${native}/sparse' bs=1M seek=$mib conv=notrunc status=none
    done
    cp --sparse=always '${native}/sparse' '${mnt}/sparse'
  `);
  const info = await Deno.stat(`${mnt}/sparse`);
  assert.equal(info.size, 2 * GIB);
  assert.ok(
    (info.blocks ?? 0) * 512 < 64 * 1024 ** 2,
    `the copy holds ${info.blocks} blocks: it is sparse`,
  );
  await shOk(`cmp '${native}/sparse' '${mnt}/sparse'`);
}

/** After a remount, the programs' results still check out. */
async function checkAfterRemount({ native, mnt }: Places): Promise<void> {
  await shOk(`
    set -e
    ${GIT_ENV}
    cd '${mnt}/clone' && git fsck --full --strict --no-progress && test -z "$(git status --porcelain)"
    diff -r '${native}/src' '${mnt}/untar/src'
    test "$(sqlite3 '${mnt}/delete.sqlite' 'PRAGMA integrity_check')" = ok
    test "$(sqlite3 '${mnt}/wal.sqlite' 'PRAGMA integrity_check')" = ok
    cmp '${native}/sparse' '${mnt}/sparse'
  `);
}

// Proves ordinary programs use the mount as they use a native disk, and their work persists.
Deno.test({
  name: "git, tar, rsync, sqlite3 and a sparse cp work on the mount and their results persist",
  ignore: !canMount(),
  async fn(t) {
    const root = await makeSharedTempDir("qsfs_programs_");
    const home = `${root}/home`;
    const places = { native: `${root}/native`, mnt: `${root}/mnt` };
    await Deno.mkdir(places.native);
    await Deno.mkdir(places.mnt);
    // A private copy: other work may change fs/ while this test runs.
    await shOk(`cp -r '${FS_SOURCES}' '${places.native}/src'`);
    let server: MountProcess | undefined = await startMount({ home, mountpoint: places.mnt });
    try {
      // Proves git clone, commit, gc, fsck and push work on the mount.
      await t.step("git", () => gitClone(places));
      // Proves tar x then tar c gives back the same files and metadata.
      await t.step("tar", () => tarRoundTrip(places));
      // Proves rsync -aHX leaves nothing to do, compared by checksum.
      await t.step("rsync", () => rsyncTree(places));
      // Proves sqlite3 keeps a sound database with a rollback journal and with a WAL.
      await t.step("sqlite3", () => sqliteDatabases(places));
      // Proves a 2 GiB sparse file is copied sparse and reads back byte for byte.
      await t.step("cp --sparse=always", () => sparseCopy(places));
      await server.unmount();
      server = undefined;
      server = await startMount({ home, mountpoint: places.mnt });
      // Proves every program's result is intact after a remount.
      await t.step("after a remount", () => checkAfterRemount(places));
    } finally {
      try {
        await server?.unmount();
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    }
  },
});
