/**
 * A small, pure command-line flag parser. Flags are long (`--name value`,
 * `--name=value`), optionally with a one-letter alias (`-h`); every flag a
 * command accepts is declared in its FlagSpec, so anything else is rejected.
 * `--` ends the flags: what follows is positional.
 *
 * @module
 */

export interface FlagDef {
  /** "string" flags take a value; "boolean" flags take none (or `=true` / `=false`). */
  type: "string" | "boolean";
  /** May be given more than once; its values are collected in order. */
  multiple?: boolean;
  /** A one-letter alias, written `-x`. */
  short?: string;
}

/** The flags a command accepts, by long name (without the dashes). */
export type FlagSpec = Record<string, FlagDef>;

export type FlagValue = string | boolean | string[];

export interface ParsedArgs {
  flags: Record<string, FlagValue>;
  positionals: string[];
  /** With stopAtPositional: the first positional and everything after it. */
  rest: string[];
}

export interface ParseOptions {
  /** Stop at the first positional (a subcommand) and return it and what follows in `rest`. */
  stopAtPositional?: boolean;
}

/** Bad command-line usage: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` against `spec`.
 *
 * @example
 * ```ts
 * const parsed = parseArgs(["--data=/tmp/d", "--json", "x"], {
 *   data: { type: "string" },
 *   json: { type: "boolean" },
 * });
 * // parsed.flags = { data: "/tmp/d", json: true }, parsed.positionals = ["x"]
 * ```
 * @throws {UsageError} on an unknown flag, a missing value, or a repeated single flag
 */
export function parseArgs(
  args: readonly string[],
  spec: FlagSpec,
  options: ParseOptions = {},
): ParsedArgs {
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--") {
      const after = args.slice(index + 1);
      if (options.stopAtPositional) return { flags, positionals, rest: after };
      positionals.push(...after);
      break;
    }
    if (!isFlag(arg)) {
      if (options.stopAtPositional) return { flags, positionals, rest: args.slice(index) };
      positionals.push(arg);
      continue;
    }
    const { name, def, inlineValue } = lookUpFlag(arg, spec);
    if (def.type === "boolean") {
      setFlag(flags, name, def, parseBoolean(name, inlineValue));
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      const next = args[index + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new UsageError(`Cannot parse flag --${name}: it needs a value`);
      }
      value = next;
      index++;
    }
    setFlag(flags, name, def, value);
  }
  return { flags, positionals, rest: [] };
}

/** The string value of a flag, or undefined when it was not given. */
export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags[name];
  return typeof value === "string" ? value : undefined;
}

/** Whether a boolean flag was given (and not as `=false`). */
export function booleanFlag(parsed: ParsedArgs, name: string): boolean {
  return parsed.flags[name] === true;
}

function isFlag(arg: string): boolean {
  // "-" alone is a conventional positional (stdin); "-5" could be a number.
  return arg.startsWith("--") || /^-[A-Za-z]/.test(arg);
}

function lookUpFlag(arg: string, spec: FlagSpec) {
  if (!arg.startsWith("--")) {
    const letter = arg.slice(1);
    const found = Object.entries(spec).find(([, def]) => def.short === letter);
    if (found === undefined) throw new UsageError(`Cannot parse flag ${arg}: unknown flag`);
    return { name: found[0], def: found[1], inlineValue: undefined };
  }
  const equals = arg.indexOf("=");
  const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
  const inlineValue = equals === -1 ? undefined : arg.slice(equals + 1);
  const def = Object.hasOwn(spec, name) ? spec[name] : undefined;
  if (def === undefined) throw new UsageError(`Cannot parse flag --${name}: unknown flag`);
  return { name, def, inlineValue };
}

function parseBoolean(name: string, inlineValue: string | undefined): boolean {
  if (inlineValue === undefined || inlineValue === "true") return true;
  if (inlineValue === "false") return false;
  throw new UsageError(`Cannot parse flag --${name}: it takes no value, or =true / =false`);
}

function setFlag(
  flags: Record<string, FlagValue>,
  name: string,
  def: FlagDef,
  value: string | boolean,
) {
  if (def.multiple && typeof value === "string") {
    const previous = flags[name];
    flags[name] = Array.isArray(previous) ? [...previous, value] : [value];
    return;
  }
  if (Object.hasOwn(flags, name)) {
    throw new UsageError(`Cannot parse flag --${name}: it is given more than once`);
  }
  flags[name] = value;
}
