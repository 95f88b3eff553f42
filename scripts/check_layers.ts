/**
 * Keeps the layering of DESIGN.md ("Layout and what may import what"): lists
 * every forbidden import as `file:line` and exits 1 when there is one. Files
 * over FILE_LINES_MAX lines are reported as warnings, which do not fail.
 *
 *     deno run -A scripts/check_layers.ts [ROOT]     (ROOT defaults to the repository)
 *
 * @module
 */
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findEnvUses, findImports } from "./_source_scan.ts";

export const FILE_LINES_MAX = 500;

export interface Violation {
  file: string;
  line: number;
  message: string;
}

export interface LayerReport {
  violations: Violation[];
  warnings: string[];
  fileCount: number;
}

/** What an import points at: a project file (relative to the root) or an outside module. */
interface ImportTarget {
  local: string | undefined;
  external: string | undefined;
  typeOnly: boolean;
}

interface Rule {
  /** Whether the rule covers a file (path relative to the root, with "/"). */
  covers(file: string): boolean;
  breaks(target: ImportTarget): boolean;
  why: string;
}

const SOURCE_EXTENSION = /\.(?:ts|tsx|mts|js|jsx|mjs)$/;
const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", "vendor"]);
const HONO = /^(?:npm:|jsr:)?(?:hono|@hono\/[^/@]+)(?:$|[@/])/;

/**
 * Files that may read Deno.env / Deno.args: the composition root, scripts and
 * benchmarks (their own entry points), and test programs run as child processes.
 */
function mayReadEnv(file: string): boolean {
  return file === "main.ts" || under("scripts")(file) || under("bench")(file) ||
    under("tests")(file);
}

function under(...directories: string[]): (path: string) => boolean {
  return (path) => directories.some((directory) => path.startsWith(`${directory}/`));
}

function local(matches: (path: string) => boolean): (target: ImportTarget) => boolean {
  return (target) => target.local !== undefined && matches(target.local);
}

const RULES: readonly Rule[] = [
  {
    covers: under("fs"),
    breaks: local(under("server", "ui")),
    why: "nothing in fs/ imports server/ or ui/",
  },
  {
    covers: under("fs/fuse"),
    breaks: local((path) =>
      under("fs/vfs", "fs/chunk", "fs/codec", "fs/zdb")(path) || path === "fs/bridge.ts"
    ),
    why: "fs/fuse/ is the kernel wire protocol only and knows no storage",
  },
  {
    covers: under("fs/vfs"),
    breaks: local((path) => under("fs/fuse")(path) || path === "fs/bridge.ts"),
    why: "fs/vfs/ knows nothing of the wire",
  },
  {
    covers: under("fs/codec"),
    breaks: local((path) =>
      !under("fs/codec")(path) && path !== "fs/_assert.ts" && path !== "fs/errno.ts"
    ),
    why: "fs/codec/ is pure: it imports only fs/codec/, fs/_assert.ts and fs/errno.ts",
  },
  {
    covers: under("fs/chunk"),
    breaks: local(under("fs/vfs")),
    why: "fs/chunk/ never imports fs/vfs/",
  },
  {
    covers: under("fs/zdb"),
    breaks: local(under("fs/vfs", "fs/chunk", "fs/codec", "fs/fuse")),
    why: "fs/zdb/ is a storage node and client: it knows no files, chunks, codecs or FUSE",
  },
  {
    covers: under("server/services"),
    breaks: (target) =>
      (target.external !== undefined && HONO.test(target.external)) ||
      local(under("server/http"))(target),
    why: "server/services/ holds domain logic: no Hono and no server/http/",
  },
  {
    covers: under("server/http"),
    breaks: local((path) => under("fs")(path) && path !== "fs/mod.ts"),
    why: "server/http/ reaches the storage engine through fs/mod.ts only",
  },
  {
    covers: under("ui"),
    breaks: (target) => !target.typeOnly && local(under("server"))(target),
    why: "ui/ imports only types from server/ (use `import type`)",
  },
  {
    covers: under("ui"),
    breaks: local(under("fs")),
    why: "ui/ never imports fs/",
  },
  {
    covers: under("lib"),
    breaks: local((path) => !under("lib")(path)),
    why: "lib/ imports nothing of the project outside lib/",
  },
];

const BRIDGE_ONLY =
  "imports both fs/fuse/ and fs/vfs/: only fs/bridge.ts (and fs/bridge/) knows both";

/**
 * Notes whether `target` is in fs/fuse/ or fs/vfs/; true when `file` (outside
 * the bridge) now imports both, reported once, at the import that completes the pair.
 */
function checkBridgeOnly(
  file: string,
  target: ImportTarget,
  wire: { fuse: boolean; vfs: boolean },
): boolean {
  const bridge = file === "fs/bridge.ts" || file === "fs/bridge_test.ts" ||
    under("fs/bridge")(file);
  if (bridge || !under("fs")(file) || target.local === undefined) return false;
  const before = wire.fuse && wire.vfs;
  if (under("fs/fuse")(target.local)) wire.fuse = true;
  if (under("fs/vfs")(target.local)) wire.vfs = true;
  return !before && wire.fuse && wire.vfs;
}

/** Checks every source file under `root`. */
export async function checkLayers(root: string): Promise<LayerReport> {
  const report: LayerReport = { violations: [], warnings: [], fileCount: 0 };
  for await (const file of sourceFiles(root, "")) {
    report.fileCount++;
    const source = await Deno.readTextFile(join(root, file));
    checkFile(file, source, report);
  }
  report.violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  report.warnings.sort();
  return report;
}

/** Adds the violations and warnings of one file (path relative to the root, with "/"). */
export function checkFile(file: string, source: string, report: LayerReport) {
  const rules = RULES.filter((rule) => rule.covers(file));
  const wire = { fuse: false, vfs: false };
  for (const found of rules.length > 0 ? findImports(source) : []) {
    const target = resolveTarget(file, found.specifier, found.typeOnly);
    if (checkBridgeOnly(file, target, wire)) {
      report.violations.push({ file, line: found.line, message: BRIDGE_ONLY });
    }
    for (const rule of rules) {
      if (!rule.breaks(target)) continue;
      const shown = target.local !== undefined && target.local !== found.specifier
        ? ` (${target.local})`
        : "";
      report.violations.push({
        file,
        line: found.line,
        message: `imports "${found.specifier}"${shown}: ${rule.why}`,
      });
    }
  }
  if (!mayReadEnv(file)) {
    for (const use of findEnvUses(source)) {
      report.violations.push({
        file,
        line: use.line,
        message: `uses ${use.name}: only main.ts reads Deno.env and Deno.args; pass values down`,
      });
    }
  }
  const lineCount = source.split("\n").length - (source.endsWith("\n") ? 1 : 0);
  if (lineCount > FILE_LINES_MAX) {
    report.warnings.push(`${file} has ${lineCount} lines (more than ${FILE_LINES_MAX})`);
  }
}

function resolveTarget(file: string, specifier: string, typeOnly: boolean): ImportTarget {
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    const path = posix.normalize(posix.join(posix.dirname(file), specifier));
    return { local: path, external: undefined, typeOnly };
  }
  return { local: undefined, external: specifier, typeOnly };
}

async function* sourceFiles(root: string, directory: string): AsyncGenerator<string> {
  const entries = [];
  for await (const entry of Deno.readDir(join(root, directory))) entries.push(entry);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = directory === "" ? entry.name : `${directory}/${entry.name}`;
    if (entry.isDirectory) {
      if (entry.name.startsWith(".") || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      yield* sourceFiles(root, path);
    } else if (entry.isFile && SOURCE_EXTENSION.test(entry.name)) {
      yield path;
    }
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length > 1) {
    console.error("Usage: deno run -A scripts/check_layers.ts [ROOT]");
    return 2;
  }
  const root = args[0] ?? dirname(dirname(fileURLToPath(import.meta.url)));
  const where = args[0] ?? (relative(Deno.cwd(), root) || ".");
  let report: LayerReport;
  try {
    report = await checkLayers(root);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`Cannot check layers in ${root}: ${reason}`);
    return 1;
  }
  for (const warning of report.warnings) console.error(`warning: ${warning}`);
  for (const { file, line, message } of report.violations) {
    console.error(`${file}:${line}: ${message}`);
  }
  if (report.violations.length > 0) {
    console.error(
      `check_layers: ${report.violations.length} layering violation(s) in ${where} (${report.fileCount} files)`,
    );
    return 1;
  }
  console.log(`check_layers: ok, ${report.fileCount} files in ${where}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
