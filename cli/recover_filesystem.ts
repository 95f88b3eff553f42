/**
 * The second half of `qsfs recover`: the filesystem brought back from the
 * storage nodes into an empty state directory (newest superblock, metadata
 * snapshot and log), with the keys of the identity; then `qsfs mount DIR`
 * shows the tree. An existing filesystem is refused; nothing is ever deleted.
 *
 * @module
 */
import { join } from "node:path";
import { formatBytes } from "../lib/bytes.ts";
import { NodeRegistry } from "../server/grid/registry.ts";
import type { QsfsKeys } from "../server/services/identity/mod.ts";
import { formatGeometry, type Geometry, writePoolSettings } from "../server/services/pool/mod.ts";
import type { CommandContext } from "./command.ts";
import { setUpPool, unansweredWarning } from "./pool_setup.ts";
import { recoveryState } from "./pool_state.ts";

export interface FilesystemRecovery {
  home: string;
  keys: QsfsKeys;
  stateFlag: string | undefined;
  requested: Geometry | undefined;
  /** Handed to a daemon started here. */
  serveArgs: string[];
}

/** What `--json` prints and the text below says. */
export interface RecoveredFilesystem {
  stateDir: string;
  nodes: number;
  geometry: string;
  superblockSeq: number;
  files: number;
  directories: number;
  symlinks: number;
  dataBytes: number;
}

/** Whether the home's registry records any storage node (recovery has somewhere to look). */
export function homeHasNodes(home: string): boolean {
  try {
    Deno.statSync(join(home, "registry.sqlite"));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  const registry = NodeRegistry.open(join(home, "registry.sqlite"));
  try {
    return registry.list().length > 0;
  } finally {
    registry.close();
  }
}

/** Rebuilds the filesystem's state from the nodes. @throws {Error} saying why not */
export async function recoverFilesystemFromNodes(
  recovery: FilesystemRecovery,
  context: CommandContext,
): Promise<RecoveredFilesystem> {
  const { home, keys } = recovery;
  const { deps } = context;
  const { stateDir, settings } = await recoveryState(home, recovery.stateFlag);
  const ready = await setUpPool({
    home,
    keys,
    action: "recover the filesystem",
    requested: recovery.requested,
    remembered: settings,
    deps,
    logLevel: context.logLevel,
    serveArgs: recovery.serveArgs,
  });
  const warning = unansweredWarning(ready);
  if (warning !== undefined) deps.stderr(`qsfs: ${warning}\n`);
  const engine = await import("../fs/mod.ts");
  const logger = deps.createLogger(context.logLevel, home);
  try {
    const report = await engine.recoverFilesystem({
      stateDir,
      pool: ready.pool,
      logger: logger.child({ part: "fs" }),
    });
    await writePoolSettings(home, { ...ready.geometry, stateDir });
    return {
      stateDir,
      nodes: ready.pool.nodes.length,
      geometry: formatGeometry(ready.geometry),
      superblockSeq: report.superblockSeq,
      files: report.files,
      directories: report.directories,
      symlinks: report.symlinks,
      dataBytes: report.dataBytes,
    };
  } finally {
    logger.close();
  }
}

export function formatRecovered(recovered: RecoveredFilesystem): string {
  return `Recovered the filesystem into ${recovered.stateDir} from ${recovered.nodes} storage ` +
    `nodes (${recovered.geometry}, superblock ${recovered.superblockSeq}):\n` +
    `  ${recovered.files} files, ${recovered.directories} directories, ` +
    `${recovered.symlinks} symlinks, ${formatBytes(recovered.dataBytes)} of data\n` +
    "Mount it with: qsfs mount DIR\n";
}
