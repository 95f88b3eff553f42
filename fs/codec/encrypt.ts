/**
 * Authenticated encryption of chunk frames: AES-256-GCM with a key derived from the
 * caller's master key by HKDF-SHA256, the purpose named in HKDF's info string.
 *
 * Nonces are 96 random bits per chunk (crypto.getRandomValues), not a counter. The same
 * master key encrypts on several machines and across crashes and restores; a counter would
 * need durable state shared by all of them, and one lost update repeats a nonce, which in
 * GCM leaks the XOR of two plaintexts and the authentication key. Random nonces need no
 * state; NIST SP 800-38D bounds them at 2^32 messages per key (collision chance < 2^-32),
 * that is 4 PiB of 1 MiB chunks per derived key.
 *
 * Two engines give the same bytes: libcrypto.so.3 over FFI (~4.4 GB/s here; needs
 * --allow-ffi) and WebCrypto (~0.2 GB/s, everywhere). The engine is chosen at run time;
 * a test checks that each reads what the other writes and rejects the same tampering.
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { LibcryptoGcm } from "./_libcrypto.ts";

export const CIPHER_AES_256_GCM = 1;
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** The HKDF info of the chunk key; a new purpose gets a new string, never a reused one. */
export const CHUNK_KEY_INFO = "qsfs codec v1: chunk frames, AES-256-GCM";

export type CipherEngine = "libcrypto" | "webcrypto";

/** HKDF-SHA256 of `masterKey` (at least 16 bytes) with an empty salt: 32 bytes. */
export async function deriveKey(masterKey: Uint8Array, info: string): Promise<Uint8Array> {
  assert(masterKey.length >= 16, "the master key must have at least 16 bytes");
  const base = await crypto.subtle.importKey("raw", masterKey as BufferSource, "HKDF", false, [
    "deriveBits",
  ]);
  const parameters = {
    name: "HKDF",
    hash: "SHA-256",
    salt: new Uint8Array(0),
    info: new TextEncoder().encode(info),
  };
  return new Uint8Array(await crypto.subtle.deriveBits(parameters, base, KEY_BYTES * 8));
}

/** A fresh random nonce. */
export function randomNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
}

function totalLength(runs: readonly Uint8Array[]): number {
  return runs.reduce((sum, run) => sum + run.length, 0);
}

function join(runs: readonly Uint8Array[], extra: number): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(totalLength(runs) + extra);
  let at = 0;
  for (const run of runs) {
    joined.set(run, at);
    at += run.length;
  }
  return joined;
}

function scatter(source: Uint8Array, runs: readonly Uint8Array[]) {
  let at = 0;
  for (const run of runs) {
    run.set(source.subarray(at, at + run.length));
    at += run.length;
  }
}

/**
 * AES-256-GCM under one derived key. Plaintext and ciphertext are "runs": one logical byte
 * stream given as several arrays, so a frame spread over shards is never joined first.
 */
export class ChunkCipher {
  readonly engine: CipherEngine;
  #native: LibcryptoGcm | null;
  #webKey: CryptoKey;

  private constructor(engine: CipherEngine, native: LibcryptoGcm | null, webKey: CryptoKey) {
    this.engine = engine;
    this.#native = native;
    this.#webKey = webKey;
  }

  /**
   * The cipher for `masterKey` and `info`, on `engine` (default: libcrypto when it loads,
   * else WebCrypto). Asking for libcrypto where it cannot load is an error.
   */
  static async create(
    masterKey: Uint8Array,
    options: { info?: string; engine?: CipherEngine } = {},
  ): Promise<ChunkCipher> {
    const key = await deriveKey(masterKey, options.info ?? CHUNK_KEY_INFO);
    const webKey = await crypto.subtle.importKey("raw", key as BufferSource, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    const native = options.engine === "webcrypto" ? null : LibcryptoGcm.create(key);
    key.fill(0);
    if (options.engine === "libcrypto" && native === null) {
      throw new Error("Cannot load libcrypto.so.3 for AES-256-GCM (is --allow-ffi given?)");
    }
    return new ChunkCipher(native === null ? "webcrypto" : "libcrypto", native, webKey);
  }

  /** Encrypts the `plain` runs into the `cipher` runs (same total length); writes the tag. */
  async seal(
    nonce: Uint8Array,
    aad: Uint8Array,
    plain: readonly Uint8Array[],
    cipher: readonly Uint8Array[],
    tag: Uint8Array,
  ): Promise<void> {
    assert(nonce.length === NONCE_BYTES, "the nonce must have 12 bytes");
    assert(tag.length === TAG_BYTES, "the tag must have 16 bytes");
    assert(totalLength(plain) === totalLength(cipher), "plain and cipher runs must match");
    if (this.#native !== null) return this.#native.seal(nonce, aad, plain, cipher, tag);
    const parameters = { name: "AES-GCM", iv: nonce as BufferSource, additionalData: aad };
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(parameters as AesGcmParams, this.#webKey, join(plain, 0)),
    );
    scatter(sealed, [...cipher, tag]);
  }

  /**
   * Decrypts the `cipher` runs into the `plain` runs (same total length); false, with the
   * `plain` runs zeroed, when the tag does not verify.
   */
  async open(
    nonce: Uint8Array,
    aad: Uint8Array,
    cipher: readonly Uint8Array[],
    tag: Uint8Array,
    plain: readonly Uint8Array[],
  ): Promise<boolean> {
    assert(nonce.length === NONCE_BYTES, "the nonce must have 12 bytes");
    assert(tag.length === TAG_BYTES, "the tag must have 16 bytes");
    const length = totalLength(cipher);
    assert(length === totalLength(plain), "cipher and plain runs must match");
    let ok: boolean;
    if (this.#native !== null) {
      ok = await this.#native.open(nonce, aad, cipher, tag, plain);
    } else {
      const sealed = join(cipher, TAG_BYTES);
      sealed.set(tag, length);
      const parameters = { name: "AES-GCM", iv: nonce as BufferSource, additionalData: aad };
      try {
        const opened = await crypto.subtle.decrypt(
          parameters as AesGcmParams,
          this.#webKey,
          sealed,
        );
        scatter(new Uint8Array(opened), plain);
        ok = true;
      } catch {
        ok = false; // OperationError: the tag does not verify.
      }
    }
    if (!ok) { for (const run of plain) run.fill(0); }
    return ok;
  }
}

const ciphers = new WeakMap<
  Uint8Array,
  { snapshot: Uint8Array; byEngine: Map<string, Promise<ChunkCipher>> }
>();

/**
 * The chunk cipher of a master key, derived once per key array and engine (HKDF and key
 * import cost ~0.1 ms, more than encrypting 64 KiB). The key's bytes are compared on each
 * use, so a caller that refills an array with another key gets a new cipher.
 */
export function cipherFor(masterKey: Uint8Array, engine?: CipherEngine): Promise<ChunkCipher> {
  let entry = ciphers.get(masterKey);
  const same = entry !== undefined && entry.snapshot.length === masterKey.length &&
    entry.snapshot.every((byte, i) => byte === masterKey[i]);
  if (entry === undefined || !same) {
    entry = { snapshot: masterKey.slice(), byEngine: new Map() };
    ciphers.set(masterKey, entry);
  }
  const name = engine ?? "auto";
  let cipher = entry.byEngine.get(name);
  if (cipher === undefined) {
    cipher = ChunkCipher.create(masterKey, { engine });
    entry.byEngine.set(name, cipher);
  }
  return cipher;
}
