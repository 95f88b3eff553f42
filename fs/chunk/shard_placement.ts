/**
 * {@link ShardPlacement}: the chunk store's nodes and how shards go to them: which nodes may
 * take new shards (not those draining before they leave), random order, one retry on a spare
 * node, every shard of a chunk fetched at once, and old copies removed once replaced. The
 * chunk store (put, get, scrub, repair, evacuate, delete) works through it.
 *
 * @module
 */
import type { Logger } from "../../lib/log.ts";
import { fetchShard } from "./chunk_reader.ts";
import type { Semaphore } from "./semaphore.ts";
import type { ShardNode } from "./shard_node.ts";
import type { ChunkCodec, ChunkLocation, ShardLocation } from "./types.ts";

export class ShardPlacement {
  readonly nodes = new Map<string, ShardNode>();
  readonly transfers: Semaphore;
  readonly random: () => number;
  readonly #draining = new Set<string>();
  readonly #codec: ChunkCodec;
  readonly #logger: Logger | undefined;

  constructor(codec: ChunkCodec, transfers: Semaphore, random: () => number, logger?: Logger) {
    this.#codec = codec;
    this.transfers = transfers;
    this.random = random;
    this.#logger = logger;
  }

  add(node: ShardNode): void {
    if (this.nodes.has(node.id)) {
      throw new Error(`Cannot add node ${node.id}: it is already in the pool`);
    }
    this.nodes.set(node.id, node);
  }

  /** Puts `node` in place of the node of its id (reconnected elsewhere), draining or not. */
  replace(node: ShardNode): void {
    if (!this.nodes.has(node.id)) {
      throw new Error(`Cannot replace node ${node.id}: not in the pool`);
    }
    this.nodes.set(node.id, node);
  }

  remove(nodeId: string): void {
    this.nodes.delete(nodeId);
    this.#draining.delete(nodeId);
  }

  drain(nodeId: string): void {
    if (this.nodes.has(nodeId)) this.#draining.add(nodeId);
  }

  /** The nodes new shards may go to, in random order, but for those in `busy`. */
  targets(busy: ReadonlySet<string> = new Set()): ShardNode[] {
    const placeable = [...this.nodes.values()].filter((node) =>
      !this.#draining.has(node.id) && !busy.has(node.id)
    );
    return shuffle(placeable, this.random);
  }

  /** Writes a shard to `first`, or on failure to one spare node taken from `spares` (shared). */
  async placeShard(
    chunkId: string,
    index: number,
    shard: Uint8Array,
    first: ShardNode | undefined,
    spares: ShardNode[],
    failed: { writes: number } = { writes: 0 },
  ): Promise<ShardLocation | undefined> {
    const key = shardKey(chunkId, index);
    let node = first ?? spares.shift();
    for (let attempt = 0; attempt < 2 && node !== undefined; attempt++) {
      try {
        await this.transfers.run(() => node!.put(key, shard));
        return { index, nodeId: node.id, key };
      } catch (error) {
        failed.writes++;
        this.#logger?.warn("shard write failed", {
          node: node.id,
          chunk: chunkId,
          error: String(error),
        });
        node = spares.shift();
      }
    }
    return undefined;
  }

  /** Fetches and checks one shard; null when missing, unreachable or corrupt. */
  fetchShard(shard: ShardLocation, onLost?: () => void): Promise<Uint8Array | null> {
    return fetchShard(
      { codec: this.#codec, nodes: this.nodes, transfers: this.transfers },
      shard,
      onLost,
    );
  }

  /** Every listed shard fetched and checked, by index; null where missing or bad. */
  async fetchAll(location: ChunkLocation): Promise<(Uint8Array | null)[]> {
    const fetched: (Uint8Array | null)[] = new Array(location.dataShards + location.parityShards)
      .fill(null);
    await Promise.all(location.shards.map(async (shard) => {
      fetched[shard.index] = await this.fetchShard(shard);
    }));
    return fetched;
  }

  /**
   * Best-effort removal of bad shards that were replaced elsewhere. A shard rebuilt on the
   * node that held it went to the same key (shardKey) and overwrote it: that one stays.
   */
  async dropReplaced(
    location: ChunkLocation,
    keep: ShardLocation[],
    rebuilt: ShardLocation[],
  ): Promise<void> {
    const kept = new Set(keep);
    const overwritten = new Set(rebuilt.map((shard) => `${shard.nodeId}/${shard.key}`));
    const replaced = location.shards.filter((shard) =>
      !kept.has(shard) && !overwritten.has(`${shard.nodeId}/${shard.key}`)
    );
    await Promise.allSettled(
      replaced.map((shard) => this.nodes.get(shard.nodeId)?.delete(shard.key)),
    );
  }
}

/** The key of shard `index` of a chunk: readable, and unique per chunk and index. */
export function shardKey(chunkId: string, index: number): string {
  return `${chunkId}.${index}`;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
