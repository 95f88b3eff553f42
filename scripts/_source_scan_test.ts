import assert from "node:assert/strict";
import { blankSource, findEnvUses, findImports } from "./_source_scan.ts";

Deno.test("findImports() finds static, re-export, bare and dynamic imports with their lines", () => {
  const source = [
    'import { a } from "./a.ts";',
    "import {",
    "  b,",
    "  c,",
    '} from "../b.ts";',
    "export * from './c.ts';",
    'export { d } from "npm:hono@4";',
    'import "./side.ts";',
    'const m = await import("./lazy.ts");',
    "import x, * as y from './xy.ts';",
  ].join("\n");
  assert.deepEqual(findImports(source).map(({ specifier, line }) => `${line}:${specifier}`), [
    "1:./a.ts",
    "5:../b.ts",
    "6:./c.ts",
    "7:npm:hono@4",
    "8:./side.ts",
    "9:./lazy.ts",
    "10:./xy.ts",
  ]);
});

Deno.test("findImports() marks type-only imports", () => {
  const source = [
    'import type { A } from "./a.ts";',
    'export type { B } from "./b.ts";',
    'import { type C, type D } from "./cd.ts";',
    'import { type E, f } from "./ef.ts";',
    'import g from "./g.ts";',
  ].join("\n");
  assert.deepEqual(findImports(source).map((found) => found.typeOnly), [
    true,
    true,
    true,
    false,
    false,
  ]);
});

Deno.test("findImports() ignores comments and text inside strings", () => {
  const source = [
    '// import { a } from "./commented.ts";',
    '/* import "./block.ts";',
    '   export * from "./block2.ts"; */',
    "const text = 'import { b } from \"./in_string.ts\"';",
    'const doc = `import("./in_template.ts")`;',
    "const url = 'http://example.com'; // import('./after_url.ts')",
    'import { real } from "./real.ts";',
  ].join("\n");
  assert.deepEqual(findImports(source).map((found) => `${found.line}:${found.specifier}`), [
    "7:./real.ts",
  ]);
});

Deno.test("findImports() skips dynamic imports of computed specifiers", () => {
  assert.deepEqual(findImports("await import(`./${name}.ts`); await import(spec);"), []);
});

Deno.test("findImports() is not fooled by a statement that only mentions from", () => {
  const source = 'export const from = 1;\nimport type { T } from "./t.ts";\n';
  assert.deepEqual(findImports(source), [
    { specifier: "./t.ts", line: 2, typeOnly: true, kind: "static" },
  ]);
});

Deno.test("findEnvUses() finds Deno.env and Deno.args in code only", () => {
  const source = [
    'const home = Deno.env.get("HOME");',
    "// Deno.env in a comment",
    'const s = "Deno.args in a string";',
    "const t = `${Deno . args[0]}`;",
  ].join("\n");
  assert.deepEqual(findEnvUses(source), [
    { line: 1, name: "Deno.env" },
    { line: 4, name: "Deno.args" },
  ]);
});

Deno.test("blankSource() keeps offsets and newlines", () => {
  const source = 'a /* x\ny */ "s\\"t" `u${v}w` // z\nb';
  const { code, bare } = blankSource(source);
  assert.equal(code.length, source.length);
  assert.equal(code, 'a     \n     "s\\"t" `u${v}w`     \nb');
  assert.equal(bare, 'a     \n     "    " ` ${v} `     \nb');
});
