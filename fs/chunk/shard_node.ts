/**
 * A storage node as the chunk store sees it: a place that keeps shards under
 * keys. The real one is a ZDB namespace in user-key mode; tests wrap it in a
 * fault-injecting node (faulty_node.ts).
 */
import type { ZdbClient } from "../zdb/mod.ts";

export interface ShardNode {
  /** Stable id, recorded in chunk locations. */
  readonly id: string;
  put(key: string, shard: Uint8Array): Promise<void>;
  /** The stored shard, or null when the node does not have it. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes a shard; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
}

/** A ZDB namespace (user-key mode) holding shards. */
export class ZdbShardNode implements ShardNode {
  readonly id: string;
  readonly #client: ZdbClient;

  constructor(id: string, client: ZdbClient) {
    this.id = id;
    this.#client = client;
  }

  async put(key: string, shard: Uint8Array): Promise<void> {
    // A nil reply means the node already holds exactly these bytes: success too.
    await this.#client.set(key, shard);
  }

  get(key: string): Promise<Uint8Array | null> {
    return this.#client.get(key);
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(key);
  }
}
