/**
 * Scrubbing a pool: every shard of every located chunk is fetched and checked
 * against its hash; missing and corrupt ones are rebuilt from the others on
 * healthy nodes and the chunk locations rewritten. A chunk with fewer than k
 * good shards is reported, never dropped or rewritten: a node that is only
 * down may bring its shards back. The metadata's own chunks and every node's
 * superblock are checked too, and after any repair the metadata is shipped
 * again as a fresh snapshot, so a node that came back empty holds its part of
 * everything again.
 *
 * @module
 */
import { ChunkReadError, type ChunkStore } from "./chunk/mod.ts";
import { FsError } from "./errno.ts";
import { decodeChunkRef, encodeChunkRef } from "./vfs/chunk_store_backend.ts";
import type { MetadataReplicator, MetaStore } from "./vfs/mod.ts";

/** A chunk of file data that could not be read: fewer than k of its shards are good. */
export interface UnreadableChunk {
  /** Its key in the chunk map (`chunk_locations.ref`). */
  ref: string;
  reason: string;
}

/** What a scrub found and did. */
export interface ScrubSummary {
  /** Chunks of file data with a location, all checked. */
  chunksChecked: number;
  /** Of those, chunks whose every shard was there and good. */
  chunksHealthy: number;
  /** Chunks that had missing or corrupt shards, rebuilt (their locations rewritten). */
  chunksRepaired: number;
  /** The shards rebuilt for them. */
  shardsRebuilt: number;
  /** Repaired chunks still short of k + m shards: no healthy node was free to take the rest. */
  chunksDegraded: number;
  /** Chunks that cannot be read now; their locations are left as they were. */
  chunksUnreadable: UnreadableChunk[];
  /** The file bytes the checked chunks hold. */
  bytesChecked: number;
  /** The metadata's own chunks on the nodes (snapshot pieces, log segments), checked. */
  metadataChunksChecked: number;
  /** Of those, chunks with missing or corrupt shards (replaced by the new snapshot). */
  metadataChunksBad: number;
  /** Nodes that answered without the superblock (emptied nodes): the new snapshot writes it. */
  superblocksMissing: string[];
  /** Whether the metadata was shipped again as a fresh snapshot. */
  metadataShipped: boolean;
  /** Why a snapshot that was due could not be shipped (too few nodes answer); else absent. */
  metadataShipError?: string;
}

export interface ScrubParts {
  store: MetaStore;
  replicator: MetadataReplicator;
  data: ChunkStore;
  metadata: ChunkStore;
  /** The ids of nodes that answer but hold no superblock. */
  nodesWithoutSuperblock(): Promise<string[]>;
}

/** Chunks scrubbed at once: each fetches k + m shards, so this bounds memory and node load. */
const CHUNKS_AT_ONCE = 4;
/** Rows read from the chunk map at a time. */
const PAGE_ROWS = 256;

/** Scrubs every located chunk of the pool, then the metadata. See the module comment. */
export async function scrubPool(parts: ScrubParts): Promise<ScrubSummary> {
  const summary: ScrubSummary = {
    chunksChecked: 0,
    chunksHealthy: 0,
    chunksRepaired: 0,
    shardsRebuilt: 0,
    chunksDegraded: 0,
    chunksUnreadable: [],
    bytesChecked: 0,
    metadataChunksChecked: 0,
    metadataChunksBad: 0,
    superblocksMissing: [],
    metadataShipped: false,
  };
  // The workers share one walk of the table; each takes the next row when it is free.
  const rows = locatedRows(parts.store);
  await Promise.all(Array.from({ length: CHUNKS_AT_ONCE }, async () => {
    for (let row = rows.next(); !row.done; row = rows.next()) {
      await scrubChunk(parts, row.value, summary);
    }
  }));
  await checkMetadata(parts, summary);
  summary.superblocksMissing = await parts.nodesWithoutSuperblock();
  const repaired = summary.chunksRepaired + summary.metadataChunksBad +
    summary.superblocksMissing.length;
  if (repaired > 0) {
    // The new locations, a whole copy of the metadata and the superblock, on every node.
    // With too few nodes up it cannot be stored; what was found is still worth reporting.
    try {
      await parts.replicator.snapshot();
      summary.metadataShipped = true;
    } catch (error) {
      summary.metadataShipError = error instanceof Error ? error.message : String(error);
    }
  }
  return summary;
}

function* locatedRows(store: MetaStore): Generator<{ ref: string; location: string }> {
  let afterRef = "";
  for (;;) {
    const page = store.locations.page(afterRef, PAGE_ROWS);
    yield* page;
    if (page.length < PAGE_ROWS) return;
    afterRef = page.at(-1)!.ref;
  }
}

async function scrubChunk(
  parts: ScrubParts,
  row: { ref: string; location: string },
  summary: ScrubSummary,
): Promise<void> {
  summary.chunksChecked++;
  let report;
  let plainBytes = 0;
  try {
    const decoded = decodeChunkRef(row.location);
    plainBytes = decoded.plainBytes;
    summary.bytesChecked += plainBytes;
    report = await parts.data.scrub(decoded.location);
  } catch (error) {
    if (!(error instanceof ChunkReadError || error instanceof FsError)) throw error;
    summary.chunksUnreadable.push({ ref: row.ref, reason: error.message });
    return;
  }
  if (report.badShards.length === 0) {
    summary.chunksHealthy++;
    return;
  }
  const { location } = report;
  summary.chunksRepaired++;
  summary.shardsRebuilt +=
    location.shards.filter((shard) => report.badShards.includes(shard.index)).length;
  if (location.shards.length < location.dataShards + location.parityShards) {
    summary.chunksDegraded++;
  }
  // Written only over the row it started from: a row deleted meanwhile stays deleted (its
  // shards go with the delete), and one a repair or a move rewrote meanwhile keeps theirs.
  const { store } = parts;
  store.transaction(() => {
    if (store.locations.get(row.ref) !== row.location) return;
    store.locations.set(row.ref, encodeChunkRef(location, plainBytes));
  });
}

/** Checks the chunks the current superblock names; bad ones are rebuilt and counted. */
async function checkMetadata(parts: ScrubParts, summary: ScrubSummary): Promise<void> {
  const { snapshot, segments } = parts.replicator.superblock;
  for (const ref of [...snapshot.pieces, ...segments]) {
    summary.metadataChunksChecked++;
    try {
      const report = await parts.metadata.scrub(decodeChunkRef(ref).location);
      if (report.badShards.length > 0) summary.metadataChunksBad++;
    } catch (error) {
      // The local store is the truth: the new snapshot replaces what cannot be read.
      if (!(error instanceof ChunkReadError || error instanceof FsError)) throw error;
      summary.metadataChunksBad++;
    }
  }
}
