/**
 * Sealing the identity's secrets for storage: AES-256-GCM (WebCrypto) under a
 * key from a passphrase (scrypt, random salt) or under a random local key.
 * The additional data binds everything stored beside the ciphertext (the
 * public identity included), so a changed address cannot go unnoticed when
 * the secrets are opened.
 *
 * @module
 */
import { scrypt } from "node:crypto";
import { fromBase64, toBase64 } from "./encoding.ts";
import { IdentityCorruptError, IdentityLockedError } from "./errors.ts";

/** scrypt cost: N = 2^17, r = 8, p = 1 (128 MiB, about 0.5 s here), as restic and age use. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const KEY_BYTES = 32;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** How the secrets are protected, as stored beside the ciphertext. */
export type SealHeader =
  | {
    cipher: "AES-256-GCM";
    protection: "passphrase";
    kdf: { name: "scrypt"; salt: string } & ScryptParams;
  }
  | { cipher: "AES-256-GCM"; protection: "local-key"; keyFile: string };

/** A sealed secret, as stored. */
export type SealedSecret = SealHeader & { nonce: string; ciphertext: string };

/** What a new seal is protected with: a passphrase, or a 32-byte local key. */
export type SealKey =
  | { protection: "passphrase"; passphrase: string; scrypt?: ScryptParams }
  | { protection: "local-key"; key: Uint8Array<ArrayBuffer>; keyFile: string };

/** Encrypts `plaintext`; `context` is bound as additional data with the header. */
export async function sealSecret(
  plaintext: Uint8Array<ArrayBuffer>,
  key: SealKey,
  context: unknown,
): Promise<SealedSecret> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  let header: SealHeader;
  let keyBytes: Uint8Array<ArrayBuffer>;
  if (key.protection === "passphrase") {
    const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const params = key.scrypt ?? SCRYPT_DEFAULTS;
    keyBytes = await passphraseKey(key.passphrase, salt, params);
    header = {
      cipher: "AES-256-GCM",
      protection: "passphrase",
      kdf: { name: "scrypt", salt: toBase64(salt), ...params },
    };
  } else {
    keyBytes = key.key;
    header = { cipher: "AES-256-GCM", protection: "local-key", keyFile: key.keyFile };
  }
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: additionalData(header, context) },
    await importKey(keyBytes),
    plaintext,
  );
  return {
    ...header,
    nonce: toBase64(nonce),
    ciphertext: toBase64(new Uint8Array(ciphertext)),
  };
}

/**
 * Decrypts a seal. `secretFor` gives the passphrase (passphrase seals) or the
 * local key (local-key seals). @throws {IdentityLockedError} on a wrong
 * passphrase @throws {IdentityCorruptError} when anything else does not match
 */
export async function openSecret(
  sealed: SealedSecret,
  context: unknown,
  secretFor: { passphrase?: string; localKey?: Uint8Array<ArrayBuffer> },
): Promise<Uint8Array> {
  const { nonce, ciphertext, ...header } = sealed;
  let keyBytes: Uint8Array<ArrayBuffer>;
  if (sealed.protection === "passphrase") {
    if (secretFor.passphrase === undefined) {
      throw new IdentityLockedError(
        "Cannot open the identity: it is protected by a passphrase; give it with --passphrase-file or QSFS_PASSPHRASE",
      );
    }
    const { salt, N, r, p } = sealed.kdf;
    keyBytes = await passphraseKey(secretFor.passphrase, fromBase64(salt), { N, r, p });
  } else {
    if (secretFor.localKey === undefined) {
      throw new IdentityCorruptError("Cannot open the identity: its local key file is missing");
    }
    keyBytes = secretFor.localKey;
  }
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(nonce), additionalData: additionalData(header, context) },
      await importKey(keyBytes),
      fromBase64(ciphertext),
    );
    return new Uint8Array(plaintext);
  } catch {
    if (sealed.protection === "passphrase") {
      throw new IdentityLockedError(
        "Cannot open the identity: wrong passphrase, or the identity file was changed",
      );
    }
    throw new IdentityCorruptError(
      "Cannot open the identity: the identity file or its local key was changed or damaged",
    );
  }
}

/** A new random local key (32 bytes). */
export function randomLocalKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/**
 * JSON with object keys sorted at every level: the same bytes for the same
 * value, whatever order a file's keys were read in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const members = entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

function additionalData(header: unknown, context: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(canonicalJson({ context, header }));
}

function passphraseKey(passphrase: string, salt: Uint8Array, params: ScryptParams) {
  // 128 * N * r bytes of memory, plus room: node's default cap (32 MiB) is too low for N = 2^17.
  const maxmem = 256 * params.N * params.r;
  return new Promise<Uint8Array<ArrayBuffer>>((resolve, reject) => {
    scrypt(passphrase.normalize("NFKD"), salt, KEY_BYTES, { ...params, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(new Uint8Array(key));
    });
  });
}

function importKey(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
}
