import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkFile, checkLayers, FILE_LINES_MAX, type LayerReport } from "./check_layers.ts";

const SCRIPT = fileURLToPath(new URL("./check_layers.ts", import.meta.url));

/** Writes `files` (path -> text) under a new temporary directory. */
async function fixtureTree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "check_layers_test_" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

async function runScript(root: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, root],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const CLEAN_TREE: Record<string, string> = {
  "main.ts": 'import { run } from "./cli/run.ts";\nrun(Deno.args, Deno.env.get("HOME"));\n',
  "cli/run.ts": 'import { log } from "../lib/log.ts";\nexport function run() {}\n',
  "lib/log.ts": "export const log = 1;\n",
  "fs/mod.ts": 'export * from "./zdb/mod.ts";\n',
  "fs/errno.ts": "export const ENOENT = 2;\n",
  "fs/zdb/mod.ts": 'import { log } from "../../lib/log.ts";\nimport "../errno.ts";\n',
  "fs/codec/frame.ts": 'import { ENOENT } from "../errno.ts";\nimport { x } from "./x.ts";\n',
  "server/http/routes.ts":
    'import { Hono } from "npm:hono@4";\nimport * as fs from "../../fs/mod.ts";\n',
  "ui/api.ts": 'import type { ApiType } from "../server/mod.ts";\n',
  "scripts/tool.ts": "console.log(Deno.args);\n",
};

Deno.test("check_layers exits 0 on a clean tree", async () => {
  const root = await fixtureTree(CLEAN_TREE);
  try {
    const result = await runScript(root);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^check_layers: ok, 10 files in /);
    assert.equal(result.stderr, "");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("check_layers exits 1 and lists each forbidden import as file:line", async () => {
  const root = await fixtureTree({
    ...CLEAN_TREE,
    "fs/fuse/session.ts": '// fine\nimport { Vfs } from "../vfs/vfs.ts";\n',
    "lib/log.ts": 'export const log = 1;\nconst home = Deno.env.get("HOME");\n',
  });
  try {
    const result = await runScript(root);
    assert.equal(result.code, 1);
    assert.deepEqual(result.stderr.trimEnd().split("\n"), [
      'fs/fuse/session.ts:2: imports "../vfs/vfs.ts" (fs/vfs/vfs.ts): ' +
      "fs/fuse/ is the kernel wire protocol only and knows no storage",
      "lib/log.ts:2: uses Deno.env: only main.ts reads Deno.env and Deno.args; pass values down",
      `check_layers: 2 layering violation(s) in ${root} (11 files)`,
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** The violations of one file, as "line: start of the reason". */
function violationsOf(file: string, source: string): string[] {
  const report: LayerReport = { violations: [], warnings: [], fileCount: 0 };
  checkFile(file, source, report);
  return report.violations.map((violation) => `${violation.line}: ${violation.message}`);
}

Deno.test("checkFile() enforces every forbidden edge of DESIGN.md", () => {
  const bad: [string, string, RegExp][] = [
    ["fs/chunk/store.ts", 'import "../../server/mod.ts";', /nothing in fs\/ imports server/],
    [
      "fs/vfs/vfs.ts",
      'import { x } from "../../ui/api.ts";',
      /nothing in fs\/ imports server\/ or ui/,
    ],
    ["fs/fuse/session.ts", 'import "../codec/frame.ts";', /fs\/fuse\/ is the kernel wire/],
    ["fs/fuse/session.ts", 'import "../chunk/store.ts";', /fs\/fuse\/ is the kernel wire/],
    ["fs/fuse/session.ts", 'import "../zdb/mod.ts";', /fs\/fuse\/ is the kernel wire/],
    ["fs/fuse/session.ts", 'import "../bridge.ts";', /fs\/fuse\/ is the kernel wire/],
    [
      "fs/vfs/vfs.ts",
      'import type { R } from "../fuse/abi.ts";',
      /fs\/vfs\/ knows nothing of the wire/,
    ],
    ["fs/vfs/vfs.ts", 'const b = await import("../bridge.ts");', /fs\/vfs\/ knows nothing/],
    ["fs/codec/frame.ts", 'import { log } from "../../lib/log.ts";', /fs\/codec\/ is pure/],
    ["fs/codec/frame.ts", 'import "../zdb/mod.ts";', /fs\/codec\/ is pure/],
    [
      "fs/chunk/store.ts",
      'export { V } from "../vfs/vfs.ts";',
      /fs\/chunk\/ never imports fs\/vfs/,
    ],
    ["fs/zdb/client.ts", 'import "../codec/frame.ts";', /fs\/zdb\/ is a storage node/],
    ["server/services/pay.ts", 'import { Hono } from "npm:hono@4.6.0";', /no Hono/],
    ["server/services/pay.ts", 'import { cors } from "npm:hono/cors";', /no Hono/],
    [
      "server/services/pay.ts",
      'import { r } from "../http/routes.ts";',
      /no Hono and no server\/http/,
    ],
    [
      "server/http/files.ts",
      'import { Vfs } from "../../fs/vfs/vfs.ts";',
      /through fs\/mod.ts only/,
    ],
    ["ui/api.ts", 'import { createApp } from "../server/mod.ts";', /ui\/ imports only types/],
    ["ui/files.ts", 'import type { Stat } from "../fs/mod.ts";', /ui\/ never imports fs/],
    ["lib/log.ts", 'import { x } from "../cli/run.ts";', /lib\/ imports nothing/],
    ["cli/run.ts", "const args = Deno.args;", /uses Deno.args: only main.ts/],
    ["fs/zdb/server.ts", 'const p = Deno.env.get("PORT");', /uses Deno.env: only main.ts/],
    [
      "fs/mount.ts",
      'import "./fuse/mod.ts"; import "./vfs/mod.ts";',
      /imports both fs\/fuse\/ and fs\/vfs\/: only fs\/bridge.ts/,
    ],
  ];
  for (const [file, source, reason] of bad) {
    const found = violationsOf(file, `// header\n${source}\n`);
    assert.equal(found.length, 1, `${file}: ${source} -> ${JSON.stringify(found)}`);
    assert.match(found[0]!, /^2: /);
    assert.match(found[0]!, reason);
  }
});

Deno.test("checkFile() allows the edges DESIGN.md draws", () => {
  const good: [string, string][] = [
    ["fs/codec/frame.ts", 'import { assert } from "../_assert.ts";\nimport "../errno.ts";'],
    ["fs/codec/erasure.ts", 'import { gf } from "./gf256.ts";'],
    ["fs/fuse/session.ts", 'import { FsError } from "../errno.ts";\nimport "../../lib/log.ts";'],
    ["fs/zdb/client.ts", 'import type { Logger } from "../../lib/log.ts";'],
    ["fs/chunk/store.ts", 'import "../codec/frame.ts";\nimport "../zdb/mod.ts";'],
    ["fs/bridge.ts", 'import "./fuse/session.ts";\nimport "./vfs/vfs.ts";'],
    ["fs/bridge/_ops.ts", 'import "../fuse/mod.ts";\nimport "../vfs/mod.ts";'],
    ["fs/mount.ts", 'import "./fuse/mod.ts";\nimport "./bridge.ts";\nimport "./filesystem.ts";'],
    ["server/services/pay.ts", 'import { Big } from "npm:big.js";\nimport "../grid/grid.ts";'],
    ["server/http/files.ts", 'import { Hono } from "npm:hono";\nimport "../../fs/mod.ts";'],
    ["ui/api.ts", 'import type { ApiType } from "../server/mod.ts";'],
    ["lib/log.ts", 'import { join } from "node:path";\nimport "./other.ts";'],
    ["main.ts", 'const home = Deno.env.get("HOME");\nrun(Deno.args);'],
    ["cli/run.ts", '// main.ts reads Deno.env\nconst s = "Deno.args";'],
    ["tests/fuse/child_server.ts", "serve(Deno.args[0]);"],
    ["bench/zdb_bench.ts", "run(Deno.args);"],
  ];
  for (const [file, source] of good) assert.deepEqual(violationsOf(file, source), [], file);
});

Deno.test("checkFile() warns about files over the line budget without failing", () => {
  const report: LayerReport = { violations: [], warnings: [], fileCount: 0 };
  checkFile("fs/big.ts", "x;\n".repeat(FILE_LINES_MAX), report);
  assert.deepEqual(report.warnings, []);
  checkFile("fs/big.ts", "x;\n".repeat(FILE_LINES_MAX + 1), report);
  assert.deepEqual(report.warnings, [`fs/big.ts has ${FILE_LINES_MAX + 1} lines (more than 500)`]);
  assert.deepEqual(report.violations, []);
});

Deno.test("checkLayers() skips dot directories, node_modules and non-source files", async () => {
  const root = await fixtureTree({
    "lib/a.ts": "export {};\n",
    ".git/hooks/x.ts": 'import "../../server/s.ts";\n',
    "node_modules/p/index.js": 'const a = Deno.env.get("A");\n',
    "lib/notes.md": 'import "../server/s.ts";\n',
  });
  try {
    const report = await checkLayers(root);
    assert.equal(report.fileCount, 1);
    assert.deepEqual(report.violations, []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
