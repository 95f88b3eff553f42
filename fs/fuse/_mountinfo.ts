/**
 * Mount table lookups (/proc/self/mountinfo) and mountpoint paths that never
 * touch the mount itself: a stale FUSE mount answers ENOTCONN to any stat of
 * its root, and a live one served by this process must not be stat'ed
 * synchronously, so the last path component is never resolved.
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";

/** One line of /proc/self/mountinfo, the fields we use. */
export interface MountInfo {
  /** The mount's device, "major:minor" (also its name under /sys/class/bdi). */
  device: string;
  mountpoint: string;
  /** e.g. "fuse.qsfs". */
  fstype: string;
  source: string;
}

/** The absolute path of `path` with its parent resolved through symlinks. */
export async function canonicalMountpoint(path: string): Promise<string> {
  const absolute = resolve(path);
  if (absolute === "/") return absolute;
  const parent = await Deno.realPath(dirname(absolute));
  return parent === "/" ? `/${basename(absolute)}` : `${parent}/${basename(absolute)}`;
}

/** Parses mountinfo text into entries (the later entry wins when mounts are stacked). */
export function parseMountinfo(text: string): MountInfo[] {
  const entries: MountInfo[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const fields = line.split(" ");
    const separator = fields.indexOf("-", 6);
    if (separator < 0 || fields.length < separator + 3) continue;
    entries.push({
      device: fields[2]!,
      mountpoint: unescapeOctal(fields[4]!),
      fstype: unescapeOctal(fields[separator + 1]!),
      source: unescapeOctal(fields[separator + 2]!),
    });
  }
  return entries;
}

/** The topmost mount at exactly `mountpoint` (already canonical), or null. */
export async function findMount(mountpoint: string): Promise<MountInfo | null> {
  const entries = parseMountinfo(await Deno.readTextFile("/proc/self/mountinfo"));
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]!.mountpoint === mountpoint) return entries[i]!;
  }
  return null;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeOctal(field: string): string {
  return field.replace(
    /\\([0-7]{3})/g,
    (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)),
  );
}

/**
 * Sets the kernel's readahead for the mount (its backing device's read_ahead_kb; root only).
 * FUSE mounts start at 128 KiB: each sequential read then becomes a request per 128 KiB, and
 * a larger window lets the kernel ask for more at once and further ahead.
 */
export async function setReadahead(mountpoint: string, kib: number): Promise<void> {
  const mount = await findMount(mountpoint);
  if (mount === null) throw new Error(`Cannot set readahead: nothing is mounted at ${mountpoint}`);
  await Deno.writeTextFile(`/sys/class/bdi/${mount.device}/read_ahead_kb`, `${kib}\n`);
}
