/**
 * Serves a MemFs at the mountpoint given as the first argument and prints
 * "ready" once INIT is answered. Run as a child process by stale_test.ts,
 * which kills it with SIGKILL.
 */

import { serveFuse } from "../../fs/fuse/mod.ts";
import { MemFs } from "./mem_fs.ts";

const mountpoint = Deno.args[0];
if (mountpoint === undefined) {
  console.error("usage: serve_mem_fs.ts MOUNTPOINT");
  Deno.exit(2);
}
const server = await serveFuse(new MemFs(), mountpoint);
await server.ready;
console.log("ready");
await server.done;
