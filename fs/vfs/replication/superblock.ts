/**
 * The superblock: the small record, kept on every storage node under one key
 * derived from the user's secret, that says where the newest metadata
 * snapshot and log segments are. Encrypted (AES-256-GCM) and authenticated,
 * so a node can neither read nor forge it. Format in REPLICATION.md.
 */
import type { ShardNode } from "../../chunk/mod.ts";

export const SUPERBLOCK_VERSION = 1;
const MAGIC = new TextEncoder().encode("QSB1");
const NONCE_BYTES = 12;

export interface Superblock {
  v: number;
  /** Grows with every change of the superblock; the highest readable one wins. */
  seq: number;
  chunkSizeBytes: number;
  /** The snapshot: chunk refs of its pieces, in order, and its size. */
  snapshot: { bytes: number; pieces: string[] };
  /** Log segments written after the snapshot, oldest first (chunk refs). */
  segments: string[];
  writtenAtMs: number;
}

export interface SuperblockStoreOptions {
  /** The nodes to keep it on: all of the pool's. */
  nodes: () => ShardNode[];
  /** The ZDB key it is stored under. */
  key: string;
  /** 32 bytes. */
  cipherKey: Uint8Array;
  /** Nodes that must acknowledge a write. @default k + 1 of the pool, at most all nodes */
  quorum: number;
}

export class SuperblockStore {
  readonly #options: SuperblockStoreOptions;
  #key: Promise<CryptoKey>;

  constructor(options: SuperblockStoreOptions) {
    if (options.cipherKey.length !== 32) {
      throw new RangeError("Cannot use superblock key: need 32 bytes");
    }
    this.#options = options;
    this.#key = crypto.subtle.importKey(
      "raw",
      options.cipherKey as BufferSource,
      "AES-GCM",
      false,
      [
        "encrypt",
        "decrypt",
      ],
    );
  }

  /** Writes the superblock to every node; fails unless the quorum acknowledged it. */
  async write(superblock: Superblock): Promise<void> {
    const sealed = await this.#seal(superblock);
    const nodes = this.#options.nodes();
    const results = await Promise.allSettled(
      nodes.map((node) => node.put(this.#options.key, sealed)),
    );
    const acknowledged = results.filter((result) => result.status === "fulfilled").length;
    const needed = Math.min(this.#options.quorum, nodes.length);
    if (acknowledged < needed) {
      throw new Error(
        `Cannot store metadata superblock ${superblock.seq}: ${acknowledged} of ${nodes.length} nodes acknowledged, ${needed} needed`,
      );
    }
  }

  /** The newest superblock any node holds that decrypts, or undefined when none does. */
  async readLatest(): Promise<Superblock | undefined> {
    const nodes = this.#options.nodes();
    const found = await Promise.allSettled(nodes.map((node) => node.get(this.#options.key)));
    let latest: Superblock | undefined;
    for (const result of found) {
      if (result.status !== "fulfilled" || result.value === null) continue;
      const superblock = await this.#open(result.value);
      if (superblock !== undefined && (latest === undefined || superblock.seq > latest.seq)) {
        latest = superblock;
      }
    }
    return latest;
  }

  async #seal(superblock: Superblock): Promise<Uint8Array> {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const plain = new TextEncoder().encode(JSON.stringify(superblock));
    const cipher = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: nonce, additionalData: MAGIC },
        await this.#key,
        plain,
      ),
    );
    const sealed = new Uint8Array(MAGIC.length + NONCE_BYTES + cipher.length);
    sealed.set(MAGIC, 0);
    sealed.set(nonce, MAGIC.length);
    sealed.set(cipher, MAGIC.length + NONCE_BYTES);
    return sealed;
  }

  async #open(sealed: Uint8Array): Promise<Superblock | undefined> {
    if (sealed.length < MAGIC.length + NONCE_BYTES + 16) return undefined;
    if (!MAGIC.every((byte, i) => sealed[i] === byte)) return undefined;
    try {
      const nonce = sealed.slice(MAGIC.length, MAGIC.length + NONCE_BYTES) as Uint8Array<
        ArrayBuffer
      >;
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: nonce, additionalData: MAGIC },
        await this.#key,
        sealed.slice(MAGIC.length + NONCE_BYTES) as Uint8Array<ArrayBuffer>,
      );
      const superblock = JSON.parse(new TextDecoder().decode(plain)) as Superblock;
      return superblock.v === SUPERBLOCK_VERSION ? superblock : undefined;
    } catch {
      // Tampered with, another key, or not a superblock: not ours to use.
      return undefined;
    }
  }
}
