/**
 * A seeded fault-injecting wrapper around a shard node, for tests: it can be
 * down (every call fails), drop writes (acknowledge but keep nothing), delay
 * replies, flip a bit in what it returns, refuse writes as full, or
 * disconnect (fail a given fraction of calls). The same seed gives the same
 * faults, so a failing run can be replayed.
 */
import { seededRandom } from "../../lib/seeded_random.ts";
import type { ShardNode } from "./shard_node.ts";

export interface FaultPlan {
  /** Every call fails as if the node were unreachable. */
  down?: boolean;
  /** Writes are acknowledged but not stored. */
  dropWrites?: boolean;
  /** Replies wait this long. */
  delayMs?: number;
  /** Shards read back have one random bit flipped. */
  flipBits?: boolean;
  /** Writes fail with "No space left on this namespace". */
  full?: boolean;
  /** Fraction (0..1) of calls that fail as a lost connection. */
  disconnectRate?: number;
}

export class NodeUnavailableError extends Error {
  constructor(nodeId: string, what: string) {
    super(`Cannot reach node ${nodeId}: ${what}`);
    this.name = "NodeUnavailableError";
  }
}

export { seededRandom };

export class FaultyNode implements ShardNode {
  readonly id: string;
  plan: FaultPlan = {};
  readonly #inner: ShardNode;
  readonly #random: () => number;

  constructor(inner: ShardNode, seed: number) {
    this.id = inner.id;
    this.#inner = inner;
    this.#random = seededRandom(seed);
  }

  async put(key: string, shard: Uint8Array): Promise<void> {
    await this.#before("put");
    if (this.plan.full) {
      throw new Error(`Cannot store shard on node ${this.id}: No space left on this namespace`);
    }
    if (this.plan.dropWrites) return;
    await this.#inner.put(key, shard);
  }

  async get(key: string): Promise<Uint8Array | null> {
    await this.#before("get");
    const shard = await this.#inner.get(key);
    if (shard === null || !this.plan.flipBits || shard.length === 0) return shard;
    const flipped = shard.slice();
    const bit = Math.floor(this.#random() * flipped.length * 8);
    flipped[bit >>> 3]! ^= 1 << (bit & 7);
    return flipped;
  }

  async delete(key: string): Promise<void> {
    await this.#before("delete");
    await this.#inner.delete(key);
  }

  async #before(operation: string): Promise<void> {
    if (this.plan.delayMs) await new Promise((resolve) => setTimeout(resolve, this.plan.delayMs));
    if (this.plan.down) {
      throw new NodeUnavailableError(this.id, `${operation} failed, node is down`);
    }
    if (this.plan.disconnectRate && this.#random() < this.plan.disconnectRate) {
      throw new NodeUnavailableError(this.id, `${operation} failed, connection lost`);
    }
  }
}
