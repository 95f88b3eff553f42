/**
 * Where qsfs keeps its state: `--home DIR`, else QSFS_HOME, else
 * $XDG_DATA_HOME/qsfs, else ~/.local/share/qsfs.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";

/** The environment values home resolution looks at; main.ts reads them. */
export interface HomeEnv {
  /** QSFS_HOME */
  qsfsHome?: string;
  /** XDG_DATA_HOME */
  xdgDataHome?: string;
  /** HOME */
  homeDir?: string;
}

/**
 * The absolute state directory, or undefined when nothing names one (no flag,
 * and neither QSFS_HOME, XDG_DATA_HOME nor HOME is set).
 */
export function resolveHome(flag: string | undefined, env: HomeEnv): string | undefined {
  if (flag) return resolve(flag);
  if (env.qsfsHome) return resolve(env.qsfsHome);
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (env.xdgDataHome && isAbsolute(env.xdgDataHome)) return join(env.xdgDataHome, "qsfs");
  if (env.homeDir) return join(env.homeDir, ".local", "share", "qsfs");
  return undefined;
}
