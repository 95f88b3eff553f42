/**
 * The chunk store: chunks in, shards out to n distinct storage nodes.
 *
 * put encodes (the codec verifies its own output by decoding it), places the
 * n = k + m shards on n distinct nodes chosen at random, writes them in
 * parallel, and succeeds when at least `minAcknowledgedShards` (default k + 1)
 * are stored; the others are queued for repair, not forgotten. A failed
 * shard write is retried once on a spare node. get, repair, scrub and
 * delete work from the locations put returned, which the caller keeps.
 *
 * Memory: at most `transfersInFlightMax` shard transfers run at once, so the
 * bytes held for transfers are bounded by that many shards, plus the chunks
 * the callers are encoding or decoding themselves.
 */
import type { Logger } from "../../lib/log.ts";
import { fetchShard, readChunk } from "./chunk_reader.ts";
import { ShardBuffers } from "./shard_buffers.ts";
import { Semaphore } from "./semaphore.ts";
import type { ShardNode } from "./shard_node.ts";
import {
  type ChunkCodec,
  type ChunkLocation,
  ChunkReadError,
  ChunkWriteError,
  type ShardLocation,
} from "./types.ts";

export interface ChunkStoreOptions {
  codec: ChunkCodec;
  nodes: ShardNode[];
  /** Shards that must be stored for put to succeed. @default k + 1 (at most n) */
  minAcknowledgedShards?: number;
  /** Shard transfers at once, over all calls. @default 32 */
  transfersInFlightMax?: number;
  /** How long a read waits before asking one more node. @default 200 */
  hedgeDelayMs?: number;
  /** Placement randomness; seeded in tests. @default Math.random */
  random?: () => number;
  logger?: Logger;
}

export interface ScrubReport {
  location: ChunkLocation;
  /** Indices of shards that were missing or failed their check. */
  badShards: number[];
}

export class ChunkStore {
  readonly codec: ChunkCodec;
  readonly #nodes = new Map<string, ShardNode>();
  readonly #transfers: Semaphore;
  readonly #minAcknowledged: number;
  readonly #hedgeDelayMs: number;
  readonly #random: () => number;
  readonly #repairQueue = new Map<string, ChunkLocation>();
  readonly #draining = new Set<string>();
  readonly #buffers = new ShardBuffers();
  readonly #logger: Logger | undefined;

  constructor(options: ChunkStoreOptions) {
    this.codec = options.codec;
    const n = options.codec.dataShards + options.codec.parityShards;
    this.#minAcknowledged = Math.min(
      n,
      options.minAcknowledgedShards ?? options.codec.dataShards + 1,
    );
    if (this.#minAcknowledged < options.codec.dataShards) {
      throw new RangeError(
        `Cannot create chunk store: must store at least ${options.codec.dataShards} shards`,
      );
    }
    this.#transfers = new Semaphore(options.transfersInFlightMax ?? 32);
    this.#hedgeDelayMs = options.hedgeDelayMs ?? 200;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    for (const node of options.nodes) this.addNode(node);
  }

  get nodeIds(): string[] {
    return [...this.#nodes.keys()];
  }

  addNode(node: ShardNode): void {
    if (this.#nodes.has(node.id)) {
      throw new Error(`Cannot add node ${node.id}: it is already in the pool`);
    }
    this.#nodes.set(node.id, node);
  }

  /** Takes a node out of the pool; chunks with shards on it need repair to regain full redundancy. */
  removeNode(nodeId: string): void {
    this.#nodes.delete(nodeId);
    this.#draining.delete(nodeId);
  }

  /**
   * Stops placing shards on a node that is about to leave, while its shards stay readable
   * (for {@link evacuate}).
   */
  drainNode(nodeId: string): void {
    if (this.#nodes.has(nodeId)) this.#draining.add(nodeId);
  }

  /** The nodes new shards may go to. */
  #placeable(): ShardNode[] {
    return [...this.#nodes.values()].filter((node) => !this.#draining.has(node.id));
  }

  /**
   * Chunks waiting for {@link repair}: stored with fewer than n shards, or read back whole
   * although a node that answered had lost or rotted a shard (read repair).
   */
  pendingRepairs(): ChunkLocation[] {
    return [...this.#repairQueue.values()];
  }

  /**
   * Stores a chunk. `chunkId` (32 hex digits, never reused) lets a caller that
   * recorded it first find and delete the shards after a crash, see {@link deleteById}.
   */
  async put(plaintext: Uint8Array, options: { chunkId?: string } = {}): Promise<ChunkLocation> {
    const chunkId = options.chunkId ?? newChunkId(this.#random);
    if (!CHUNK_ID_PATTERN.test(chunkId)) {
      throw new RangeError(`Cannot store chunk: bad id ${chunkId}`);
    }
    const buffer = this.#buffers.take(this.codec.encodedBytesMax(plaintext.length));
    const shards = await this.codec.encode(plaintext, buffer);
    const candidates = shuffle(this.#placeable(), this.#random);
    const n = shards.length;
    if (candidates.length < this.#minAcknowledged) {
      this.#buffers.give(buffer);
      throw new ChunkWriteError(
        chunkId,
        `${candidates.length} nodes in the pool, ${this.#minAcknowledged} needed`,
      );
    }
    const spares = candidates.slice(n);
    const failed = { writes: 0 };
    const placed = await Promise.all(shards.map((shard, index) => {
      return this.#placeShard(chunkId, index, shard, candidates[index], spares, failed);
    }));
    // Reused only when every write was answered: a failed one's socket may still be sending it.
    if (failed.writes === 0) this.#buffers.give(buffer);
    const stored = placed.filter((shard): shard is ShardLocation => shard !== undefined);
    const location = this.#location(chunkId, stored);
    if (stored.length < this.#minAcknowledged) {
      await this.delete(location).catch(() => {});
      throw new ChunkWriteError(
        chunkId,
        `only ${stored.length} of ${n} shards stored, ${this.#minAcknowledged} needed`,
      );
    }
    if (stored.length < n) this.#repairQueue.set(chunkId, location);
    return location;
  }

  get(location: ChunkLocation): Promise<Uint8Array> {
    return readChunk({
      codec: this.codec,
      nodes: this.#nodes,
      transfers: this.#transfers,
      hedgeDelayMs: this.#hedgeDelayMs,
      onDamaged: (damaged) => {
        if (!this.#repairQueue.has(damaged.chunkId)) {
          this.#repairQueue.set(damaged.chunkId, damaged);
        }
      },
    }, location);
  }

  /** Checks every shard of a chunk and rebuilds what is missing or corrupt. */
  async scrub(location: ChunkLocation): Promise<ScrubReport> {
    const fetched = await this.#fetchAll(location);
    const n = location.dataShards + location.parityShards;
    const badShards = [...Array(n).keys()].filter((index) => fetched[index] === null);
    if (badShards.length === 0) {
      this.#repairQueue.delete(location.chunkId);
      return { location, badShards };
    }
    return { location: await this.#rebuild(location, fetched), badShards };
  }

  /** Rebuilds missing or corrupt shards on other healthy nodes; returns the new location. */
  async repair(location: ChunkLocation): Promise<ChunkLocation> {
    return (await this.scrub(location)).location;
  }

  /**
   * Moves a chunk's shards off `nodeId` (before that node leaves the pool): each is copied
   * from the node if it still reads back good, else rebuilt from the others, and written to
   * a node holding no shard of this chunk. Returns the new location; the old copies are
   * deleted only after the new ones are stored.
   */
  async evacuate(location: ChunkLocation, nodeId: string): Promise<ChunkLocation> {
    const moving = location.shards.filter((shard) => shard.nodeId === nodeId);
    if (moving.length === 0) return location;
    const staying = location.shards.filter((shard) => shard.nodeId !== nodeId);
    const busy = new Set([nodeId, ...staying.map((shard) => shard.nodeId)]);
    const targets = shuffle(
      this.#placeable().filter((node) => !busy.has(node.id)),
      this.#random,
    );
    if (targets.length < moving.length) {
      throw new ChunkWriteError(location.chunkId, `no node free to take its shards off ${nodeId}`);
    }
    const options = { codec: this.codec, nodes: this.#nodes, transfers: this.#transfers };
    let rebuilt: Uint8Array[] | undefined;
    const moved: ShardLocation[] = [];
    for (const shard of moving) {
      let bytes = await fetchShard(options, shard);
      if (bytes === null) {
        rebuilt ??= await this.codec.reconstruct(await this.#fetchAll(location));
        if (rebuilt === undefined) {
          throw new ChunkReadError(
            location.chunkId,
            "too_few_shards",
            "cannot rebuild a shard to move",
          );
        }
        bytes = rebuilt[shard.index]!;
      }
      const placed = await this.#placeShard(
        location.chunkId,
        shard.index,
        bytes,
        undefined,
        targets,
      );
      if (placed === undefined) {
        throw new ChunkWriteError(
          location.chunkId,
          `could not move shard ${shard.index} off ${nodeId}`,
        );
      }
      moved.push(placed);
    }
    await this.#dropReplaced(location, staying, moved);
    return this.#location(location.chunkId, [...staying, ...moved], location);
  }

  /**
   * Removes every shard a put under `chunkId` may have stored, without its location (the
   * caller crashed before keeping it): each node is asked for every shard index.
   */
  async deleteById(chunkId: string): Promise<void> {
    const n = this.codec.dataShards + this.codec.parityShards;
    const shards: ShardLocation[] = [];
    for (const nodeId of this.#nodes.keys()) {
      for (let index = 0; index < n; index++) {
        shards.push({ index, nodeId, key: shardKey(chunkId, index) });
      }
    }
    await this.delete({
      chunkId,
      dataShards: this.codec.dataShards,
      parityShards: this.codec.parityShards,
      shards,
    });
  }

  /** Removes every shard of a chunk; already-missing shards are fine. Throws if a node refused. */
  async delete(location: ChunkLocation): Promise<void> {
    this.#repairQueue.delete(location.chunkId);
    const results = await Promise.allSettled(location.shards.map((shard) => {
      const node = this.#nodes.get(shard.nodeId);
      return node === undefined
        ? Promise.resolve()
        : this.#transfers.run(() => node.delete(shard.key));
    }));
    const failed = results.filter((result) => result.status === "rejected").length;
    if (failed > 0) {
      throw new Error(`Cannot delete chunk ${location.chunkId}: ${failed} nodes did not answer`);
    }
  }

  /** Writes a shard to `first`, or on failure to one spare node taken from `spares` (shared). */
  async #placeShard(
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
        await this.#transfers.run(() => node!.put(key, shard));
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

  /** Every listed shard fetched and checked, by index; null where missing or bad. */
  async #fetchAll(location: ChunkLocation): Promise<(Uint8Array | null)[]> {
    const fetched: (Uint8Array | null)[] = new Array(location.dataShards + location.parityShards)
      .fill(null);
    const options = { codec: this.codec, nodes: this.#nodes, transfers: this.#transfers };
    await Promise.all(location.shards.map(async (shard) => {
      fetched[shard.index] = await fetchShard(options, shard);
    }));
    return fetched;
  }

  async #rebuild(location: ChunkLocation, fetched: (Uint8Array | null)[]): Promise<ChunkLocation> {
    const all = await this.codec.reconstruct(fetched);
    if (all === undefined) {
      const good = fetched.filter((shard) => shard !== null).length;
      throw new ChunkReadError(
        location.chunkId,
        "too_few_shards",
        `${good} good shards, cannot rebuild`,
      );
    }
    const keep = location.shards.filter((shard) => fetched[shard.index] !== null);
    const busy = new Set(keep.map((shard) => shard.nodeId));
    const targets = shuffle(
      this.#placeable().filter((node) => !busy.has(node.id)),
      this.#random,
    );
    const rebuilt: ShardLocation[] = [];
    for (let index = 0; index < all.length; index++) {
      if (fetched[index] !== null) continue;
      const placed = await this.#placeShard(
        location.chunkId,
        index,
        all[index]!,
        undefined,
        targets,
      );
      if (placed !== undefined) rebuilt.push(placed);
    }
    await this.#dropReplaced(location, keep, rebuilt);
    const repaired = this.#location(location.chunkId, [...keep, ...rebuilt], location);
    if (repaired.shards.length < all.length) this.#repairQueue.set(location.chunkId, repaired);
    else this.#repairQueue.delete(location.chunkId);
    return repaired;
  }

  /**
   * Best-effort removal of bad shards that were replaced elsewhere. A shard rebuilt on the
   * node that held it went to the same key (shardKey) and overwrote it: that one stays.
   */
  async #dropReplaced(
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
      replaced.map((shard) => {
        const node = this.#nodes.get(shard.nodeId);
        return node?.delete(shard.key);
      }),
    );
  }

  #location(chunkId: string, shards: ShardLocation[], like?: ChunkLocation): ChunkLocation {
    return {
      chunkId,
      dataShards: like?.dataShards ?? this.codec.dataShards,
      parityShards: like?.parityShards ?? this.codec.parityShards,
      shards: [...shards].sort((a, b) => a.index - b.index),
    };
  }
}

const CHUNK_ID_PATTERN = /^[0-9a-f]{32}$/;

/** The key of shard `index` of a chunk: readable, and unique per chunk and index. */
export function shardKey(chunkId: string, index: number): string {
  return `${chunkId}.${index}`;
}

function newChunkId(random: () => number): string {
  const bytes = new Uint8Array(16);
  if (random === Math.random) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
