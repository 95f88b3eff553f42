/**
 * Storage nodes across providers: checks requests against the limits, picks
 * the provider, and hands over. A change that costs money (the provider's
 * quote is above zero) goes ahead only with the caller's acceptance of that
 * price; a pool node's shards move elsewhere before it is removed.
 *
 * @module
 */
import type {
  DeployResult,
  FindResult,
  GridProvider,
  NodeHealth,
  ProviderName,
  Quote,
  StorageNode,
} from "../grid/provider.ts";
import {
  NodeNotFoundError,
  ProviderUnavailableError,
  QuoteNotAcceptedError,
  ValidationError,
} from "./errors.ts";

/** The most nodes one request may create. */
export const NODE_COUNT_MAX = 64;
/** 1 MiB: smaller nodes could not hold one chunk's shard with room to spare. */
export const NODE_SIZE_MIN_BYTES = 1024 * 1024;
/** 1 PiB. */
export const NODE_SIZE_MAX_BYTES = 2 ** 50;
const LOCATIONS_MAX = 64;

export interface NodeRequest {
  provider?: string;
  count: number;
  sizeBytes: number;
  locations?: string[];
}

/**
 * The most the caller agreed to pay per month for a create or resize, as a quote states it.
 * A paid provider's change goes ahead only with one, and only at that price or less.
 */
export interface AcceptedQuote {
  costPerMonth: number;
  currency: string;
}

export interface PaidChange {
  /** Needed when the provider charges (tfgrid); free ones (local) ignore it. */
  acceptQuote?: AcceptedQuote;
}

export interface FindRequest {
  provider?: string;
  count?: number;
  sizeBytes?: number;
  locations?: string[];
}

export interface NodeServiceDeps {
  providers: Partial<Record<ProviderName, GridProvider>>;
  /**
   * Moves a pool node's shards to the other nodes before it is removed; undefined when it
   * holds none of the pool's (services/pool/evacuate.ts).
   */
  evacuate?: (nodeId: string) => Promise<{ chunksMoved: number } | undefined>;
  /** @default "local" */
  defaultProvider?: ProviderName;
}

export class NodeService {
  readonly #providers: Partial<Record<ProviderName, GridProvider>>;
  readonly #defaultProvider: ProviderName;
  readonly #evacuate: NodeServiceDeps["evacuate"];

  constructor(deps: NodeServiceDeps) {
    this.#providers = deps.providers;
    this.#evacuate = deps.evacuate;
    this.#defaultProvider = deps.defaultProvider ?? "local";
  }

  async find(request: FindRequest): Promise<FindResult> {
    if (request.count !== undefined) checkCount(request.count);
    if (request.sizeBytes !== undefined) checkSize(request.sizeBytes);
    checkLocations(request.locations);
    return await this.#provider(request.provider).find(request);
  }

  /** @throws {QuoteNotAcceptedError} for a paid provider, unless the quote was accepted */
  async create(request: NodeRequest & PaidChange): Promise<DeployResult> {
    const provider = this.#provider(request.provider);
    const checked = checkRequest(request);
    const what = `deploy ${checked.count} ${provider.name} node(s)`;
    checkAccepted(await provider.quote(checked), request.acceptQuote, what);
    return await provider.deploy(checked);
  }

  async quote(request: NodeRequest): Promise<Quote> {
    return await this.#provider(request.provider).quote(checkRequest(request));
  }

  async list(): Promise<StorageNode[]> {
    const lists = await Promise.all(
      Object.values(this.#providers).map((provider) => provider.list()),
    );
    // Oldest first; the sort is stable, so each provider's own order (creation order) holds.
    return lists.flat().sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(id: string): Promise<StorageNode> {
    return await this.#owner(id).get(id);
  }

  /** @throws {QuoteNotAcceptedError} for a paid provider, unless the new price was accepted */
  async resize(id: string, sizeBytes: number, change: PaidChange = {}): Promise<StorageNode> {
    checkSize(sizeBytes);
    const provider = this.#owner(id);
    await provider.get(id);
    // What the node costs at its new size: the price the caller accepts.
    const quote = await provider.quote({ count: 1, sizeBytes });
    checkAccepted(quote, change.acceptQuote, `resize node ${id}`);
    return await provider.resize(id, sizeBytes);
  }

  /**
   * Removes a node. Without force, a node of the pool first has its shards moved to the other
   * nodes (then what is left on it is no longer needed); returns how many chunks moved.
   */
  async remove(
    id: string,
    options: { force?: boolean } = {},
  ): Promise<{ chunksMoved?: number }> {
    const provider = this.#owner(id);
    const moved = options.force ? undefined : await this.#evacuate?.(id);
    await provider.remove(id, { force: options.force === true || moved !== undefined });
    return moved === undefined ? {} : { chunksMoved: moved.chunksMoved };
  }

  async health(id: string): Promise<NodeHealth> {
    return await this.#owner(id).health(id);
  }

  /** Takes a node down on purpose until start(); local nodes only. */
  async stop(id: string): Promise<StorageNode> {
    const provider = this.#owner(id);
    if (provider.stopNode === undefined) throw notStoppable(id, "stop");
    return await provider.stopNode(id);
  }

  async start(id: string): Promise<StorageNode> {
    const provider = this.#owner(id);
    if (provider.startNode === undefined) throw notStoppable(id, "start");
    return await provider.startNode(id);
  }

  #provider(name: string | undefined): GridProvider {
    const chosen = name ?? this.#defaultProvider;
    if (chosen !== "local" && chosen !== "tfgrid") {
      throw new ValidationError(`Cannot use provider "${chosen}": use local or tfgrid`);
    }
    const provider = this.#providers[chosen];
    if (provider === undefined) {
      throw new ProviderUnavailableError(
        chosen,
        chosen === "tfgrid"
          ? "the daemon has no mnemonic: stop it (qsfs stop) and start it again with QSFS_MNEMONIC set or --mnemonic-file FILE, and --network main|test|qa|dev (--network alone uses this home's identity)"
          : "it is not set up in this daemon",
      );
    }
    return provider;
  }

  /** The provider of a node id ("local-3f9a0c1e" belongs to local). */
  #owner(id: string): GridProvider {
    const name = id.slice(0, id.indexOf("-"));
    const provider = (this.#providers as Record<string, GridProvider | undefined>)[name];
    if (provider === undefined) throw new NodeNotFoundError(id);
    return provider;
  }
}

/**
 * Lets a change go ahead when it is free, or when the caller accepted at least its price.
 * Prices are compared with a little slack: the accepted figure went through JSON and back.
 */
function checkAccepted(quote: Quote, accepted: AcceptedQuote | undefined, what: string) {
  if (quote.costPerMonth === 0) return;
  const price = `${roundedCost(quote.costPerMonth)} ${quote.currency} per month`;
  if (accepted === undefined) {
    throw new QuoteNotAcceptedError(
      `Cannot ${what}: it costs ${price}; accept the quote first (acceptQuote)`,
      quote,
    );
  }
  if (
    !Number.isFinite(accepted.costPerMonth) || accepted.costPerMonth < 0 ||
    typeof accepted.currency !== "string"
  ) {
    throw new ValidationError(
      "Cannot read acceptQuote: give {costPerMonth, currency} as the quote states them",
    );
  }
  if (accepted.currency !== quote.currency) {
    throw new QuoteNotAcceptedError(
      `Cannot ${what}: the quote is in ${quote.currency}, the accepted one in ${accepted.currency}`,
      quote,
    );
  }
  if (quote.costPerMonth > accepted.costPerMonth * (1 + 1e-9)) {
    throw new QuoteNotAcceptedError(
      `Cannot ${what}: the price went up to ${price} from the ${
        roundedCost(accepted.costPerMonth)
      } ` +
        `${accepted.currency} accepted; accept the new quote first`,
      quote,
    );
  }
}

/** A price for messages: 2.511, not 2.5110000000000001. */
function roundedCost(cost: number): number {
  return Number(cost.toPrecision(6));
}

function notStoppable(id: string, action: string): ValidationError {
  return new ValidationError(
    `Cannot ${action} node ${id}: only local nodes (servers this machine runs) can be stopped and started`,
  );
}

function checkRequest(request: NodeRequest) {
  checkCount(request.count);
  checkSize(request.sizeBytes);
  checkLocations(request.locations);
  const { count, sizeBytes, locations } = request;
  return locations === undefined ? { count, sizeBytes } : { count, sizeBytes, locations };
}

function checkCount(count: number) {
  if (!Number.isSafeInteger(count) || count < 1 || count > NODE_COUNT_MAX) {
    throw new ValidationError(
      `Cannot use count ${count}: give a whole number from 1 to ${NODE_COUNT_MAX}`,
    );
  }
}

function checkSize(sizeBytes: number) {
  if (
    !Number.isSafeInteger(sizeBytes) || sizeBytes < NODE_SIZE_MIN_BYTES ||
    sizeBytes > NODE_SIZE_MAX_BYTES
  ) {
    throw new ValidationError(
      `Cannot use size ${sizeBytes} bytes: give a whole number of bytes from ${NODE_SIZE_MIN_BYTES} (1 MiB) to ${NODE_SIZE_MAX_BYTES} (1 PiB)`,
    );
  }
}

function checkLocations(locations: string[] | undefined) {
  if (locations === undefined) return;
  if (locations.length > LOCATIONS_MAX) {
    throw new ValidationError(
      `Cannot use ${locations.length} locations: give at most ${LOCATIONS_MAX}`,
    );
  }
  for (const location of locations) {
    if (location.trim() === "") throw new ValidationError("Cannot use an empty location");
  }
}
