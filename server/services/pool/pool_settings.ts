/**
 * `<home>/pool.json`: what a home remembers about the filesystem it keeps on
 * its storage nodes (format in POOL.md beside this file): the geometry its
 * chunks are cut with and the state directory that caches it.
 *
 * @module
 */
import { join } from "node:path";
import { checkGeometry, type Geometry } from "./geometry.ts";

export const POOL_FILE_NAME = "pool.json";
const FORMAT = "qsfs-pool";
export const POOL_FORMAT_VERSION = 1;

export interface PoolSettings extends Geometry {
  /** The absolute state directory of the pool's filesystem on this machine. */
  stateDir: string;
}

export function poolFilePath(home: string): string {
  return join(home, POOL_FILE_NAME);
}

/** The home's pool settings, or undefined when it has none yet. @throws when the file is bad */
export async function readPoolSettings(home: string): Promise<PoolSettings | undefined> {
  const path = poolFilePath(home);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Cannot read ${path}: it is not JSON`);
  }
  if (value.format !== FORMAT || typeof value.formatVersion !== "number") {
    throw new Error(`Cannot read ${path}: it is not a qsfs pool file`);
  }
  if (value.formatVersion > POOL_FORMAT_VERSION) {
    throw new Error(
      `Cannot read ${path}: it has format version ${value.formatVersion}, newer than this qsfs (${POOL_FORMAT_VERSION})`,
    );
  }
  const { dataShards, parityShards, stateDir } = value;
  if (
    typeof dataShards !== "number" || typeof parityShards !== "number" ||
    typeof stateDir !== "string" || stateDir === ""
  ) {
    throw new Error(`Cannot read ${path}: dataShards, parityShards or stateDir is missing`);
  }
  checkGeometry({ dataShards, parityShards });
  return { dataShards, parityShards, stateDir };
}

/** Writes the settings (0600), through a temporary file renamed into place. */
export async function writePoolSettings(home: string, settings: PoolSettings): Promise<void> {
  const path = poolFilePath(home);
  const temporary = `${path}.tmp`;
  const body = {
    format: FORMAT,
    formatVersion: POOL_FORMAT_VERSION,
    dataShards: settings.dataShards,
    parityShards: settings.parityShards,
    stateDir: settings.stateDir,
  };
  await Deno.writeTextFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  await Deno.rename(temporary, path);
}
