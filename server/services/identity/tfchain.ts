/**
 * TFChain accounts: sr25519 key pairs from a 32-byte mini-secret, as
 * polkadot.js (`addFromUri`, `addFromSeed`) and so the ThreeFold dashboard
 * and the Connect app make them; addresses in SS58 with the generic
 * substrate prefix 42, as TFChain shows them ("5...").
 *
 * @module
 */
import { u8aToHex } from "@polkadot/util";
import {
  cryptoWaitReady,
  encodeAddress,
  mnemonicToMiniSecret,
  sr25519PairFromSeed,
} from "@polkadot/util-crypto";
import type { Mnemonic } from "./mnemonic.ts";

/** TFChain uses the generic substrate SS58 prefix. */
export const SS58_FORMAT = 42;

/** A TFChain account. `miniSecret` is secret: never log it. */
export interface TfchainAccount {
  /** SS58 address with prefix 42. */
  readonly address: string;
  /** The sr25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The 32-byte mini-secret (what the Connect app calls the "TFChain Secret"). */
  readonly miniSecret: Uint8Array;
}

/** The sr25519 account of a 32-byte mini-secret (polkadot.js `addFromSeed`). */
export async function tfchainAccount(miniSecret: Uint8Array): Promise<TfchainAccount> {
  if (miniSecret.length !== 32) {
    throw new RangeError("Cannot make a TFChain key: the mini-secret is not 32 bytes");
  }
  // sr25519 runs in @polkadot/wasm-crypto, which must be loaded once first.
  await cryptoWaitReady();
  const pair = sr25519PairFromSeed(miniSecret);
  return {
    address: encodeAddress(pair.publicKey, SS58_FORMAT),
    publicKey: pair.publicKey,
    miniSecret: miniSecret.slice(),
  };
}

/**
 * The dashboard's mini-secret of a mnemonic (polkadot.js
 * `mnemonicToMiniSecret`): PBKDF2-HMAC-SHA512(entropy, "mnemonic", 2048)[0:32].
 */
export async function dashboardMiniSecret(mnemonic: Mnemonic): Promise<Uint8Array> {
  await cryptoWaitReady();
  return mnemonicToMiniSecret(mnemonic.phrase);
}

/** "0x" and 64 hex digits, as TFChain tools show public keys and seeds. */
export function toPrefixedHex(bytes: Uint8Array): string {
  return u8aToHex(bytes);
}
