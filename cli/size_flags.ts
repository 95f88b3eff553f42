/**
 * Sizes and counts on the command line: "500MB", "10GiB", "--size-bytes N".
 *
 * @module
 */
import { type ParsedArgs, stringFlag, UsageError } from "./args.ts";

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** --size or --size-bytes, whichever was given. @throws {UsageError} */
export function parseSizeFlags(parsed: ParsedArgs): number | undefined {
  const size = stringFlag(parsed, "size");
  const sizeBytes = stringFlag(parsed, "size-bytes");
  if (size !== undefined && sizeBytes !== undefined) {
    throw new UsageError("Cannot use --size with --size-bytes: give one of them");
  }
  if (sizeBytes !== undefined) return parseWholeNumber("--size-bytes", sizeBytes);
  return size === undefined ? undefined : parseSize(size);
}

/**
 * Parses "1000000", "500MB" (decimal units) or "10GiB" (binary units).
 *
 * @example
 * ```ts
 * parseSize("1.5GiB"); // 1610612736
 * ```
 */
export function parseSize(text: string, flag = "--size"): number {
  const match = /^(\d+(?:\.\d+)?) ?([a-zA-Z]*)$/.exec(text.trim());
  const factor = match === null ? undefined : match[2] === "" ? 1 : UNITS[match[2]!.toLowerCase()];
  if (match === null || factor === undefined) {
    throw new UsageError(
      `Cannot parse ${flag} "${text}": give bytes, or a number with B, KB, MB, GB, TB, KiB, MiB, GiB or TiB`,
    );
  }
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`Cannot parse ${flag} "${text}": too large`);
  }
  return bytes;
}

export function parseWholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(`Cannot parse ${flag} "${text}": give a whole number`);
  }
  return value;
}
