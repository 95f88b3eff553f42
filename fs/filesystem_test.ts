import assert from "node:assert/strict";
import { EBUSY, FsError } from "./errno.ts";
import { openFilesystem } from "./filesystem.ts";

const quiet = { info() {}, warn() {}, error() {} };

Deno.test("openFilesystem() keeps a second opener of the same state out until the first closes", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "qsfs_filesystem_" });
  try {
    const first = await openFilesystem({ stateDir, logger: quiet });
    assert.equal((await Deno.readTextFile(`${stateDir}/lock`)).trim(), String(Deno.pid));
    // flock is per open file description, so a second open in this process conflicts too.
    await assert.rejects(
      openFilesystem({ stateDir, lockWaitMs: 100, logger: quiet }),
      (error) =>
        error instanceof FsError && error.errno === EBUSY &&
        error.message.includes(`another qsfs process (pid ${Deno.pid}) is using it`),
    );
    await first.vfs.mkdir({ uid: 0, gid: 0 }, { parent: 1, name: "kept", mode: 0o755 });
    await first.close();
    await first.close();
    const second = await openFilesystem({ stateDir, logger: quiet });
    try {
      assert.equal((await second.vfs.lookup({ uid: 0, gid: 0 }, 1, "kept")).nlink, 2);
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("openFilesystem() gets the state once its opener closes, within lockWaitMs", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "qsfs_filesystem_" });
  try {
    const first = await openFilesystem({ stateDir, logger: quiet });
    const second = openFilesystem({ stateDir, lockWaitMs: 10_000, logger: quiet });
    await first.close();
    await (await second).close();
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});
