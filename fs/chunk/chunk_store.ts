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
import { readChunk } from "./chunk_reader.ts";
import { ShardBuffers } from "./shard_buffers.ts";
import { shardKey, ShardPlacement } from "./shard_placement.ts";
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
  readonly #placement: ShardPlacement;
  readonly #minAcknowledged: number;
  readonly #hedgeDelayMs: number;
  readonly #repairQueue = new Map<string, ChunkLocation>();
  readonly #buffers = new ShardBuffers();

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
    this.#placement = new ShardPlacement(
      options.codec,
      new Semaphore(options.transfersInFlightMax ?? 32),
      options.random ?? Math.random,
      options.logger,
    );
    this.#hedgeDelayMs = options.hedgeDelayMs ?? 200;
    for (const node of options.nodes) this.addNode(node);
  }

  get nodeIds(): string[] {
    return [...this.#placement.nodes.keys()];
  }

  addNode(node: ShardNode): void {
    this.#placement.add(node);
  }

  /** The node of `node.id`, reached another way now (its address changed). */
  replaceNode(node: ShardNode): void {
    this.#placement.replace(node);
  }

  /** Takes a node out of the pool; chunks with shards on it need repair to regain full redundancy. */
  removeNode(nodeId: string): void {
    this.#placement.remove(nodeId);
  }

  /**
   * Stops placing shards on a node that is about to leave, while its shards stay readable
   * (for {@link evacuate}).
   */
  drainNode(nodeId: string): void {
    this.#placement.drain(nodeId);
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
    const chunkId = options.chunkId ?? newChunkId(this.#placement.random);
    if (!CHUNK_ID_PATTERN.test(chunkId)) {
      throw new RangeError(`Cannot store chunk: bad id ${chunkId}`);
    }
    const buffer = this.#buffers.take(this.codec.encodedBytesMax(plaintext.length));
    const shards = await this.codec.encode(plaintext, buffer);
    const candidates = this.#placement.targets();
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
      return this.#placement.placeShard(chunkId, index, shard, candidates[index], spares, failed);
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
      nodes: this.#placement.nodes,
      transfers: this.#placement.transfers,
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
    const fetched = await this.#placement.fetchAll(location);
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
   * a node holding no shard of this chunk. Returns the new location. The old copies stay:
   * until the new location is durable where a recovery reads it, the old one must still work;
   * the caller drops them after that ({@link dropShards}), or the node goes with its data.
   */
  async evacuate(location: ChunkLocation, nodeId: string): Promise<ChunkLocation> {
    const moving = location.shards.filter((shard) => shard.nodeId === nodeId);
    if (moving.length === 0) return location;
    const staying = location.shards.filter((shard) => shard.nodeId !== nodeId);
    const targets = this.#placement.targets(
      new Set([nodeId, ...staying.map((shard) => shard.nodeId)]),
    );
    if (targets.length < moving.length) {
      throw new ChunkWriteError(location.chunkId, `no node free to take its shards off ${nodeId}`);
    }
    let rebuilt: Uint8Array[] | undefined;
    const moved: ShardLocation[] = [];
    for (const shard of moving) {
      let bytes = await this.#placement.fetchShard(shard);
      if (bytes === null) {
        rebuilt ??= await this.codec.reconstruct(await this.#placement.fetchAll(location));
        if (rebuilt === undefined) {
          throw new ChunkReadError(
            location.chunkId,
            "too_few_shards",
            "cannot rebuild a shard to move",
          );
        }
        bytes = rebuilt[shard.index]!;
      }
      const placed = await this.#placement.placeShard(
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
    return this.#location(location.chunkId, [...staying, ...moved], location);
  }

  /** Deletes these shards, best effort (copies left behind by {@link evacuate}). */
  async dropShards(shards: readonly ShardLocation[]): Promise<void> {
    const { nodes, transfers } = this.#placement;
    await Promise.allSettled(shards.map((shard) => {
      const node = nodes.get(shard.nodeId);
      return node === undefined ? Promise.resolve() : transfers.run(() => node.delete(shard.key));
    }));
  }

  /**
   * Removes every shard a put under `chunkId` may have stored, without its location (the
   * caller crashed before keeping it): each node is asked for every shard index.
   */
  async deleteById(chunkId: string): Promise<void> {
    const n = this.codec.dataShards + this.codec.parityShards;
    const shards: ShardLocation[] = [];
    for (const nodeId of this.#placement.nodes.keys()) {
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
    const { nodes, transfers } = this.#placement;
    const results = await Promise.allSettled(location.shards.map((shard) => {
      const node = nodes.get(shard.nodeId);
      return node === undefined ? Promise.resolve() : transfers.run(() => node.delete(shard.key));
    }));
    const failed = results.filter((result) => result.status === "rejected").length;
    if (failed > 0) {
      throw new Error(`Cannot delete chunk ${location.chunkId}: ${failed} nodes did not answer`);
    }
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
    const targets = this.#placement.targets(new Set(keep.map((shard) => shard.nodeId)));
    const rebuilt: ShardLocation[] = [];
    for (let index = 0; index < all.length; index++) {
      if (fetched[index] !== null) continue;
      const placed = await this.#placement.placeShard(
        location.chunkId,
        index,
        all[index]!,
        undefined,
        targets,
      );
      if (placed !== undefined) rebuilt.push(placed);
    }
    await this.#placement.dropReplaced(location, keep, rebuilt);
    const repaired = this.#location(location.chunkId, [...keep, ...rebuilt], location);
    if (repaired.shards.length < all.length) this.#repairQueue.set(location.chunkId, repaired);
    else this.#repairQueue.delete(location.chunkId);
    return repaired;
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

function newChunkId(random: () => number): string {
  const bytes = new Uint8Array(16);
  if (random === Math.random) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
