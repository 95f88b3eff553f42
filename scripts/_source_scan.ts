/**
 * Finds the imports and the Deno.env / Deno.args uses of one TypeScript
 * source, by regular expressions over views of it with comments (and string
 * contents) blanked out, so commented-out code and text in strings do not count.
 * Blanking keeps every offset and newline, so positions map back to lines.
 *
 * It is a scanner, not a parser: a regex literal holding a quote or `//` can
 * confuse it for the rest of that line, which is rare enough for a lint.
 *
 * @module
 */

export interface FoundImport {
  specifier: string;
  /** 1-based line of the specifier. */
  line: number;
  /** `import type` / `export type`, or every named binding marked `type`. */
  typeOnly: boolean;
  kind: "static" | "dynamic";
}

export interface SourceViews {
  /** The source with comments blanked. */
  code: string;
  /** The source with comments and the contents of strings and templates blanked. */
  bare: string;
}

// `[^;'"`]` spans the bindings of a statement; the lookahead stops it from
// running on into a later import or export.
const STATIC_IMPORT =
  /\b(?:import|export)\b(\s+type\b)?((?:(?!\b(?:import|export)\b)[^;'"`])*?)\bfrom\s*(['"])( *)\3/dg;
const BARE_IMPORT = /\bimport\s*(['"])( *)\1/dg;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(['"`])( *)\1\s*\)/dg;
const ENV_USE = /\bDeno\s*\.\s*(env|args)\b/g;

/** The imports of `source`, in order of appearance. */
export function findImports(source: string): FoundImport[] {
  const { code, bare } = blankSource(source);
  const lines = lineStarts(source);
  const found: (FoundImport & { offset: number })[] = [];
  function add(
    match: RegExpExecArray,
    group: number,
    typeOnly: boolean,
    kind: FoundImport["kind"],
  ) {
    const [start, end] = match.indices![group]!;
    const specifier = code.slice(start, end);
    found.push({ specifier, line: lineOf(lines, start), typeOnly, kind, offset: start });
  }
  for (const match of bare.matchAll(STATIC_IMPORT)) {
    add(match, 4, match[1] !== undefined || allBindingsAreTypes(match[2]!), "static");
  }
  for (const match of bare.matchAll(BARE_IMPORT)) add(match, 2, false, "static");
  for (const match of bare.matchAll(DYNAMIC_IMPORT)) add(match, 2, false, "dynamic");
  return found.sort((a, b) => a.offset - b.offset).map(({ offset: _, ...rest }) => rest);
}

/** The 1-based lines where `source` uses Deno.env or Deno.args, with which one. */
export function findEnvUses(source: string): { line: number; name: string }[] {
  const { bare } = blankSource(source);
  const lines = lineStarts(source);
  return [...bare.matchAll(ENV_USE)].map((match) => ({
    line: lineOf(lines, match.index),
    name: `Deno.${match[1]}`,
  }));
}

/** Blanks comments (and, in `bare`, string contents) with spaces, keeping newlines. */
export function blankSource(source: string): SourceViews {
  const code = source.split("");
  const bare = source.split("");
  const blank = (index: number, view: string[]) => {
    if (view[index] !== "\n") view[index] = " ";
  };
  type State = "code" | "line" | "block" | "'" | '"' | "`";
  let state: State = "code";
  let depth = 0;
  const templateDepths: number[] = [];
  for (let index = 0; index < source.length; index++) {
    const char = source[index]!;
    const next = source[index + 1];
    if (state === "code") {
      if (char === "/" && next === "/") state = "line";
      else if (char === "/" && next === "*") state = "block";
      else if (char === "'" || char === '"' || char === "`") state = char;
      else if (char === "{") depth++;
      else if (char === "}" && templateDepths.at(-1) === depth) {
        templateDepths.pop();
        state = "`";
      } else if (char === "}") depth--;
      if (state === "line" || state === "block") {
        blank(index, code);
        blank(index, bare);
      }
      continue;
    }
    if (state === "line" || state === "block") {
      blank(index, code);
      blank(index, bare);
      if (state === "line" && char === "\n") state = "code";
      else if (state === "block" && char === "*" && next === "/") {
        index++;
        blank(index, code);
        blank(index, bare);
        state = "code";
      }
      continue;
    }
    // Inside a string or a template.
    if (char === "\\") {
      blank(index, bare);
      blank(index + 1, bare);
      index++;
    } else if (char === state) {
      state = "code";
    } else if (state === "`" && char === "$" && next === "{") {
      templateDepths.push(depth);
      state = "code";
      index++;
    } else if (char === "\n" && state !== "`") {
      state = "code"; // An unterminated quote (or a regex literal holding one) ends with its line.
    } else {
      blank(index, bare);
    }
  }
  return { code: code.join(""), bare: bare.join("") };
}

function allBindingsAreTypes(bindings: string): boolean {
  const named = /^\s*\{([^}]*)\}\s*$/.exec(bindings);
  if (!named) return false;
  const names = named[1]!.split(",").map((name) => name.trim()).filter((name) => name !== "");
  return names.length > 0 && names.every((name) => /^type\s/.test(name));
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let index = source.indexOf("\n"); index !== -1; index = source.indexOf("\n", index + 1)) {
    starts.push(index + 1);
  }
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}
