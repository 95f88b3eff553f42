import assert from "node:assert/strict";
import { resolve } from "node:path";
import { resolveHome } from "./home.ts";

const ENV = { qsfsHome: "/q", xdgDataHome: "/xdg", homeDir: "/home/me" };

Deno.test("resolveHome() prefers --home, then QSFS_HOME, then XDG_DATA_HOME, then HOME", () => {
  assert.equal(resolveHome("/flag", ENV), "/flag");
  assert.equal(resolveHome(undefined, ENV), "/q");
  assert.equal(resolveHome(undefined, { ...ENV, qsfsHome: "" }), "/xdg/qsfs");
  assert.equal(resolveHome(undefined, { homeDir: "/home/me" }), "/home/me/.local/share/qsfs");
  assert.equal(resolveHome(undefined, {}), undefined);
});

Deno.test("resolveHome() makes a relative --home absolute and ignores a relative XDG_DATA_HOME", () => {
  assert.equal(resolveHome("rel/dir", {}), resolve("rel/dir"));
  assert.equal(
    resolveHome(undefined, { xdgDataHome: "relative", homeDir: "/h" }),
    "/h/.local/share/qsfs",
  );
});
