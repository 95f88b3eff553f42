/**
 * Rebuilding lost shards for repair: from any k good shards of one encoding,
 * the missing ones are recomputed and sealed exactly as encodeChunk made them
 * (same header, payload and trailer), so they sit beside the surviving shards
 * as if nothing had been lost. Pure: no I/O.
 */
import { reconstructShards } from "./erasure.ts";
import {
  FORMAT_VERSION,
  readShardHeader,
  sealShard,
  SHARD_HEADER_BYTES,
  SHARD_OVERHEAD_BYTES,
  shardHashOk,
  shardHashOkOffThread,
  type ShardHeader,
  shardPayload,
  writeShardHeader,
} from "./frame.ts";

export type ShardCheck = { ok: true; header: ShardHeader } | { ok: false; reason: string };

/** Checks one shard alone: its trailer hash, format version and geometry. */
export function checkShard(
  shard: Uint8Array,
  dataShards: number,
  parityShards: number,
): ShardCheck {
  const header = readShardHeader(shard);
  if (header === null) return { ok: false, reason: "too short to be a shard" };
  if (!shardHashOk(shard)) return { ok: false, reason: "hash mismatch" };
  return checkShardHeader(header, dataShards, parityShards);
}

/**
 * {@link checkShard}, hashing a long shard on a worker thread: what a reader uses as shards
 * arrive, so the JS thread goes on serving while they are checked.
 */
export async function checkShardOffThread(
  shard: Uint8Array,
  dataShards: number,
  parityShards: number,
): Promise<ShardCheck> {
  const header = readShardHeader(shard);
  if (header === null) return { ok: false, reason: "too short to be a shard" };
  if (!(await shardHashOkOffThread(shard))) return { ok: false, reason: "hash mismatch" };
  return checkShardHeader(header, dataShards, parityShards);
}

function checkShardHeader(
  header: ShardHeader,
  dataShards: number,
  parityShards: number,
): ShardCheck {
  if (header.version !== FORMAT_VERSION) return { ok: false, reason: `format ${header.version}` };
  if (header.dataShards !== dataShards || header.parityShards !== parityShards) {
    return { ok: false, reason: `geometry ${header.dataShards}+${header.parityShards}` };
  }
  return { ok: true, header };
}

function tagOf(header: ShardHeader): string {
  return Array.from(header.chunkTag, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Returns all n shards of the encoding most of the good shards belong to,
 * rebuilding the missing, corrupt or foreign ones; undefined with fewer than
 * k good shards of one encoding.
 */
export function rebuildShards(
  shards: readonly (Uint8Array | null)[],
  dataShards: number,
  parityShards: number,
): Uint8Array[] | undefined {
  const checked = shards.map((shard, index) => {
    if (shard === null) return null;
    const check = checkShard(shard, dataShards, parityShards);
    return check.ok && check.header.index === index ? { shard, header: check.header } : null;
  });
  const tags = new Map<string, number>();
  for (const item of checked) {
    if (item) tags.set(tagOf(item.header), (tags.get(tagOf(item.header)) ?? 0) + 1);
  }
  const [tag] = [...tags.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  const good = checked.map((item) => (item && tagOf(item.header) === tag ? item : null));
  const model = good.find((item) => item !== null);
  if (model === undefined) return undefined;
  const payloads = good.map((item) => (item === null ? null : shardPayload(item.shard)));
  const rebuilt = reconstructShards(payloads, dataShards);
  if (!rebuilt.ok) return undefined;
  return rebuilt.shards.map((payload, index) => {
    const kept = good[index];
    if (kept) return kept.shard;
    const shard = new Uint8Array(SHARD_OVERHEAD_BYTES + payload.length);
    writeShardHeader(shard, { ...model.header, index });
    shard.set(payload, SHARD_HEADER_BYTES);
    sealShard(shard);
    return shard;
  });
}
