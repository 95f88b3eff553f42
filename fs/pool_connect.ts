/**
 * The connections of a pool-backed filesystem: a ZDB client per storage node,
 * the chunk stores over them (file data and metadata, each with its own key)
 * and the superblock store; nodes can be added while open.
 *
 * @module
 */
import { ChunkStore, createChunkCodec, type ShardNode, ZdbShardNode } from "./chunk/mod.ts";
import type { FsLogger } from "./filesystem.ts";
import { checkPoolGeometry, type PoolNodeAddress, type PoolOptions } from "./pool.ts";
import { SuperblockStore } from "./vfs/mod.ts";
import { ZdbClient } from "./zdb/mod.ts";
import type { Logger } from "../lib/log.ts";

const NODE_TIMEOUT_MS_DEFAULT = 5000;

/** The pool's connections and the stores over them. */
export interface PoolParts {
  clients: ZdbClient[];
  nodes: ShardNode[];
  data: ChunkStore;
  metadata: ChunkStore;
  superblocks: SuperblockStore;
  /** Takes a node out of the set the superblock is written to. */
  dropSuperblockNode(nodeId: string): void;
  /** The ids of nodes that answer but hold no superblock (emptied ones). */
  nodesWithoutSuperblock(): Promise<string[]>;
  /** Adds a node to the pool: new chunks, metadata and superblocks use it too. */
  addNode(address: PoolNodeAddress): void;
  /** Reconnects a node of the pool at its new address; false when it is already there. */
  moveNode(address: PoolNodeAddress): boolean;
  close(): void;
}

export function connectPool(pool: PoolOptions, logger: FsLogger): PoolParts {
  checkPoolGeometry(pool);
  const timeoutMs = pool.nodeTimeoutMs ?? NODE_TIMEOUT_MS_DEFAULT;
  const clients: ZdbClient[] = [];
  const addresses = new Map<string, string>();
  const addressOf = (node: PoolNodeAddress) => `${node.host}:${node.port}/${node.namespace}`;
  const connect = (node: PoolNodeAddress): ShardNode => {
    addresses.set(node.id, addressOf(node));
    const client = new ZdbClient({
      address: { hostname: node.host, port: node.port },
      namespace: node.namespace,
      password: node.password,
      commandTimeoutMs: timeoutMs,
      connectTimeoutMs: timeoutMs,
      // A node that is down must not hold every write for seconds: the chunk store places
      // the shard elsewhere, and the upload queue retries later.
      reconnectAttemptsMax: 2,
    });
    clients.push(client);
    return new ZdbShardNode(node.id, client);
  };
  const nodes = pool.nodes.map(connect);
  const geometry = { dataShards: pool.dataShards, parityShards: pool.parityShards };
  const storeOf = (masterKey: Uint8Array) =>
    new ChunkStore({
      codec: createChunkCodec({ masterKey, ...geometry }),
      nodes,
      minAcknowledgedShards: pool.writeShardsMin,
      // Eight uploads of k + m shards each at once (write_back_backend.ts), and reads beside.
      transfersInFlightMax: 96,
      logger: logger as Logger,
    });
  let superblockNodes = nodes;
  const superblocks = new SuperblockStore({
    nodes: () => superblockNodes,
    key: pool.keys.superblockName,
    cipherKey: pool.keys.superblockKey,
    quorum: Math.min(nodes.length, pool.dataShards + 1),
  });
  const data = storeOf(pool.keys.dataKey);
  const metadata = storeOf(pool.keys.metadataKey);
  return {
    clients,
    nodes,
    data,
    metadata,
    superblocks,
    dropSuperblockNode(nodeId) {
      superblockNodes = superblockNodes.filter((node) => node.id !== nodeId);
    },
    async nodesWithoutSuperblock() {
      const asked = superblockNodes;
      const found = await Promise.allSettled(
        asked.map((node) => node.get(pool.keys.superblockName)),
      );
      // A node that does not answer is down, not empty: nothing can be written to it now.
      return asked.filter((_, i) => {
        const result = found[i]!;
        return result.status === "fulfilled" && result.value === null;
      }).map((node) => node.id);
    },
    addNode(address) {
      if (superblockNodes.some((node) => node.id === address.id)) {
        throw new Error(`Cannot add node ${address.id}: it is in the pool already`);
      }
      const node = connect(address);
      data.addNode(node);
      metadata.addNode(node);
      superblockNodes = [...superblockNodes, node];
    },
    moveNode(address) {
      const known = addresses.get(address.id);
      if (known === undefined) throw new Error(`Cannot move node ${address.id}: not in the pool`);
      if (known === addressOf(address)) return false;
      // The old client's requests under way fail and are retried like any node error.
      const node = connect(address);
      data.replaceNode(node);
      metadata.replaceNode(node);
      superblockNodes = superblockNodes.map((old) => old.id === node.id ? node : old);
      return true;
    },
    close: () => clients.forEach((client) => client.close()),
  };
}
