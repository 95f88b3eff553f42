/**
 * A small typed client of ThreeFold's gridproxy REST API (GET /nodes), with
 * fetch. It reads both node shapes seen in the wild: the early one (no
 * farmName, location without coordinates, no healthy/features...) and the
 * current types.Node; resources may be flat (`total_resources`) as /nodes
 * sends them, or nested under `capacity` as /nodes/{id} does.
 *
 * Units on the wire: hru, sru and mru are bytes; created/updatedAt are unix
 * seconds. Errors come back as `{"error": "..."}`.
 *
 * @module
 */
import type { GridNetwork } from "./grid_client_port.ts";

/** gridproxy per network, as the grid client builds it (`gridproxy.<net>.grid.tf`, main without). */
export const GRIDPROXY_URLS: Readonly<Record<GridNetwork, string>> = {
  main: "https://gridproxy.grid.tf",
  test: "https://gridproxy.test.grid.tf",
  qa: "https://gridproxy.qa.grid.tf",
  dev: "https://gridproxy.dev.grid.tf",
};

/** gridproxy answers pages of at most this many nodes here. */
export const NODES_PAGE_SIZE_MAX = 100;
const REQUEST_TIMEOUT_MS = 15_000;

/** The /nodes filters qsfs uses (gridproxy's NodeFilter and Limit, snake_case on the wire). */
export interface NodesQuery {
  status?: "up" | "down" | "standby";
  /** Bytes. */
  freeHruBytes?: number;
  country?: string;
  city?: string;
  farmIds?: number[];
  nodeId?: number;
  randomize?: boolean;
  page?: number;
  size?: number;
}

/** A grid node, as much as qsfs needs of it. */
export interface GridNodeInfo {
  nodeId: number;
  farmId: number;
  /** Current servers only. */
  farmName?: string;
  twinId: number;
  country: string;
  city: string;
  status: string;
  totalHruBytes: number;
  freeHruBytes: number;
  certificationType?: string;
  /** Current servers only: the node answered RMB in the last minutes. */
  healthy?: boolean;
}

/** gridproxy could not be reached or refused the request. */
export class GridproxyError extends Error {
  readonly status: number | undefined;

  constructor(message: string, options: ErrorOptions & { status?: number } = {}) {
    super(message, options);
    this.name = "GridproxyError";
    this.status = options.status;
  }
}

export class GridproxyClient {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: string, options: { fetch?: typeof fetch } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
  }

  /** GET /nodes with the query. @throws {GridproxyError} */
  async nodes(query: NodesQuery): Promise<GridNodeInfo[]> {
    const url = `${this.baseUrl}/nodes?${nodesSearchParams(query)}`;
    let response: Response;
    try {
      response = await this.#fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw new GridproxyError(`Cannot reach gridproxy at ${this.baseUrl}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new GridproxyError(
        `gridproxy answered ${response.status} to GET /nodes: ${errorText(text)}`,
        { status: response.status },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new GridproxyError(`gridproxy answered GET /nodes with something not JSON`, {
        cause: error,
      });
    }
    if (!Array.isArray(body)) {
      throw new GridproxyError("gridproxy answered GET /nodes with something not a list");
    }
    return body.map(parseNode).filter((node) => node !== undefined);
  }
}

/** The query string of GET /nodes, in a fixed order. */
export function nodesSearchParams(query: NodesQuery): URLSearchParams {
  const params = new URLSearchParams();
  const set = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) params.set(name, String(value));
  };
  set("status", query.status);
  set("free_hru", query.freeHruBytes);
  set("country", query.country);
  set("city", query.city);
  set("farm_ids", query.farmIds?.join(","));
  set("node_id", query.nodeId);
  set("randomize", query.randomize);
  set("page", query.page);
  set("size", query.size);
  return params;
}

/** One /nodes (or /nodes/{id}) item; undefined when it lacks the ids qsfs needs. */
export function parseNode(item: unknown): GridNodeInfo | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const node = item as Record<string, unknown>;
  const nodeId = wholeNumber(node.nodeId);
  const farmId = wholeNumber(node.farmId);
  if (nodeId === undefined || farmId === undefined) return undefined;
  const capacity = record(node.capacity);
  const total = record(node.total_resources ?? capacity?.total_resources);
  const used = record(node.used_resources ?? capacity?.used_resources);
  const location = record(node.location);
  const totalHruBytes = wholeNumber(total?.hru) ?? 0;
  const usedHruBytes = wholeNumber(used?.hru) ?? 0;
  const info: GridNodeInfo = {
    nodeId,
    farmId,
    twinId: wholeNumber(node.twinId) ?? 0,
    country: text(node.country) ?? text(location?.country) ?? "",
    city: text(node.city) ?? text(location?.city) ?? "",
    status: text(node.status) ?? "",
    totalHruBytes,
    freeHruBytes: Math.max(0, totalHruBytes - usedHruBytes),
  };
  const farmName = text(node.farmName);
  if (farmName !== undefined && farmName !== "") info.farmName = farmName;
  const certificationType = text(node.certificationType);
  if (certificationType !== undefined) info.certificationType = certificationType;
  if (typeof node.healthy === "boolean") info.healthy = node.healthy;
  return info;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? value as Record<string, unknown> : undefined;
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed?.error === "string") return parsed.error;
  } catch {
    // Not JSON: show the text itself.
  }
  return body.trim().slice(0, 200) || "(empty body)";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
