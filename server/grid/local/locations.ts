/**
 * Locations of local storage nodes: directories, each node in its own
 * subdirectory. Nodes on one filesystem fail together, so placement spreads
 * nodes over the named directories and says when they share a filesystem.
 *
 * @module
 */
import { statfsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { formatBytes } from "../../../lib/bytes.ts";
import { InsufficientCapacityError, ValidationError } from "../../services/errors.ts";
import type { FindQuery, FindResult } from "../provider.ts";

export interface LocationInfo {
  path: string;
  /** The filesystem's device id (stat st_dev): equal ids mean one filesystem. */
  deviceId: number;
  freeBytes: number;
}

export interface Placement {
  /** The location of each new node, in order. */
  locations: LocationInfo[];
  warnings: string[];
}

/** Checks that `path` is an absolute, existing directory and reads its filesystem. */
export function inspectLocation(path: string): LocationInfo {
  if (!isAbsolute(path)) {
    throw new ValidationError(`Cannot use location "${path}": give an absolute directory path`);
  }
  let stat: Deno.FileInfo;
  try {
    stat = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ValidationError(`Cannot use location ${path}: no such directory (create it first)`);
    }
    throw error;
  }
  if (!stat.isDirectory) {
    throw new ValidationError(`Cannot use location ${path}: it is not a directory`);
  }
  return { path, deviceId: stat.dev, freeBytes: freeBytesOf(path) ?? 0 };
}

/** Free bytes for an unprivileged user on the filesystem of `path`. */
export function freeBytesOf(path: string): number | undefined {
  try {
    const stats = statfsSync(path);
    return stats.bsize * stats.bavail;
  } catch {
    return undefined;
  }
}

/** The locations as candidates for `query`, with how many nodes of its size fit each. */
export function findCandidates(locations: readonly LocationInfo[], query: FindQuery): FindResult {
  const candidates = locations.map((location) => ({
    provider: "local" as const,
    location: location.path,
    freeBytes: location.freeBytes,
    details: {
      deviceId: location.deviceId,
      ...(query.sizeBytes
        ? { nodesThatFit: Math.floor(location.freeBytes / query.sizeBytes) }
        : {}),
    },
  }));
  const devices = new Set(locations.map((location) => location.deviceId)).size;
  const count = query.count ?? locations.length;
  return { candidates, warnings: sharingWarnings(count, locations, devices) };
}

/**
 * Puts `count` nodes of `sizeBytes` round-robin over `locations`, refusing
 * when a filesystem has too little free space for the nodes placed on it.
 * @throws {InsufficientCapacityError}
 */
export function planPlacement(
  count: number,
  sizeBytes: number,
  locations: readonly LocationInfo[],
): Placement {
  const chosen = Array.from({ length: count }, (_, index) => locations[index % locations.length]!);
  const neededBytes = new Map<number, number>();
  for (const location of chosen) {
    neededBytes.set(location.deviceId, (neededBytes.get(location.deviceId) ?? 0) + sizeBytes);
  }
  for (const [deviceId, needed] of neededBytes) {
    const location = chosen.find((candidate) => candidate.deviceId === deviceId)!;
    if (needed > location.freeBytes) {
      throw new InsufficientCapacityError(
        `Cannot place ${count} node(s) of ${
          formatBytes(sizeBytes)
        }: the filesystem of ${location.path} has ${
          formatBytes(location.freeBytes)
        } free and they need ${formatBytes(needed)}`,
      );
    }
  }
  return { locations: chosen, warnings: sharingWarnings(count, locations, neededBytes.size) };
}

/** What to tell the user about nodes or named locations that share a filesystem. */
export function sharingWarnings(
  count: number,
  locations: readonly LocationInfo[],
  deviceCount: number,
): string[] {
  const warnings: string[] = [];
  const byDevice = new Map<number, string[]>();
  for (const location of locations) {
    byDevice.set(location.deviceId, [...(byDevice.get(location.deviceId) ?? []), location.path]);
  }
  for (const [deviceId, paths] of byDevice) {
    if (paths.length > 1) {
      warnings.push(
        `Locations ${
          paths.join(", ")
        } are on one filesystem (device ${deviceId}): nodes there fail together`,
      );
    }
  }
  if (count > deviceCount) {
    warnings.push(
      `${count} nodes share ${deviceCount} filesystem(s): a failing disk takes down every node on it; name directories on other disks (--location) to spread them`,
    );
  }
  return warnings;
}
