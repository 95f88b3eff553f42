/**
 * Reading a chunk: ask for k shards (data shards first, so a healthy read
 * needs no decoding math), and ask one more node each time a shard fails its
 * check, a node errors, or the hedge delay passes without enough shards.
 * The first k good shards win; slow or dead nodes are simply not waited for.
 */
import type { Semaphore } from "./semaphore.ts";
import type { ShardNode } from "./shard_node.ts";
import {
  type ChunkCodec,
  type ChunkLocation,
  ChunkReadError,
  type ShardLocation,
} from "./types.ts";

export interface ReadOptions {
  codec: ChunkCodec;
  nodes: ReadonlyMap<string, ShardNode>;
  transfers: Semaphore;
  hedgeDelayMs: number;
  /**
   * Called once for a chunk read back whole although a node that answered had lost or
   * rotted one of its shards (read repair: the store queues the chunk for rebuilding). A
   * node that does not answer is not damage: it may be back in a minute with its shards.
   */
  onDamaged?: (location: ChunkLocation) => void;
}

/**
 * Fetches and checks one shard; null when it is missing, unreachable or corrupt. `onLost`
 * hears of the shards a node answered for without a good one (missing or corrupt).
 */
export async function fetchShard(
  options: Pick<ReadOptions, "codec" | "nodes" | "transfers">,
  shard: ShardLocation,
  onLost?: () => void,
): Promise<Uint8Array | null> {
  const node = options.nodes.get(shard.nodeId);
  if (node === undefined) return null;
  let bytes: Uint8Array | null;
  try {
    bytes = await options.transfers.run(() => node.get(shard.key));
  } catch {
    return null;
  }
  const check = bytes === null ? null : await options.codec.checkShard(bytes);
  if (check?.ok && check.index === shard.index) return bytes;
  onLost?.();
  return null;
}

export function readChunk(options: ReadOptions, location: ChunkLocation): Promise<Uint8Array> {
  const k = location.dataShards;
  const order = [...location.shards].sort((a, b) => a.index - b.index);
  const good: (Uint8Array | null)[] = new Array(location.dataShards + location.parityShards).fill(
    null,
  );
  let goodCount = 0;
  let next = 0;
  let pending = 0;
  let failures = 0;
  let damaged = false;
  let settled = false;
  return new Promise<Uint8Array>((resolve, reject) => {
    let hedgeTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(hedgeTimer);
      outcome();
    };
    const armHedge = () => {
      clearTimeout(hedgeTimer);
      hedgeTimer = setTimeout(() => {
        if (settled || next >= order.length) return;
        launch();
        armHedge();
      }, options.hedgeDelayMs);
    };
    const tryDecode = async () => {
      // Every shard in `good` passed checkShard in fetchShard.
      const result = await options.codec.decode(good, { shardsChecked: true });
      if (result.ok) {
        if (damaged) options.onDamaged?.(location);
        return finish(() => resolve(result.data));
      }
      // A shard passed its own check but the whole did not: fetch the rest, or give up.
      if (next < order.length || pending > 0) {
        while (next < order.length) launch();
        return;
      }
      finish(() =>
        reject(new ChunkReadError(location.chunkId, result.reason, `${goodCount} good shards`))
      );
    };
    const onShard = (shard: ShardLocation, bytes: Uint8Array | null) => {
      pending--;
      if (settled) return;
      if (bytes !== null && good[shard.index] === null) {
        good[shard.index] = bytes;
        goodCount++;
      } else if (bytes === null) {
        failures++;
        if (next < order.length) launch();
      }
      if (goodCount >= k && (pending === 0 || goodCount === k)) return void tryDecode();
      if (pending === 0 && next >= order.length) {
        const detail = `${goodCount} of ${k} needed shards good, ${failures} missing or corrupt`;
        finish(() => reject(new ChunkReadError(location.chunkId, "too_few_shards", detail)));
      }
    };
    const launch = () => {
      const shard = order[next++]!;
      pending++;
      void fetchShard(options, shard, () => damaged = true).then((bytes) => onShard(shard, bytes));
    };
    if (order.length < k) {
      const detail = `only ${order.length} shards were ever stored`;
      return finish(() => reject(new ChunkReadError(location.chunkId, "too_few_shards", detail)));
    }
    while (next < k) launch();
    armHedge();
  });
}
