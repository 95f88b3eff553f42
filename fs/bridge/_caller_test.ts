import assert from "node:assert/strict";
import { callerOf, GroupsReader, parseGroups } from "./_caller.ts";

Deno.test("parseGroups() reads the Groups line of /proc/<pid>/status", () => {
  assert.deepEqual(parseGroups("Name:\tsh\nGroups:\t4 24 1000 \nNSpid:\t1\n"), [4, 24, 1000]);
  assert.deepEqual(parseGroups("Name:\tsh\nGroups:\t\nNSpid:\t1\n"), []);
  assert.deepEqual(parseGroups("Name:\tsh\n"), []);
});

Deno.test("GroupsReader reads a live process's groups and none for a gone one", async () => {
  const reader = new GroupsReader(1000);
  const own = parseGroups(await Deno.readTextFile("/proc/self/status"));
  assert.deepEqual(reader.groupsOf(Deno.pid, 0, 0), own);
  assert.deepEqual(reader.groupsOf(0, 0, 0), []);
  assert.deepEqual(reader.groupsOf(2 ** 22 + 7, 0, 0), []); // above pid_max: no such process
});

Deno.test("callerOf() reads groups only when asked, once", () => {
  let reads = 0;
  const reader = new GroupsReader(1000);
  const original = reader.groupsOf.bind(reader);
  reader.groupsOf = (pid, uid, gid) => (reads++, original(pid, uid, gid));
  const signal = new AbortController().signal;
  const caller = callerOf({ unique: 1, uid: 5, gid: 6, pid: Deno.pid, signal }, reader);
  assert.deepEqual([caller.uid, caller.gid, caller.pid, reads], [5, 6, Deno.pid, 0]);
  assert.ok(Array.isArray(caller.groups));
  assert.ok(Array.isArray(caller.groups));
  assert.equal(reads, 1);
});
