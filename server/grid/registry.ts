/**
 * The registry of storage nodes: one SQLite file (`<home>/registry.sqlite`,
 * 0600) that records every node of every provider and the secrets of their
 * namespaces. REGISTRY.md beside this file documents the schema.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { NodeStatus, ProviderName } from "./provider.ts";

/** Bumped with every schema change; REGISTRY.md lists what each version added. */
export const REGISTRY_SCHEMA_VERSION = 2;

export interface NodeRecord {
  id: string;
  provider: ProviderName;
  host: string;
  port: number;
  namespace: string;
  /** The namespace password's row in `secrets`. */
  passwordRef: string;
  /** local only: the admin password's row in `secrets`. */
  adminPasswordRef: string | null;
  location: string;
  sizeBytes: number;
  createdAt: string;
  status: NodeStatus;
  /** local only: the server process last started for the node. */
  pid: number | null;
  /** tfgrid only: the node contract on TFChain. */
  contractId?: number | null;
  /** tfgrid only: the grid node that holds the namespace. */
  gridNodeId?: number | null;
  /** tfgrid only: the grid deployment (the contract metadata's `name`) the node belongs to. */
  deployment?: string | null;
}

export type NodeRecordPatch = Partial<
  Pick<NodeRecord, "host" | "port" | "sizeBytes" | "status" | "pid">
>;

export interface SecretRecord {
  ref: string;
  value: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nodes (
  id                 TEXT PRIMARY KEY,
  provider           TEXT NOT NULL,
  host               TEXT NOT NULL,
  port               INTEGER NOT NULL,
  namespace          TEXT NOT NULL,
  password_ref       TEXT NOT NULL,
  admin_password_ref TEXT,
  location           TEXT NOT NULL,
  size_bytes         INTEGER NOT NULL,
  created_at         TEXT NOT NULL,
  status             TEXT NOT NULL,
  pid                INTEGER,
  contract_id        INTEGER,
  grid_node_id       INTEGER,
  deployment         TEXT
);
CREATE TABLE IF NOT EXISTS secrets (
  ref   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

const COLUMNS: Record<keyof NodeRecord, string> = {
  id: "id",
  provider: "provider",
  host: "host",
  port: "port",
  namespace: "namespace",
  passwordRef: "password_ref",
  adminPasswordRef: "admin_password_ref",
  location: "location",
  sizeBytes: "size_bytes",
  createdAt: "created_at",
  status: "status",
  pid: "pid",
  contractId: "contract_id",
  gridNodeId: "grid_node_id",
  deployment: "deployment",
};

/** Columns added after version 1, with their types: added to older files when opened. */
const ADDED_COLUMNS: readonly [string, string][] = [
  ["contract_id", "INTEGER"],
  ["grid_node_id", "INTEGER"],
  ["deployment", "TEXT"],
];

const SELECT = `SELECT ${
  Object.entries(COLUMNS).map(([key, column]) => `${column} AS ${key}`)
    .join(", ")
} FROM nodes`;

export class NodeRegistry {
  readonly path: string;
  readonly #db: DatabaseSync;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /**
   * Opens (creating when missing) the registry file with 0600 permissions.
   * SQLite gives its journal files the same permissions as the database.
   */
  static open(path: string): NodeRegistry {
    Deno.openSync(path, { create: true, write: true, mode: 0o600 }).close();
    Deno.chmodSync(path, 0o600);
    const db = new DatabaseSync(path);
    try {
      db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
      const version = (db.prepare("PRAGMA user_version").get() as { user_version: number })
        .user_version;
      if (version > REGISTRY_SCHEMA_VERSION) {
        throw new Error(
          `Cannot open registry ${path}: it has schema version ${version}, newer than this qsfs (${REGISTRY_SCHEMA_VERSION})`,
        );
      }
      db.exec(SCHEMA);
      addMissingColumns(db);
      db.exec(`PRAGMA user_version = ${REGISTRY_SCHEMA_VERSION}`);
    } catch (error) {
      db.close();
      throw error;
    }
    return new NodeRegistry(path, db);
  }

  list(provider?: ProviderName): NodeRecord[] {
    const rows = provider === undefined
      ? this.#db.prepare(`${SELECT} ORDER BY created_at, rowid`).all()
      : this.#db.prepare(`${SELECT} WHERE provider = ? ORDER BY created_at, rowid`).all(provider);
    return rows.map(recordOf);
  }

  get(id: string): NodeRecord | undefined {
    const row = this.#db.prepare(`${SELECT} WHERE id = ?`).get(id);
    return row === undefined ? undefined : recordOf(row);
  }

  /** Records nodes and their secrets in one transaction: all of them or none. */
  insert(records: readonly NodeRecord[], secrets: readonly SecretRecord[]): void {
    const columns = Object.values(COLUMNS);
    const insertNode = this.#db.prepare(
      `INSERT INTO nodes (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    const insertSecret = this.#db.prepare("INSERT INTO secrets (ref, value) VALUES (?, ?)");
    this.#transaction(() => {
      for (const record of records) {
        insertNode.run(
          ...Object.keys(COLUMNS).map((key) => record[key as keyof NodeRecord] ?? null),
        );
      }
      for (const secret of secrets) insertSecret.run(secret.ref, secret.value);
    });
  }

  update(id: string, patch: NodeRecordPatch): void {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    const assignments = entries.map(([key]) => `${COLUMNS[key as keyof NodeRecord]} = ?`);
    this.#db.prepare(`UPDATE nodes SET ${assignments.join(", ")} WHERE id = ?`)
      .run(...entries.map(([, value]) => value as string | number | null), id);
  }

  /** Removes a node and the secrets it references. */
  delete(id: string): void {
    const record = this.get(id);
    if (record === undefined) return;
    this.#transaction(() => {
      this.#db.prepare("DELETE FROM nodes WHERE id = ?").run(id);
      const refs = [record.passwordRef, record.adminPasswordRef].filter((ref) => ref !== null);
      for (const ref of refs) this.#db.prepare("DELETE FROM secrets WHERE ref = ?").run(ref);
    });
  }

  secret(ref: string): string | undefined {
    const row = this.#db.prepare("SELECT value FROM secrets WHERE ref = ?").get(ref) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #transaction(body: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      body();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}

/** Brings a version 1 `nodes` table up to date (version 2 added the tfgrid columns). */
function addMissingColumns(db: DatabaseSync) {
  const present = new Set(
    (db.prepare("PRAGMA table_info(nodes)").all() as { name: string }[]).map((row) => row.name),
  );
  for (const [column, type] of ADDED_COLUMNS) {
    if (!present.has(column)) db.exec(`ALTER TABLE nodes ADD COLUMN ${column} ${type}`);
  }
}

/** A row as a NodeRecord; the tfgrid-only fields are left out when empty (local nodes). */
function recordOf(row: Record<string, unknown>): NodeRecord {
  const record = { ...row } as unknown as NodeRecord;
  for (const key of ["contractId", "gridNodeId", "deployment"] as const) {
    if (record[key] === null) delete record[key];
  }
  return record;
}
