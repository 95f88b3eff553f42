/**
 * A server killed with SIGKILL leaves a stale mount (ENOTCONN); it is
 * detected and cleaned up, and mounting there again works.
 */

import assert from "node:assert/strict";
import {
  cleanStaleMount,
  isFuseMounted,
  isStaleMount,
  serveFuse,
  unmountFuse,
} from "../../fs/fuse/mod.ts";
import { quietLogger, sh, shOk } from "./_helpers.ts";
import { MemFs } from "./mem_fs.ts";

const SERVER = new URL("./serve_mem_fs.ts", import.meta.url).pathname;

interface ServerProcess {
  /** Kills the server with SIGKILL and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts the server in a child process and resolves once it printed "ready". */
async function startServer(dir: string): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER, dir],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The server exited before it was ready: ${text}`);
    text += value;
  }
  return {
    async kill() {
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel();
    },
  };
}

Deno.test("a SIGKILLed server leaves a stale mount that is detected and cleaned up", async () => {
  const root = await Deno.makeTempDir({ prefix: "qsfs_fuse_stale_" });
  const dir = `${root}/mnt`;
  await Deno.mkdir(dir);
  try {
    const child = await startServer(dir);
    assert.equal(await shOk(`cat ${dir}/hello.txt`), "hello, fuse\n");
    assert.equal(await isStaleMount(dir), false);
    await child.kill();
    assert.equal(await isFuseMounted(dir), true);
    assert.match((await sh(`ls ${dir}`)).stderr, /Transport endpoint is not connected/);
    assert.equal(await isStaleMount(dir), true);
    assert.equal(await cleanStaleMount(dir), true);
    assert.equal(await isFuseMounted(dir), false);
    assert.equal(await cleanStaleMount(dir), false);
  } finally {
    await unmountFuse(dir, { lazy: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mounting over a stale mount cleans it up first", async () => {
  const root = await Deno.makeTempDir({ prefix: "qsfs_fuse_stale_" });
  const dir = `${root}/mnt`;
  await Deno.mkdir(dir);
  try {
    await (await startServer(dir)).kill();
    assert.equal(await isStaleMount(dir), true);
    const server = await serveFuse(new MemFs(), dir, { logger: quietLogger() });
    await server.ready;
    assert.equal(await shOk(`cat ${dir}/sub/inner.txt`), "inner\n");
    await server.unmount();
    assert.equal(await isFuseMounted(dir), false);
  } finally {
    await unmountFuse(dir, { lazy: true });
    await Deno.remove(root, { recursive: true });
  }
});
