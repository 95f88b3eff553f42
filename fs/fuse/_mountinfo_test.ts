import assert from "node:assert/strict";
import { parseMountinfo } from "./_mountinfo.ts";

Deno.test("parseMountinfo() reads device, mountpoint, type and source, unescaping octal", () => {
  const text = [
    "22 1 0:21 / /proc rw,nosuid - proc proc rw",
    "95 30 0:52 / /tmp/with\\040space rw,nosuid,nodev shared:1 - fuse.qsfs qsfs rw,user_id=0,group_id=0",
    "",
  ].join("\n");
  assert.deepEqual(parseMountinfo(text), [
    { device: "0:21", mountpoint: "/proc", fstype: "proc", source: "proc" },
    { device: "0:52", mountpoint: "/tmp/with space", fstype: "fuse.qsfs", source: "qsfs" },
  ]);
});
