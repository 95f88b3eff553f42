/**
 * A small typed client of the daemon's JSON API, for the CLI. It reads its
 * address and token from daemon.json; errors carry the API's code and message.
 *
 * @module
 */
import type { DaemonInfo } from "../lib/daemon_file.ts";
import type {
  DeployResult,
  FindResult,
  NodeHealth,
  Quote,
  StorageNode,
} from "../server/grid/provider.ts";
import type { DaemonHealth } from "../server/http/system.ts";
import type { ScrubSummary } from "../fs/mod.ts";
import type { NodeEvent } from "../server/services/events.ts";

/** Long enough for a deployment of many nodes on a busy machine. */
const REQUEST_TIMEOUT_MS = 180_000;
/** A scrub reads every shard of the pool: hours for terabytes (the mount's own bound). */
const SCRUB_TIMEOUT_MS = 24 * 3600_000;

/** The API answered with an error, or could not be reached. */
export class ApiError extends Error {
  /** The HTTP status; 0 when the daemon could not be reached. */
  readonly status: number;
  readonly code: string;
  /** What the error body says besides code and message (e.g. `quote`). */
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The price a person accepted for a paid create or resize (the API's `acceptQuote`). */
export interface AcceptedQuote {
  costPerMonth: number;
  currency: string;
}

export interface NodeRequestBody {
  provider?: string;
  count?: number;
  sizeBytes?: number;
  locations?: string[];
  acceptQuote?: AcceptedQuote;
}

export class DaemonClient {
  readonly info: DaemonInfo;
  readonly #base: string;

  constructor(info: DaemonInfo) {
    this.info = info;
    this.#base = `http://127.0.0.1:${info.port}/api`;
  }

  async request<T>(method: string, path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS) {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.info.token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(
        0,
        "unreachable",
        `Cannot reach the daemon on port ${this.info.port}: ${reason}`,
      );
    }
    const text = await response.text();
    let value: unknown;
    try {
      value = text === "" ? undefined : JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!response.ok) {
      const error = (value as { error?: Record<string, unknown> } | undefined)?.error;
      const { code, message, ...details } = error ?? {};
      throw new ApiError(
        response.status,
        typeof code === "string" ? code : "http_error",
        typeof message === "string"
          ? message
          : `Cannot ${method} ${path}: the daemon answered ${response.status}`,
        details,
      );
    }
    return value as T;
  }

  health(timeoutMs = 5_000): Promise<DaemonHealth> {
    return this.request("GET", "/health", undefined, timeoutMs);
  }

  stop(): Promise<{ stopping: boolean }> {
    return this.request("POST", "/stop", undefined, 10_000);
  }

  events(options: { afterId?: number; nodeId?: string } = {}): Promise<{ events: NodeEvent[] }> {
    const query = new URLSearchParams();
    if (options.afterId !== undefined) query.set("after", String(options.afterId));
    if (options.nodeId !== undefined) query.set("node", options.nodeId);
    const suffix = query.size > 0 ? `?${query}` : "";
    return this.request("GET", `/events${suffix}`);
  }

  listNodes(): Promise<{ nodes: StorageNode[] }> {
    return this.request("GET", "/nodes");
  }

  getNode(id: string): Promise<StorageNode> {
    return this.request("GET", `/nodes/${encodeURIComponent(id)}`);
  }

  createNodes(body: NodeRequestBody): Promise<DeployResult> {
    return this.request("POST", "/nodes", body);
  }

  findNodes(body: NodeRequestBody): Promise<FindResult> {
    return this.request("POST", "/nodes/find", body);
  }

  quote(body: NodeRequestBody): Promise<Quote> {
    return this.request("POST", "/nodes/quote", body);
  }

  resizeNode(id: string, sizeBytes: number, acceptQuote?: AcceptedQuote): Promise<StorageNode> {
    const body = acceptQuote === undefined ? { sizeBytes } : { sizeBytes, acceptQuote };
    return this.request("PATCH", `/nodes/${encodeURIComponent(id)}`, body);
  }

  removeNode(id: string, force: boolean): Promise<{ removed: string; chunksMoved?: number }> {
    return this.request("DELETE", `/nodes/${encodeURIComponent(id)}${force ? "?force=1" : ""}`);
  }

  stopNode(id: string): Promise<StorageNode> {
    return this.request("POST", `/nodes/${encodeURIComponent(id)}/stop`);
  }

  startNode(id: string): Promise<StorageNode> {
    return this.request("POST", `/nodes/${encodeURIComponent(id)}/start`);
  }

  nodeHealth(id: string): Promise<NodeHealth> {
    return this.request("GET", `/nodes/${encodeURIComponent(id)}/health`);
  }

  scrub(): Promise<ScrubSummary> {
    return this.request("POST", "/pool/scrub", undefined, SCRUB_TIMEOUT_MS);
  }
}
