/**
 * The ThreeFold Connect app's derivations, as its code does them (IDENTITY.md,
 * "connect"; read from threefoldtech/threefold_connect, crypto_service.dart):
 *
 *     identity    = crypto_sign_seed_keypair(BIP39 entropy)          ed25519, 3Bot login key
 *     derivedSeed = PBKDF2-HMAC-SHA256(base64(identity sk, 64 bytes), appId, 1000, 32)
 *     dailySeed   = BLAKE2b-256(derivedSeed ‖ 8 zero bytes)           the "TFChain Secret"
 *     Stellar "Daily" wallet = Keypair.fromRawEd25519Seed(dailySeed)
 *     TFChain account        = sr25519 from the mini-secret dailySeed
 *
 * The app makes and recovers 24-word phrases only, so 12 words are refused.
 *
 * @module
 */
import { blake2b } from "@noble/hashes/blake2b";
import { pbkdf2 } from "@noble/hashes/pbkdf2";
import { sha256 } from "@noble/hashes/sha2";
import nacl from "tweetnacl";
import { toBase64 } from "./encoding.ts";
import { DerivationUnavailableError } from "./errors.ts";
import type { Mnemonic } from "./mnemonic.ts";

/**
 * The app's wallet appId per app environment: the salt of derivedSeed, so the
 * staging and testing apps give other wallets from the same words.
 */
export const CONNECT_APP_IDS = {
  production: "wallet.threefold.me",
  staging: "wallet.staging.threefold.me",
  testing: "wallet.testing.threefold.me",
} as const;

const DERIVED_SEED_ITERATIONS = 1000;
/** The wallet index of the first ("Daily") wallet, little-endian uint64: 8 zero bytes. */
const DAILY_WALLET_INDEX = new Uint8Array(8);

/** The Connect app's secrets for one phrase. Never log them. */
export interface ConnectSecrets {
  /** The 3Bot identity key pair (libsodium layout: secretKey is seed ‖ publicKey). */
  readonly identity: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array };
  /** The wallet seed every app wallet comes from (32 bytes). */
  readonly derivedSeed: Uint8Array;
  /** The Daily wallet's raw seed, also the TFChain mini-secret (32 bytes). */
  readonly dailySeed: Uint8Array;
}

/** @throws {DerivationUnavailableError} for a 12-word phrase */
export function connectSecrets(
  mnemonic: Mnemonic,
  appId: string = CONNECT_APP_IDS.production,
): ConnectSecrets {
  if (mnemonic.entropy.length !== 32) {
    throw new DerivationUnavailableError(
      `Cannot derive the ThreeFold Connect accounts: the app uses 24 words, this phrase has ${mnemonic.words.length}`,
    );
  }
  const identity = nacl.sign.keyPair.fromSeed(mnemonic.entropy);
  const derivedSeed = pbkdf2(sha256, toBase64(identity.secretKey), appId, {
    c: DERIVED_SEED_ITERATIONS,
    dkLen: 32,
  });
  const indexed = new Uint8Array(derivedSeed.length + DAILY_WALLET_INDEX.length);
  indexed.set(derivedSeed);
  indexed.set(DAILY_WALLET_INDEX, derivedSeed.length);
  return {
    identity: { publicKey: identity.publicKey, secretKey: identity.secretKey },
    derivedSeed,
    dailySeed: blake2b(indexed, { dkLen: 32 }),
  };
}
