/**
 * For tests: a gridproxy stand-in on 127.0.0.1 that answers GET /nodes the
 * way the real server does (grid-proxy/internal/explorer): a JSON array with
 * a trailing newline, `Content-Type: application/json`, the CORS headers, the
 * filters applied, `{"error": "..."}` on errors. It records every request URL
 * so tests can check the query parameters qsfs sends.
 *
 * @module
 */
import gridproxyNodes from "./testdata/gridproxy_nodes.json" with { type: "json" };

export interface GridproxyStandIn {
  readonly url: string;
  /** Every request, in order. */
  readonly requests: URL[];
  /** When set, every /nodes request fails with this status and error text. */
  failWith: { status: number; error: string } | undefined;
  close(): Promise<void>;
}

type Node = Record<string, unknown> & {
  nodeId: number;
  farmId: number;
  status: string;
  country: string;
  city: string;
  total_resources: { hru: number };
  used_resources: { hru: number };
};

/**
 * The real node of testdata/gridproxy_nodes.json, copied `count` times with
 * only its ids changed (upstream has one node; tests need several): nodeId
 * and twinId count up from 1, `id` follows their pattern, and farmId is taken
 * from `farmIdOf` (default: the real farm 1).
 */
export function fixtureNodes(
  count: number,
  farmIdOf: (nodeId: number) => number = () => 1,
): Record<string, unknown>[] {
  const [real] = gridproxyNodes;
  return Array.from({ length: count }, (_, index) => {
    const nodeId = index + 1;
    const farmId = farmIdOf(nodeId);
    return {
      ...structuredClone(real),
      id: `0000000510-${String(nodeId).padStart(6, "0")}-782e1`,
      nodeId,
      farmId,
      twinId: real!.twinId + index,
    };
  });
}

export function startGridproxyStandIn(nodes: Record<string, unknown>[]): GridproxyStandIn {
  const requests: URL[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      requests.push(url);
      if (url.pathname !== "/nodes") {
        return new Response("404 page not found\n", { status: 404 });
      }
      if (standIn.failWith !== undefined) {
        return json({ error: standIn.failWith.error }, standIn.failWith.status);
      }
      return json(filterNodes(nodes as Node[], url.searchParams), 200);
    },
  );
  const standIn: GridproxyStandIn = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    failWith: undefined,
    close: () => server.shutdown(),
  };
  return standIn;
}

/** The server's filters, for the parameters qsfs sends. */
function filterNodes(nodes: Node[], params: URLSearchParams): Node[] {
  const number = (name: string) => params.has(name) ? Number(params.get(name)) : undefined;
  const status = params.get("status");
  const freeHru = number("free_hru");
  const country = params.get("country")?.toLowerCase();
  const city = params.get("city")?.toLowerCase();
  const farmIds = params.get("farm_ids")?.split(",").map(Number);
  const nodeId = number("node_id");
  const matching = nodes.filter((node) =>
    (status === null || node.status === status) &&
    (freeHru === undefined || node.total_resources.hru - node.used_resources.hru >= freeHru) &&
    (country === undefined || node.country.toLowerCase() === country) &&
    (city === undefined || node.city.toLowerCase() === city) &&
    (farmIds === undefined || farmIds.includes(node.farmId)) &&
    (nodeId === undefined || node.nodeId === nodeId)
  );
  const size = number("size") ?? 50;
  const page = number("page") ?? 1;
  return matching.slice((page - 1) * size, page * size);
}

function json(body: unknown, status: number): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: {
      "Content-Type": "application/json",
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Expose-Headers": "*",
    },
  });
}
