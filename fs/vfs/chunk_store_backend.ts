/**
 * {@link ChunkStoreBackend}: file data on storage nodes. Each vfs chunk is
 * one chunk-store chunk (compressed, encrypted, erasure-coded over k + m
 * nodes); its ref in the chunk map is the chunk's location, so a read goes
 * straight to the nodes that hold its shards.
 *
 * Ref format (version 1), JSON: {"v":1,"c":"<32 hex chunk id>","k":4,"m":2,
 * "l":<plain bytes>,"s":[<node id of shard 0 or null>, ...]}. Shard keys
 * derive from the chunk id (fs/chunk shardKey), so only node ids are kept.
 *
 * Durability: a put returns once the write policy's shards (default k + 1)
 * are acknowledged by nodes that persist before acknowledging, so sync has
 * nothing left to wait for.
 *
 * @module
 */
import type { ChunkLocation, ChunkStore } from "../chunk/mod.ts";
import { ChunkReadError, ChunkWriteError, shardKey } from "../chunk/mod.ts";
import { EIO, ENOENT, FsError } from "../errno.ts";
import type { Logger } from "../../lib/log.ts";
import { type ChunkBackend, type ChunkBackendUsage, newChunkRef } from "./chunk_backend.ts";

const REF_VERSION = 1;
const BARE_ID = /^[0-9a-f]{32}$/;

interface EncodedRef {
  v: number;
  c: string;
  k: number;
  m: number;
  l: number;
  s: (string | null)[];
}

export function encodeChunkRef(location: ChunkLocation, plainBytes: number): string {
  const nodes: (string | null)[] = new Array(location.dataShards + location.parityShards).fill(
    null,
  );
  for (const shard of location.shards) nodes[shard.index] = shard.nodeId;
  const ref: EncodedRef = {
    v: REF_VERSION,
    c: location.chunkId,
    k: location.dataShards,
    m: location.parityShards,
    l: plainBytes,
    s: nodes,
  };
  return JSON.stringify(ref);
}

export function decodeChunkRef(ref: string): { location: ChunkLocation; plainBytes: number } {
  let parsed: EncodedRef;
  try {
    parsed = JSON.parse(ref) as EncodedRef;
  } catch {
    throw new FsError(
      EIO,
      `Cannot read chunk: its ref is not a chunk location (${ref.slice(0, 40)})`,
    );
  }
  if (parsed.v !== REF_VERSION || !BARE_ID.test(parsed.c) || !Array.isArray(parsed.s)) {
    throw new FsError(EIO, `Cannot read chunk: unsupported chunk ref ${ref.slice(0, 40)}`);
  }
  const shards = parsed.s.flatMap((nodeId, index) =>
    nodeId === null ? [] : [{ index, nodeId, key: shardKey(parsed.c, index) }]
  );
  const location = { chunkId: parsed.c, dataShards: parsed.k, parityShards: parsed.m, shards };
  return { location, plainBytes: parsed.l };
}

export interface ChunkStoreBackendOptions {
  /** What statfs reports as capacity (usable bytes of the pool). */
  capacityBytes: number;
  /**
   * Hold deletes until {@link ChunkStoreBackend.releaseDeferredDeletes}: with metadata
   * replication, a chunk may go only once the change that unmapped it is durable on the
   * nodes, or a recovery could find metadata pointing at a deleted chunk. A crash forgets
   * the held deletes: the chunks leak, nothing is lost.
   * @default false
   */
  deferDeletes?: boolean;
  logger?: Logger;
}

export class ChunkStoreBackend implements ChunkBackend {
  readonly #store: ChunkStore;
  readonly #capacityBytes: number;
  readonly #logger: Logger | undefined;
  readonly #deferDeletes: boolean;
  #deferred: string[] = [];
  #usedBytes = 0;

  constructor(store: ChunkStore, options: ChunkStoreBackendOptions) {
    this.#store = store;
    this.#capacityBytes = options.capacityBytes;
    this.#logger = options.logger;
    this.#deferDeletes = options.deferDeletes ?? false;
  }

  async put(data: Uint8Array, chunkRef: string = newChunkRef()): Promise<string> {
    try {
      const location = await this.#store.put(data, { chunkId: chunkRef });
      this.#usedBytes += data.length;
      return encodeChunkRef(location, data.length);
    } catch (error) {
      if (!(error instanceof ChunkWriteError)) throw error;
      this.#logger?.error("chunk write failed", { chunk: chunkRef, reason: error.message });
      throw new FsError(EIO, error.message);
    }
  }

  async get(chunkRef: string): Promise<Uint8Array> {
    if (BARE_ID.test(chunkRef)) {
      throw new FsError(ENOENT, `Cannot read chunk ${chunkRef}: no location`);
    }
    const { location } = decodeChunkRef(chunkRef);
    try {
      return await this.#store.get(location);
    } catch (error) {
      if (!(error instanceof ChunkReadError)) throw error;
      // EIO to the application, the reason in the log: never wrong bytes.
      this.#logger?.error("chunk read failed", { chunk: location.chunkId, reason: error.message });
      throw new FsError(EIO, error.message);
    }
  }

  async delete(chunkRef: string): Promise<void> {
    if (this.#deferDeletes) {
      this.#deferred.push(chunkRef);
      return;
    }
    await this.#deleteNow(chunkRef);
  }

  /** Deletes the chunks whose deletes were held; call once their unmapping is durable. */
  async releaseDeferredDeletes(): Promise<void> {
    const refs = this.#deferred;
    this.#deferred = [];
    for (const ref of refs) {
      try {
        await this.#deleteNow(ref);
      } catch (error) {
        // A node that does not answer keeps a stray shard; scrub can find it later.
        this.#logger?.warn("chunk delete failed", { error: String(error) });
      }
    }
  }

  async #deleteNow(chunkRef: string): Promise<void> {
    if (BARE_ID.test(chunkRef)) {
      await this.#store.deleteById(chunkRef);
      return;
    }
    const { location, plainBytes } = decodeChunkRef(chunkRef);
    await this.#store.delete(location);
    this.#usedBytes = Math.max(0, this.#usedBytes - plainBytes);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  usage(): ChunkBackendUsage {
    return { usedBytes: this.#usedBytes, capacityBytes: this.#capacityBytes };
  }
}
