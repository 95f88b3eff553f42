/**
 * The payment accounts of an identity (a TFChain account and a Stellar
 * account), under the derivation a person picks so they see the accounts they
 * already have (IDENTITY.md, "Accounts"):
 *
 * - dashboard (default): TFChain as the ThreeFold dashboard derives it from the
 *   words; Stellar by SEP-0005, since the dashboard derives no Stellar account.
 * - connect: both as the ThreeFold Connect app derives them (24 words only).
 * - tfchain-secret: both from the app's "TFChain Secret" (0x and 64 hex digits),
 *   as the app uses that seed for its Daily wallet and TFChain account.
 *
 * @module
 */
import { connectSecrets } from "./connect.ts";
import { ACCOUNT_DERIVATIONS, type AccountDerivation, isAccountDerivation } from "./derivations.ts";
import { fromHex } from "./encoding.ts";
import { DerivationUnavailableError, InvalidTfchainSecretError } from "./errors.ts";
import { bip39Seed, type Mnemonic } from "./mnemonic.ts";
import { sep5RawSeed, type StellarAccount, stellarAccount } from "./stellar.ts";
import { dashboardMiniSecret, type TfchainAccount, tfchainAccount } from "./tfchain.ts";

export { ACCOUNT_DERIVATIONS, type AccountDerivation, isAccountDerivation };

/** What an identity is made of. Secret: never log it. */
export interface IdentitySecrets {
  readonly mnemonic: Mnemonic;
  /** The Connect app's "TFChain Secret" (32 bytes), when the person gave one. */
  readonly tfchainSecret?: Uint8Array;
}

/** The accounts of one derivation. Holds secrets: never log it. */
export interface Accounts {
  readonly derivation: AccountDerivation;
  readonly tfchain: TfchainAccount;
  readonly stellar: StellarAccount;
  /** connect only: the 3Bot identity public key the app registers at login.threefold.me. */
  readonly threebotPublicKey?: Uint8Array;
}

export interface DeriveAccountsOptions {
  /** The Connect app's wallet appId (connect.ts CONNECT_APP_IDS); default production. */
  connectAppId?: string;
}

/** @throws {DerivationUnavailableError} when the identity cannot give that derivation */
export async function deriveAccounts(
  secrets: IdentitySecrets,
  derivation: AccountDerivation,
  options: DeriveAccountsOptions = {},
): Promise<Accounts> {
  switch (derivation) {
    case "dashboard": {
      const miniSecret = await dashboardMiniSecret(secrets.mnemonic);
      return {
        derivation,
        tfchain: await tfchainAccount(miniSecret),
        stellar: stellarAccount(sep5RawSeed(bip39Seed(secrets.mnemonic))),
      };
    }
    case "connect": {
      const connect = connectSecrets(secrets.mnemonic, options.connectAppId);
      return {
        derivation,
        tfchain: await tfchainAccount(connect.dailySeed),
        stellar: stellarAccount(connect.dailySeed),
        threebotPublicKey: connect.identity.publicKey,
      };
    }
    case "tfchain-secret": {
      if (secrets.tfchainSecret === undefined) {
        throw new DerivationUnavailableError(
          "Cannot derive the accounts of a TFChain secret: this identity has none (give one with --tfchain-secret-file)",
        );
      }
      return {
        derivation,
        tfchain: await tfchainAccount(secrets.tfchainSecret),
        stellar: stellarAccount(secrets.tfchainSecret),
      };
    }
  }
}

/**
 * Reads the Connect app's "TFChain Secret": "0x" and 64 hex digits (the "0x"
 * may be left out; spaces around it are ignored). @throws {InvalidTfchainSecretError}
 */
export function parseTfchainSecret(text: string): Uint8Array {
  const trimmed = text.trim();
  const digits = trimmed.startsWith("0x") || trimmed.startsWith("0X") ? trimmed.slice(2) : trimmed;
  const bytes = digits.length === 64 ? fromHex(digits) : undefined;
  if (bytes === undefined) {
    throw new InvalidTfchainSecretError(
      `expected "0x" and 64 hex digits, got ${trimmed.length} characters`,
    );
  }
  return bytes;
}
