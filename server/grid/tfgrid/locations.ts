/**
 * Where tfgrid nodes go: the location strings a person gives, the gridproxy
 * queries they become, and the choice of distinct grid nodes for a request.
 *
 *     random                  any grid node that is up with room (the default)
 *     country:Belgium         nodes in a country (gridproxy `country`)
 *     city:Ghent              nodes in a city (gridproxy `city`)
 *     farm:1[,2...]           nodes of these farms (gridproxy `farm_ids`)
 *     node:11[,12...]         these grid nodes (gridproxy `node_id`, one query each)
 *
 * @module
 */
import { formatBytes } from "../../../lib/bytes.ts";
import { InsufficientCapacityError, ValidationError } from "../../services/errors.ts";
import type { Candidate, FindQuery, FindResult } from "../provider.ts";
import {
  type GridNodeInfo,
  type GridproxyClient,
  NODES_PAGE_SIZE_MAX,
  type NodesQuery,
} from "./gridproxy.ts";

export type GridLocation =
  | { kind: "random" }
  | { kind: "country"; country: string }
  | { kind: "city"; city: string }
  | { kind: "farm"; farmIds: number[] }
  | { kind: "node"; nodeIds: number[] };

const ID_LIST = /^\d{1,10}(?:,\d{1,10})*$/;
const GIB = 1024 ** 3;
/** How many candidates find() shows per location when the query names no count. */
const FIND_COUNT_DEFAULT = 10;

/** @throws {ValidationError} */
export function parseGridLocation(text: string): GridLocation {
  const trimmed = text.trim();
  if (trimmed === "random") return { kind: "random" };
  const colon = trimmed.indexOf(":");
  const kind = colon === -1 ? "" : trimmed.slice(0, colon);
  const value = trimmed.slice(colon + 1).trim();
  if ((kind === "country" || kind === "city") && value !== "") {
    return kind === "country" ? { kind, country: value } : { kind, city: value };
  }
  if ((kind === "farm" || kind === "node") && ID_LIST.test(value)) {
    const ids = [...new Set(value.split(",").map(Number))];
    return kind === "farm" ? { kind, farmIds: ids } : { kind, nodeIds: ids };
  }
  throw new ValidationError(
    `Cannot use tfgrid location "${text}": give random, country:NAME, city:NAME, farm:ID[,ID...] or node:ID[,ID...]`,
  );
}

export function describeLocation(location: GridLocation): string {
  switch (location.kind) {
    case "random":
      return "any location";
    case "country":
      return `country ${location.country}`;
    case "city":
      return `city ${location.city}`;
    case "farm":
      return `farm ${location.farmIds.join(", ")}`;
    case "node":
      return `node ${location.nodeIds.join(", ")}`;
  }
}

/** How a grid node is named in the registry and the API. */
export function nodeLabel(node: GridNodeInfo): string {
  const farm = node.farmName === undefined
    ? `farm ${node.farmId}`
    : `farm ${node.farmId} (${node.farmName})`;
  const place = [node.country, node.city].filter((part) => part !== "").join(", ");
  return place === "" ? `node ${node.nodeId}, ${farm}` : `node ${node.nodeId}, ${farm}, ${place}`;
}

/** Up nodes of a location with at least `freeHruBytes` free, skipping `exclude`. */
export async function searchLocation(
  gridproxy: GridproxyClient,
  location: GridLocation,
  options: { freeHruBytes: number; wanted: number; exclude: ReadonlySet<number> },
): Promise<GridNodeInfo[]> {
  const base: NodesQuery = { status: "up", freeHruBytes: options.freeHruBytes };
  const size = Math.min(NODES_PAGE_SIZE_MAX, 2 * options.wanted + options.exclude.size);
  const queries: NodesQuery[] = location.kind === "node"
    ? location.nodeIds.map((nodeId) => ({ ...base, nodeId, page: 1, size: 1 }))
    : [{ ...base, ...filterOf(location), randomize: true, page: 1, size }];
  const pages = await Promise.all(queries.map((query) => gridproxy.nodes(query)));
  const seen = new Set<number>();
  return pages.flat().filter((node) => {
    // gridproxy filtered already; this guards against a server that ignores a filter.
    const fits = node.status === "up" && node.freeHruBytes >= options.freeHruBytes;
    if (!fits || seen.has(node.nodeId) || options.exclude.has(node.nodeId)) return false;
    seen.add(node.nodeId);
    return true;
  });
}

function filterOf(location: GridLocation): NodesQuery {
  switch (location.kind) {
    case "country":
      return { country: location.country };
    case "city":
      return { city: location.city };
    case "farm":
      return { farmIds: location.farmIds };
    default:
      return {};
  }
}

/**
 * Picks `count` distinct grid nodes, spread round-robin over the locations.
 * @throws {InsufficientCapacityError} when a location has too few matching nodes
 */
export async function pickGridNodes(
  gridproxy: GridproxyClient,
  request: { count: number; freeHruBytes: number; locations: GridLocation[] },
  exclude: ReadonlySet<number>,
): Promise<GridNodeInfo[]> {
  const wanted = request.locations.map((_, index) =>
    Math.floor(request.count / request.locations.length) +
    (index < request.count % request.locations.length ? 1 : 0)
  );
  const found = await Promise.all(
    request.locations.map((location, index) =>
      searchLocation(gridproxy, location, {
        freeHruBytes: request.freeHruBytes,
        wanted: wanted[index]!,
        exclude,
      })
    ),
  );
  const taken = new Set<number>();
  const picked: GridNodeInfo[] = [];
  for (let slot = 0; slot < request.count; slot++) {
    const index = slot % request.locations.length;
    const node = found[index]!.find((candidate) => !taken.has(candidate.nodeId));
    if (node === undefined) {
      const matching = found[index]!.length;
      const skipped = exclude.size === 0
        ? ""
        : `; grid nodes that already hold a qsfs node (${[...exclude].join(", ")}) are skipped`;
      throw new InsufficientCapacityError(
        `Cannot deploy ${request.count} tfgrid node(s): not enough matching grid nodes for ${
          describeLocation(request.locations[index]!)
        }: ${wanted[index]} needed, ${matching} found up with ${
          formatBytes(request.freeHruBytes)
        } of free HDD${skipped}`,
      );
    }
    taken.add(node.nodeId);
    picked.push(node);
  }
  return picked;
}

/** Grid nodes that could take a node of the query's size (whole GiB), per location. */
export async function findCandidates(
  gridproxy: GridproxyClient,
  locations: GridLocation[],
  query: FindQuery,
  exclude: ReadonlySet<number>,
): Promise<FindResult> {
  const freeHruBytes = Math.max(1, Math.ceil((query.sizeBytes ?? GIB) / GIB)) * GIB;
  const wanted = query.count ?? FIND_COUNT_DEFAULT;
  const candidates = new Map<number, Candidate>();
  const warnings: string[] = [];
  for (const location of locations) {
    const found = await searchLocation(gridproxy, location, { freeHruBytes, wanted, exclude });
    if (query.count !== undefined && found.length < query.count) {
      warnings.push(
        `only ${found.length} grid node(s) up with ${formatBytes(freeHruBytes)} of free HDD match ${
          describeLocation(location)
        }, ${query.count} wanted`,
      );
    }
    for (const node of found.slice(0, wanted)) {
      candidates.set(node.nodeId, {
        provider: "tfgrid",
        location: nodeLabel(node),
        freeBytes: node.freeHruBytes,
        details: {
          nodeId: node.nodeId,
          farmId: node.farmId,
          country: node.country,
          city: node.city,
          ...(node.farmName === undefined ? {} : { farmName: node.farmName }),
          ...(node.certificationType === undefined
            ? {}
            : { certification: node.certificationType }),
        },
      });
    }
  }
  return { candidates: [...candidates.values()], warnings };
}
