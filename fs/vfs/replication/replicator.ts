/**
 * Metadata replication: the local SQLite store is a cache, the storage nodes
 * hold the truth. Every committed change is recorded by an SQLite session;
 * `flush` ships what changed as a log segment (one chunk through the chunk
 * store: compressed, encrypted, erasure-coded), then writes a new superblock
 * on every node. Every `intervalMs` (default 5 s, so at most that much
 * metadata can be lost with the machine) and on every fsync a flush runs;
 * after `segmentsPerSnapshotMax` segments a new snapshot replaces them.
 * Formats in REPLICATION.md.
 */
import type { ChunkStore } from "../../chunk/mod.ts";
import type { Logger } from "../../../lib/log.ts";
import { decodeChunkRef, encodeChunkRef } from "../chunk_store_backend.ts";
import type { MetaStore } from "../meta_store.ts";
import { encodeSegment } from "./segment.ts";
import { nextSeq, readReplicatedSeq, writeReplicatedSeq } from "./state_file.ts";
import { type Superblock, SUPERBLOCK_VERSION, type SuperblockStore } from "./superblock.ts";

/** Snapshot pieces stay well under ZDB's 8 MiB value limit once coded. */
export const SNAPSHOT_PIECE_BYTES = 4 * 1024 * 1024;

export interface ReplicatorOptions {
  store: MetaStore;
  chunks: ChunkStore;
  superblocks: SuperblockStore;
  /**
   * The state directory: snapshots are written there before they are shipped, and
   * replication.json records the last superblock made durable.
   */
  scratchDir: string;
  /** @default 5000 */
  intervalMs?: number;
  /** @default 64 */
  segmentsPerSnapshotMax?: number;
  /**
   * Runs in the same tick as the changes to ship are taken (no commit can fall between):
   * seals the chunk deletes whose unmapping those changes hold.
   */
  onTakeChanges?: () => void;
  /** Runs after each durable superblock: releases the chunk deletes sealed before it. */
  afterDurable?: () => Promise<void>;
  logger?: Logger;
}

type Session = { changeset(): Uint8Array; close(): void };

export class MetadataReplicator {
  readonly #options: ReplicatorOptions;
  #session: Session;
  #superblock: Superblock;
  /** Changesets taken from the session but not yet shipped (a node was down). */
  #unshipped: Uint8Array[] = [];
  #queue: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** A snapshot could not be shipped; the next flush ships one instead of a segment. */
  #snapshotDue = false;

  private constructor(options: ReplicatorOptions, superblock: Superblock, session: Session) {
    this.#options = options;
    this.#superblock = superblock;
    this.#session = session;
  }

  /**
   * Starts replicating: ships a fresh snapshot first (local changes a crash kept from
   * the nodes are in it), continuing the sequence of any superblock the nodes hold.
   */
  static async start(options: ReplicatorOptions): Promise<MetadataReplicator> {
    const previous = await options.superblocks.readLatest();
    const local = await readReplicatedSeq(options.scratchDir);
    if (previous !== undefined && (local === undefined || local < previous.seq)) {
      // Publishing this state would bury newer metadata under an older tree.
      throw new Error(
        `Cannot start metadata replication: the nodes hold metadata (superblock ${previous.seq}) ` +
          `newer than this state directory (${local ?? "never replicated"}); recover it first`,
      );
    }
    if (previous === undefined && local !== undefined) {
      throw new Error(
        `Cannot start metadata replication: this state replicated up to superblock ${local}, ` +
          "but no node holds a superblock readable with this key (nodes down, or another key)",
      );
    }
    const empty: Superblock = {
      v: SUPERBLOCK_VERSION,
      seq: previous?.seq ?? 0,
      chunkSizeBytes: options.store.chunkSizeBytes,
      snapshot: { bytes: 0, pieces: [] },
      segments: [],
      writtenAtMs: 0,
    };
    const replicator = new MetadataReplicator(
      options,
      previous ?? empty,
      options.store.createSession(),
    );
    await replicator.snapshot().catch((error) => {
      // Too few nodes answer to write (k + 1 are needed): the filesystem still opens, for
      // reading, and the snapshot is shipped by the first flush that gets through.
      replicator.#snapshotDue = true;
      options.logger?.warn("metadata snapshot not shipped; will retry", { error: String(error) });
    });
    const intervalMs = options.intervalMs ?? 5000;
    replicator.#timer = setInterval(() => {
      replicator.flush().catch((error) =>
        options.logger?.warn("metadata replication failed; will retry", { error: String(error) })
      );
    }, intervalMs);
    return replicator;
  }

  /** The superblock last made durable. */
  get superblock(): Superblock {
    return this.#superblock;
  }

  /** Ships every change committed so far; resolves once it is durable on the nodes. */
  flush(): Promise<void> {
    return this.#serialized(() => this.#flushOnce());
  }

  /** Replaces the log with a snapshot of the whole store. */
  snapshot(): Promise<void> {
    return this.#serialized(() => this.#snapshotOnce());
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    this.#session.close();
  }

  #serialized(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Takes what the session recorded and starts a new session, with no await in between. */
  #takeChanges(): Uint8Array {
    const changes = this.#session.changeset();
    this.#options.onTakeChanges?.();
    this.#session.close();
    this.#session = this.#options.store.createSession();
    return changes;
  }

  async #flushOnce(): Promise<void> {
    if (this.#snapshotDue) {
      await this.#snapshotOnce();
      this.#snapshotDue = false;
      return;
    }
    const changes = this.#takeChanges();
    if (changes.length > 0) this.#unshipped.push(changes);
    if (this.#unshipped.length === 0) return;
    const segments = [...this.#superblock.segments];
    let seq = this.#superblock.seq;
    while (this.#unshipped.length > 0) {
      const changeset = this.#unshipped[0]!;
      seq = nextSeq(seq);
      const location = await this.#options.chunks.put(encodeSegment(seq, changeset));
      segments.push(encodeChunkRef(location, changeset.length));
      this.#unshipped.shift();
    }
    await this.#publish({ ...this.#superblock, seq, segments, writtenAtMs: Date.now() });
    if (segments.length >= (this.#options.segmentsPerSnapshotMax ?? 64)) await this.#snapshotOnce();
  }

  async #snapshotOnce(): Promise<void> {
    try {
      await this.#shipSnapshot();
    } catch (error) {
      // The changes it took are no longer in the session or #unshipped: only a snapshot
      // that gets through ships them, so the next flush must be one.
      this.#snapshotDue = true;
      throw error;
    }
  }

  async #shipSnapshot(): Promise<void> {
    const path = `${this.#options.scratchDir}/snapshot-${crypto.randomUUID()}.sqlite`;
    // Both synchronous: no commit can fall between the snapshot and the new session.
    this.#takeChanges();
    this.#options.store.snapshotTo(path);
    this.#unshipped = [];
    try {
      const bytes = await Deno.readFile(path);
      const pieces: string[] = [];
      for (let at = 0; at < bytes.length; at += SNAPSHOT_PIECE_BYTES) {
        const piece = bytes.subarray(at, at + SNAPSHOT_PIECE_BYTES);
        pieces.push(encodeChunkRef(await this.#options.chunks.put(piece), piece.length));
      }
      const old = this.#superblock;
      await this.#publish({
        ...old,
        seq: nextSeq(old.seq),
        snapshot: { bytes: bytes.length, pieces },
        segments: [],
        writtenAtMs: Date.now(),
      });
      await this.#deleteChunks([...old.snapshot.pieces, ...old.segments]);
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }

  async #publish(superblock: Superblock): Promise<void> {
    // Recorded before it is written: a kill between the two must not leave the nodes with a
    // superblock newer than this state claims to know, or the next start would refuse it.
    await writeReplicatedSeq(this.#options.scratchDir, superblock.seq);
    await this.#options.superblocks.write(superblock);
    this.#superblock = superblock;
    await this.#options.afterDurable?.();
  }

  /** Old snapshot pieces and segments go only after the superblock no longer names them. */
  async #deleteChunks(refs: string[]): Promise<void> {
    for (const ref of refs) {
      await this.#options.chunks.delete(decodeChunkRef(ref).location).catch((error) =>
        this.#options.logger?.warn("could not delete an old metadata chunk", {
          error: String(error),
        })
      );
    }
  }
}
