/**
 * The identity's operations, for the CLI now and the API later: make one,
 * recover one from typed words, show its public side, and unlock its keys.
 * Bad input is refused before anything is written.
 *
 * @module
 */
import {
  type AccountDerivation,
  type DeriveAccountsOptions,
  type IdentitySecrets,
  parseTfchainSecret,
} from "./accounts.ts";
import { DerivationUnavailableError, IdentityCorruptError, IdentityExistsError } from "./errors.ts";
import { generateMnemonic, type Mnemonic, parseMnemonic } from "./mnemonic.ts";
import {
  availableDerivations,
  buildPublicIdentity,
  type PublicAccounts,
  type PublicIdentity,
} from "./public_identity.ts";
import { deriveQsfsKeys, type QsfsKeys } from "./qsfs_keys.ts";
import {
  identityExists,
  openIdentitySecrets,
  readIdentityFile,
  writeIdentityFile,
} from "./secret_store.ts";
import type { ScryptParams } from "./sealed_secret.ts";
import { canonicalJson } from "./sealed_secret.ts";
import { toPrefixedHex } from "./tfchain.ts";

export interface SaveIdentityOptions extends DeriveAccountsOptions {
  /** The default account derivation (default: "dashboard"). */
  derivation?: AccountDerivation;
  /** The Connect app's TFChain secret text ("0x" and 64 hex digits). */
  tfchainSecret?: string;
  /** Seals the secrets with this passphrase; without it, with a local key file. */
  passphrase?: string;
  /** Replaces an identity that exists. */
  force?: boolean;
  /** scrypt cost (tests lower it). */
  scrypt?: ScryptParams;
}

export interface CreatedIdentity {
  /** The new words: show them once, then forget them. */
  mnemonic: Mnemonic;
  publicIdentity: PublicIdentity;
}

/** An opened identity. Holds every secret: never log it. */
export interface UnlockedIdentity {
  secrets: IdentitySecrets;
  keys: QsfsKeys;
  publicIdentity: PublicIdentity;
}

/**
 * Makes a new 24-word identity in `home`. @throws {IdentityExistsError} when
 * one exists and force is not set
 */
export async function createIdentity(
  home: string,
  options: SaveIdentityOptions = {},
  entropy?: Uint8Array,
): Promise<CreatedIdentity> {
  await refuseExisting(home, options);
  const mnemonic = generateMnemonic(entropy);
  return { mnemonic, publicIdentity: await saveIdentity(home, mnemonic, options) };
}

/**
 * Stores the identity of typed words. @throws {InvalidMnemonicError} for bad
 * words, before anything is written
 */
export async function recoverIdentity(
  home: string,
  words: string,
  options: SaveIdentityOptions = {},
): Promise<PublicIdentity> {
  const mnemonic = parseMnemonic(words);
  await refuseExisting(home, options);
  return await saveIdentity(home, mnemonic, options);
}

/**
 * The public identity stored in `home`, and the accounts of `derivation`
 * (default: the stored one). Needs no passphrase.
 */
export async function readPublicIdentity(
  home: string,
  derivation?: AccountDerivation,
): Promise<{ publicIdentity: PublicIdentity; accounts: PublicAccounts }> {
  const publicIdentity = (await readIdentityFile(home)).public;
  const chosen = derivation ?? publicIdentity.derivation;
  const accounts = publicIdentity.accounts[chosen];
  if (accounts === undefined) throw unavailable(chosen, Object.keys(publicIdentity.accounts));
  return { publicIdentity, accounts };
}

/**
 * Opens the identity in `home` and derives its keys. It derives the public
 * identity again and compares it with the stored one, so a derivation that
 * changed (or a file changed by hand) is caught before any key is used.
 */
export async function unlockIdentity(
  home: string,
  options: { passphrase?: string } & DeriveAccountsOptions = {},
): Promise<UnlockedIdentity> {
  const file = await readIdentityFile(home);
  const stored = await openIdentitySecrets(home, file, options.passphrase);
  const secrets: IdentitySecrets = {
    mnemonic: parseMnemonic(stored.mnemonic),
    tfchainSecret: stored.tfchainSecret === undefined
      ? undefined
      : parseTfchainSecret(stored.tfchainSecret),
  };
  const publicIdentity = await buildPublicIdentity(secrets, file.public.derivation, options);
  if (canonicalJson(publicIdentity) !== canonicalJson(file.public)) {
    throw new IdentityCorruptError(
      `Cannot use the identity in ${home}: its stored public identity (derivation v${file.public.derivationVersion}) differs from what this qsfs derives from its words`,
    );
  }
  return { secrets, keys: deriveQsfsKeys(secrets.mnemonic), publicIdentity };
}

async function saveIdentity(
  home: string,
  mnemonic: Mnemonic,
  options: SaveIdentityOptions,
): Promise<PublicIdentity> {
  const tfchainSecret = options.tfchainSecret === undefined
    ? undefined
    : parseTfchainSecret(options.tfchainSecret);
  const secrets: IdentitySecrets = { mnemonic, tfchainSecret };
  const derivation = options.derivation ?? "dashboard";
  if (!availableDerivations(secrets).includes(derivation)) {
    throw unavailable(derivation, availableDerivations(secrets), mnemonic);
  }
  const publicIdentity = await buildPublicIdentity(secrets, derivation, options);
  await writeIdentityFile(home, {
    publicIdentity,
    secrets: {
      mnemonic: mnemonic.phrase,
      tfchainSecret: tfchainSecret === undefined ? undefined : toPrefixedHex(tfchainSecret),
    },
    passphrase: options.passphrase,
    force: options.force,
    scrypt: options.scrypt,
  });
  return publicIdentity;
}

async function refuseExisting(home: string, options: SaveIdentityOptions) {
  if (options.force || !(await identityExists(home))) return;
  throw new IdentityExistsError(home);
}

function unavailable(
  derivation: AccountDerivation,
  available: readonly string[],
  mnemonic?: Mnemonic,
): DerivationUnavailableError {
  const reason = derivation === "tfchain-secret"
    ? "this identity has no TFChain secret (give one with --tfchain-secret-file)"
    : derivation === "connect" && mnemonic !== undefined
    ? `the ThreeFold Connect app uses 24 words, these are ${mnemonic.words.length}`
    : `this identity offers ${available.join(", ")}`;
  return new DerivationUnavailableError(`Cannot use derivation "${derivation}": ${reason}`);
}
