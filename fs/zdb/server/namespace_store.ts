/**
 * The namespaces of one server on disk:
 *
 *   <data>/zdb.pid              pid of the server using this directory
 *   <data>/ns/<dir>/namespace.json   settings (0600), replaced atomically
 *   <data>/ns/<dir>/seg-*.qzdb       the namespace's log (segment_log.ts)
 *   <data>/trash/                    namespaces being deleted
 *
 * <dir> is the namespace name when it is plain ([A-Za-z0-9_-], not starting
 * with "-"), else "~" plus the base64url of the name, so any 0-db name is a
 * safe file name. The true name is in namespace.json.
 */
import { join } from "node:path";
import type { Logger } from "../../../lib/log.ts";
import { writeFileAtomically } from "./file_io.ts";
import { Namespace, type NamespaceMode, type NamespaceSettings } from "./namespace.ts";

export const DEFAULT_NAMESPACE = "default";
export const NAMESPACE_NAME_MAX_BYTES = 128;
const SETTINGS_FILE = "namespace.json";
const SETTINGS_FORMAT_VERSION = 1;

export type ServerMode = NamespaceMode | "mix";

export interface NamespaceStoreOptions {
  dataDir: string;
  serverMode: ServerMode;
  segmentMaxBytes?: number;
  logger: Logger;
}

export class NamespaceStore {
  readonly serverMode: ServerMode;
  #options: NamespaceStoreOptions;
  #namespaces = new Map<string, Namespace>();
  #dirs = new Map<Namespace, string>();

  private constructor(options: NamespaceStoreOptions) {
    this.#options = options;
    this.serverMode = options.serverMode;
  }

  static open(options: NamespaceStoreOptions): NamespaceStore {
    const store = new NamespaceStore(options);
    Deno.mkdirSync(join(options.dataDir, "ns"), { recursive: true, mode: 0o700 });
    Deno.mkdirSync(join(options.dataDir, "trash"), { recursive: true, mode: 0o700 });
    claimDataDir(options.dataDir);
    Deno.removeSync(join(options.dataDir, "trash"), { recursive: true });
    Deno.mkdirSync(join(options.dataDir, "trash"), { mode: 0o700 });
    store.#loadAll();
    if (!store.#namespaces.has(DEFAULT_NAMESPACE)) store.create(DEFAULT_NAMESPACE);
    return store;
  }

  get(name: string): Namespace | undefined {
    return this.#namespaces.get(name);
  }

  /** Names with the default namespace first, then in creation order. */
  names(): string[] {
    return [...this.#namespaces.keys()];
  }

  get size(): number {
    return this.#namespaces.size;
  }

  dirOf(namespace: Namespace): string {
    return this.#dirs.get(namespace)!;
  }

  create(name: string): Namespace {
    const dir = join(this.#options.dataDir, "ns", dirNameOf(name));
    Deno.mkdirSync(dir, { mode: 0o700 });
    const settings: NamespaceSettings = {
      name,
      password: null,
      maxsizeBytes: 0,
      public: true,
      worm: false,
      mode: this.serverMode === "seq" ? "seq" : "user",
      lock: "none",
    };
    saveSettings(dir, settings);
    return this.#openNamespace(dir, settings);
  }

  /** Persists a namespace's changed settings. */
  commitSettings(namespace: Namespace): void {
    saveSettings(this.dirOf(namespace), namespace.settings);
  }

  /** Removes a namespace: its directory moves to trash atomically, then is deleted. */
  delete(namespace: Namespace): void {
    const dir = this.dirOf(namespace);
    namespace.log.close();
    namespace.deleted = true;
    const trashed = join(this.#options.dataDir, "trash", `${Date.now()}-${dir.split("/").pop()}`);
    Deno.renameSync(dir, trashed);
    this.#namespaces.delete(namespace.settings.name);
    this.#dirs.delete(namespace);
    Deno.removeSync(trashed, { recursive: true });
  }

  close(): void {
    for (const namespace of this.#namespaces.values()) namespace.log.close();
    try {
      Deno.removeSync(join(this.#options.dataDir, "zdb.pid"));
    } catch {
      // Already gone: nothing to release.
    }
  }

  #loadAll(): void {
    const root = join(this.#options.dataDir, "ns");
    const loaded: { dir: string; settings: NamespaceSettings }[] = [];
    for (const item of Deno.readDirSync(root)) {
      if (!item.isDirectory) continue;
      const dir = join(root, item.name);
      const settings = loadSettings(dir, this.#options.logger);
      if (settings !== undefined) loaded.push({ dir, settings });
    }
    loaded.sort((a, b) =>
      (a.settings.name === DEFAULT_NAMESPACE ? -1 : 0) -
        (b.settings.name === DEFAULT_NAMESPACE ? -1 : 0) || (a.dir < b.dir ? -1 : 1)
    );
    for (const { dir, settings } of loaded) this.#openNamespace(dir, settings);
  }

  #openNamespace(dir: string, settings: NamespaceSettings): Namespace {
    if (this.serverMode !== "mix" && settings.mode !== this.serverMode) {
      // Never reinterpret stored data in another mode (0-db#128 broke QSFS that way).
      this.#options.logger.warn("zdb namespace keeps its stored mode", {
        namespace: settings.name,
        mode: settings.mode,
        serverMode: this.serverMode,
      });
    }
    const namespace = Namespace.open(dir, settings, {
      segmentMaxBytes: this.#options.segmentMaxBytes,
      logger: this.#options.logger,
    });
    this.#namespaces.set(settings.name, namespace);
    this.#dirs.set(namespace, dir);
    return namespace;
  }
}

/** True when `name` may be a namespace name (0-db's rules plus what a file name can hold). */
export function isValidNamespaceName(name: string): boolean {
  if (name === "." || name === ".." || name.includes("/") || name.includes("\0")) return false;
  return name !== DEFAULT_NAMESPACE;
}

function dirNameOf(name: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(name)) return name;
  const bytes = new TextEncoder().encode(name);
  const base64 = btoa(String.fromCharCode(...bytes));
  return "~" + base64.replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function saveSettings(dir: string, settings: NamespaceSettings): void {
  const text = JSON.stringify({ formatVersion: SETTINGS_FORMAT_VERSION, ...settings }, null, 2);
  writeFileAtomically(dir, SETTINGS_FILE, new TextEncoder().encode(text + "\n"));
}

function loadSettings(dir: string, logger: Logger): NamespaceSettings | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(join(dir, SETTINGS_FILE));
  } catch {
    logger.warn("zdb skips a directory without namespace settings", { dir });
    return undefined;
  }
  const parsed = JSON.parse(text) as NamespaceSettings & { formatVersion: number };
  if (parsed.formatVersion !== SETTINGS_FORMAT_VERSION) {
    throw new Error(`Cannot open namespace in ${dir}: settings format ${parsed.formatVersion}`);
  }
  const { formatVersion: _version, ...settings } = parsed;
  return settings;
}

/** Refuses a data directory that another live server process is using. */
function claimDataDir(dataDir: string): void {
  const pidPath = join(dataDir, "zdb.pid");
  try {
    const pid = Number(Deno.readTextFileSync(pidPath).trim());
    if (pid !== Deno.pid && isProcessAlive(pid)) {
      throw new Error(`Cannot open data directory ${dataDir}: zdb process ${pid} is using it`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  Deno.writeTextFileSync(pidPath, `${Deno.pid}\n`, { mode: 0o600 });
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
