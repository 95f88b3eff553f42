/**
 * The keys qsfs itself uses, all from the mnemonic through HKDF-SHA256
 * (IDENTITY.md, "qsfs keys"). They never depend on which account derivation
 * (dashboard, connect, TFChain secret) a person picks, so data stays readable
 * whatever they choose for payments.
 *
 * @module
 */
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha2";
import nacl from "tweetnacl";
import { toBase64Url, toHex } from "./encoding.ts";
import { bip39Seed, type Mnemonic } from "./mnemonic.ts";

/** The version of the derivation tree in IDENTITY.md; part of every info string. */
export const DERIVATION_VERSION = 1;

const PREFIX = `qsfs/v${DERIVATION_VERSION}`;
const ROOT_SALT = "qsfs";

/** The info strings of IDENTITY.md, in one place so they cannot drift apart. */
export const INFO = {
  root: `${PREFIX} root`,
  identity: `${PREFIX} identity ed25519 seed`,
  dataKey: `${PREFIX} data key`,
  metadataKey: `${PREFIX} metadata key`,
  superblockKey: `${PREFIX} superblock key`,
  superblockName: `${PREFIX} superblock name`,
  namespacePassword: `${PREFIX} namespace password:`,
} as const;

/** The ZDB key of the superblock starts with this, then 32 hex digits. */
export const SUPERBLOCK_NAME_PREFIX = `qsfs-superblock-v${DERIVATION_VERSION}-`;

/** 24 bytes of HKDF output: 32 base64url characters, well under 0-db's limits. */
const NAMESPACE_PASSWORD_BYTES = 24;
/** Node ids longer than this are refused; real ones are short ("local-3f9a0c1e"). */
const NODE_ID_LENGTH_MAX = 256;

/** Every key qsfs derives for itself. Holds secrets: never log it. */
export interface QsfsKeys {
  /** The root secret every other key comes from (32 bytes). */
  readonly rootKey: Uint8Array;
  /** The ed25519 identity key pair (tweetnacl: secretKey is seed ‖ publicKey, 64 bytes). */
  readonly identity: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array };
  /** Master key of file data encryption (32 bytes). */
  readonly dataKey: Uint8Array;
  /** Master key of metadata (log segment, snapshot) encryption (32 bytes). */
  readonly metadataKey: Uint8Array;
  /** Encrypts the superblock (32 bytes). */
  readonly superblockKey: Uint8Array;
  /** The ZDB key the superblock is stored under on every node, e.g. "qsfs-superblock-v1-<hex>". */
  readonly superblockName: string;
}

/** Derives every qsfs key from a checked mnemonic. */
export function deriveQsfsKeys(mnemonic: Mnemonic): QsfsKeys {
  const rootKey = hkdfBytes(bip39Seed(mnemonic), INFO.root, 32, ROOT_SALT);
  const identity = nacl.sign.keyPair.fromSeed(hkdfBytes(rootKey, INFO.identity, 32));
  return {
    rootKey,
    identity: { publicKey: identity.publicKey, secretKey: identity.secretKey },
    dataKey: hkdfBytes(rootKey, INFO.dataKey, 32),
    metadataKey: hkdfBytes(rootKey, INFO.metadataKey, 32),
    superblockKey: hkdfBytes(rootKey, INFO.superblockKey, 32),
    superblockName: SUPERBLOCK_NAME_PREFIX + toHex(hkdfBytes(rootKey, INFO.superblockName, 16)),
  };
}

/**
 * The 0-db namespace password of one storage node: base64url text of 32
 * characters, different for every node id, and the same every time.
 */
export function namespacePassword(keys: QsfsKeys, nodeId: string): string {
  if (nodeId === "" || nodeId.length > NODE_ID_LENGTH_MAX) {
    throw new RangeError(
      `Cannot derive a namespace password: the node id must have 1-${NODE_ID_LENGTH_MAX} characters`,
    );
  }
  const raw = hkdfBytes(keys.rootKey, INFO.namespacePassword + nodeId, NAMESPACE_PASSWORD_BYTES);
  return toBase64Url(raw);
}

/** HKDF-SHA256 with UTF-8 info (and salt; empty unless given). */
export function hkdfBytes(ikm: Uint8Array, info: string, length: number, salt = ""): Uint8Array {
  const encoder = new TextEncoder();
  return hkdf(sha256, ikm, encoder.encode(salt), encoder.encode(info), length);
}
