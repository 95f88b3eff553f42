/**
 * Stellar accounts: from a raw ed25519 seed (what the ThreeFold Connect app
 * does), and SEP-0005 (m/44'/148'/0' over SLIP-0010 from the BIP39 seed), which
 * qsfs uses where the ThreeFold dashboard derives no Stellar account at all.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { hmac } from "@noble/hashes/hmac";
import { sha512 } from "@noble/hashes/sha2";
import { Keypair } from "@stellar/stellar-base";

/** The SEP-0005 path of the first account; SEP-0005 wallets show it first. */
export const SEP5_PATH = "m/44'/148'/0'";

const HARDENED_OFFSET = 0x80000000;

/** A Stellar account. `rawSeed` is secret: never log it. */
export interface StellarAccount {
  /** The account id, "G" and 55 more characters. */
  readonly address: string;
  /** The ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The raw ed25519 seed (32 bytes). */
  readonly rawSeed: Uint8Array;
}

/** The account of a raw ed25519 seed, as Keypair.fromRawEd25519Seed makes it. */
export function stellarAccount(rawSeed: Uint8Array): StellarAccount {
  if (rawSeed.length !== 32) {
    throw new RangeError("Cannot make a Stellar key: seed is not 32 bytes");
  }
  const keypair = Keypair.fromRawEd25519Seed(Buffer.from(rawSeed));
  return {
    address: keypair.publicKey(),
    publicKey: new Uint8Array(keypair.rawPublicKey()),
    rawSeed: rawSeed.slice(),
  };
}

/** The account's secret seed as Stellar wallets show it ("S" and 55 more characters). */
export function stellarSecretSeed(account: StellarAccount): string {
  return Keypair.fromRawEd25519Seed(Buffer.from(account.rawSeed)).secret();
}

/**
 * The raw seed of SEP-0005 account `accountIndex` (path m/44'/148'/index'):
 * SLIP-0010 ed25519 derivation, hardened at every level, from the 64-byte
 * BIP39 seed.
 */
export function sep5RawSeed(bip39Seed: Uint8Array, accountIndex = 0): Uint8Array {
  if (!Number.isInteger(accountIndex) || accountIndex < 0 || accountIndex >= HARDENED_OFFSET) {
    throw new RangeError(`Cannot derive a SEP-0005 account: bad index ${accountIndex}`);
  }
  const master = hmac(sha512, new TextEncoder().encode("ed25519 seed"), bip39Seed);
  let key = master.slice(0, 32);
  let chainCode = master.slice(32);
  for (const index of [44, 148, accountIndex]) {
    const data = new Uint8Array(37);
    data.set(key, 1);
    new DataView(data.buffer).setUint32(33, index + HARDENED_OFFSET);
    const child = hmac(sha512, chainCode, data);
    key = child.slice(0, 32);
    chainCode = child.slice(32);
  }
  return key;
}
