/**
 * The storage pool a filesystem keeps its data and metadata on: the storage
 * nodes (ZDB namespaces), the erasure-coding geometry and the keys, all
 * handed in by the caller (main.ts / cli derive the keys from the mnemonic
 * and find the nodes in the registry or on the grid). Without a pool, a
 * filesystem keeps its data on this machine only.
 *
 * @module
 */

/** How to reach one storage node. */
export interface PoolNodeAddress {
  /** Stable id of the node (its registry id); recorded in every chunk location. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** The 0-db namespace holding the shards (user-key mode). */
  readonly namespace: string;
  /** The namespace password; none for a public namespace. */
  readonly password?: string;
}

/** The keys a pool-backed filesystem needs; derived from the mnemonic. Secrets: never log. */
export interface PoolKeys {
  /** Master key of file data encryption (32 bytes). */
  readonly dataKey: Uint8Array;
  /** Master key of metadata (log segments, snapshots) encryption (32 bytes). */
  readonly metadataKey: Uint8Array;
  /** Encrypts the superblock (32 bytes). */
  readonly superblockKey: Uint8Array;
  /** The ZDB key the superblock is stored under on every node. */
  readonly superblockName: string;
}

export interface PoolOptions {
  readonly nodes: readonly PoolNodeAddress[];
  /** k: data shards per chunk (any k of the k + m shards rebuild it). */
  readonly dataShards: number;
  /** m: parity shards per chunk (m nodes may fail). */
  readonly parityShards: number;
  readonly keys: PoolKeys;
  /** Shards a write needs acknowledged; the rest are queued for repair. @default k + 1 */
  readonly writeShardsMin?: number;
  /** At most this much metadata can be lost with the machine (fsync loses none). @default 5000 */
  readonly metadataIntervalMs?: number;
  /** Usable bytes of the pool, what statfs reports as the size. @default 1 TiB */
  readonly capacityBytes?: number;
  /** How long to wait for a node to answer, ms. @default 5000 */
  readonly nodeTimeoutMs?: number;
}

/** The smallest pool: k + m nodes, each shard of a chunk on its own node. */
export function checkPoolGeometry(pool: PoolOptions): void {
  const { dataShards: k, parityShards: m } = pool;
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > 255) {
    throw new RangeError(
      `Cannot use a ${k}+${m} pool: k must be at least 1, m at least 0, k + m at most 255`,
    );
  }
  const ids = new Set(pool.nodes.map((node) => node.id));
  if (ids.size !== pool.nodes.length) {
    throw new RangeError("Cannot use the pool: two storage nodes have the same id");
  }
  if (ids.size < k + m) {
    throw new RangeError(
      `Cannot use a ${k}+${m} pool on ${ids.size} storage node(s): it needs at least ${k + m}, ` +
        "one for each shard of a chunk",
    );
  }
}
