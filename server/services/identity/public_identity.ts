/**
 * The public identity: what may be shown, stored in the clear and returned by
 * the API. Addresses and public keys only; no seed, key or word.
 *
 * @module
 */
import {
  type Accounts,
  deriveAccounts,
  type DeriveAccountsOptions,
  type IdentitySecrets,
} from "./accounts.ts";
import { ACCOUNT_DERIVATIONS, type AccountDerivation } from "./derivations.ts";
import { toBase64, toHex } from "./encoding.ts";
import { DerivationUnavailableError } from "./errors.ts";
import { DERIVATION_VERSION, deriveQsfsKeys } from "./qsfs_keys.ts";
import { SEP5_PATH } from "./stellar.ts";
import { toPrefixedHex } from "./tfchain.ts";

/** The public accounts of one derivation. */
export interface PublicAccounts {
  derivation: AccountDerivation;
  /** TFChain: SS58 address (prefix 42) and the sr25519 public key as 0x hex. */
  tfchain: { address: string; publicKey: string };
  /** Stellar: the account id ("G...") and how it was derived. */
  stellar: { address: string; derivedBy: string };
  /** connect only: the 3Bot identity public key, base64, as the app and login.threefold.me show it. */
  threebotPublicKey?: string;
}

export interface PublicIdentity {
  /** The IDENTITY.md version the values were derived with. */
  derivationVersion: number;
  /** The derivation shown and used for payments unless another is asked for. */
  derivation: AccountDerivation;
  /** qsfs's own ed25519 identity public key, hex. */
  identityPublicKey: string;
  /** Every derivation this identity can give, by name. */
  accounts: Partial<Record<AccountDerivation, PublicAccounts>>;
}

/** How each derivation's Stellar account is made, for people. */
const STELLAR_DERIVED_BY: Record<AccountDerivation, string> = {
  dashboard: `SEP-0005 ${SEP5_PATH} (qsfs's choice: the dashboard derives no Stellar account)`,
  connect: "the ThreeFold Connect app's Daily wallet",
  "tfchain-secret": "the TFChain secret as a raw ed25519 seed (the Connect app's Daily wallet)",
};

/**
 * The public identity of `secrets`, with every derivation it can give;
 * `derivation` is the default one, and must be among them.
 */
export async function buildPublicIdentity(
  secrets: IdentitySecrets,
  derivation: AccountDerivation,
  options: DeriveAccountsOptions = {},
): Promise<PublicIdentity> {
  const accounts: PublicIdentity["accounts"] = {};
  for (const candidate of availableDerivations(secrets)) {
    accounts[candidate] = publicAccounts(await deriveAccounts(secrets, candidate, options));
  }
  if (accounts[derivation] === undefined) {
    // Derive it alone to throw the reason it is not available.
    await deriveAccounts(secrets, derivation, options);
    throw new DerivationUnavailableError(`Cannot use derivation "${derivation}"`);
  }
  return {
    derivationVersion: DERIVATION_VERSION,
    derivation,
    identityPublicKey: toHex(deriveQsfsKeys(secrets.mnemonic).identity.publicKey),
    accounts,
  };
}

/** The derivations `secrets` can give: connect needs 24 words, tfchain-secret a secret. */
export function availableDerivations(secrets: IdentitySecrets): AccountDerivation[] {
  return ACCOUNT_DERIVATIONS.filter((derivation) =>
    (derivation !== "connect" || secrets.mnemonic.entropy.length === 32) &&
    (derivation !== "tfchain-secret" || secrets.tfchainSecret !== undefined)
  );
}

/** The public part of derived accounts. */
export function publicAccounts(accounts: Accounts): PublicAccounts {
  const view: PublicAccounts = {
    derivation: accounts.derivation,
    tfchain: {
      address: accounts.tfchain.address,
      publicKey: toPrefixedHex(accounts.tfchain.publicKey),
    },
    stellar: {
      address: accounts.stellar.address,
      derivedBy: STELLAR_DERIVED_BY[accounts.derivation],
    },
  };
  if (accounts.threebotPublicKey !== undefined) {
    view.threebotPublicKey = toBase64(accounts.threebotPublicKey);
  }
  return view;
}
