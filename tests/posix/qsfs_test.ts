/**
 * The POSIX suite against a real qsfs mount, served by a `qsfs mount DIR
 * --foreground --allow-other` child process (the suite switches users).
 */

import { canMount, makeSharedTempDir, startMount } from "../fs/_qsfs_process.ts";
import { runPosixSuite } from "./suite.ts";

/** Cases qsfs cannot pass yet, by name, with the reason. */
const SKIP: Record<string, string> = {};

Deno.test({
  name: "posix suite: qsfs mount",
  ignore: !canMount(),
  async fn(t) {
    const root = await makeSharedTempDir("qsfs_posix_qsfs_");
    const mountpoint = `${root}/mnt`;
    await Deno.mkdir(mountpoint, { mode: 0o755 });
    const server = await startMount({ home: `${root}/home`, mountpoint });
    try {
      let count = 0;
      await runPosixSuite(t, async () => {
        const dir = `${mountpoint}/case_${String(count++).padStart(3, "0")}`;
        await Deno.mkdir(dir);
        return dir;
      }, { skip: SKIP });
    } finally {
      try {
        await server.unmount();
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    }
  },
});
