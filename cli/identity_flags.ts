/**
 * What `qsfs init`, `qsfs recover` and `qsfs identity` share: the flags that
 * carry secrets (always through files or the environment, never the command
 * line, which other users can read), the derivation flag, and the way a
 * public identity is printed.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  ACCOUNT_DERIVATIONS,
  type AccountDerivation,
  isAccountDerivation,
} from "../server/services/identity/derivations.ts";
import type { PublicAccounts, PublicIdentity } from "../server/services/identity/mod.ts";
import { type FlagSpec, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import type { CliDeps, CommandContext } from "./command.ts";

export const DERIVATION_FLAG: FlagSpec = { derivation: { type: "string" } };

export const SAVE_FLAGS: FlagSpec = {
  ...DERIVATION_FLAG,
  "passphrase-file": { type: "string" },
  "tfchain-secret-file": { type: "string" },
  force: { type: "boolean" },
  json: { type: "boolean" },
};

export const SAVE_FLAGS_USAGE =
  `  --derivation D              How the payment accounts are derived (default: dashboard):
                                dashboard       TFChain as the ThreeFold dashboard derives
                                                it from the words; Stellar by SEP-0005
                                connect         both as the ThreeFold Connect app derives
                                                them (24 words only)
                                tfchain-secret  both from the Connect app's "TFChain Secret"
                                                (needs --tfchain-secret-file)
  --tfchain-secret-file FILE  The Connect app's TFChain Secret (0x and 64 hex digits)
  --passphrase-file FILE      Encrypt the stored words with a key from this passphrase
                              (else $QSFS_PASSPHRASE; without either, a random key in
                              <home>/identity.key, which keeps out only casual readers)
  --force                     Replace the identity this home holds (its words are then
                              the only way back to the old data and accounts)
  --json                      Print JSON`;

/** What a derivation means, for people. */
const DERIVATION_TITLES: Record<AccountDerivation, string> = {
  dashboard: "as the ThreeFold dashboard derives them",
  connect: "as the ThreeFold Connect app derives them",
  "tfchain-secret": "from the Connect app's TFChain Secret",
};

/** The state directory, or an error naming what to do. */
export function requireHome(context: CommandContext, action: string): string {
  if (context.home !== undefined) return context.home;
  throw new Error(`Cannot ${action}: no home directory (give --home DIR or set QSFS_HOME)`);
}

/** The --derivation flag, checked. @throws {UsageError} */
export function derivationFlag(parsed: ParsedArgs): AccountDerivation | undefined {
  const text = stringFlag(parsed, "derivation");
  if (text === undefined || isAccountDerivation(text)) return text;
  throw new UsageError(
    `Cannot use --derivation "${text}": use ${ACCOUNT_DERIVATIONS.join(", ")}`,
  );
}

/** The passphrase from --passphrase-file, else QSFS_PASSPHRASE, else none. */
export function passphraseFrom(parsed: ParsedArgs, deps: CliDeps): string | undefined {
  const file = stringFlag(parsed, "passphrase-file");
  // One final line break is how files end; it is not part of the passphrase.
  const passphrase = file === undefined
    ? deps.env.passphrase
    : readSecret(file, "passphrase", deps).replace(/\r?\n$/, "");
  if (passphrase === "") {
    throw new Error(
      `Cannot use the passphrase${
        file === undefined ? " in QSFS_PASSPHRASE" : ` in ${file}`
      }: it is empty`,
    );
  }
  return passphrase;
}

/** The text of --tfchain-secret-file, when given. */
export function tfchainSecretFrom(parsed: ParsedArgs, deps: CliDeps): string | undefined {
  const file = stringFlag(parsed, "tfchain-secret-file");
  return file === undefined ? undefined : readSecret(file, "TFChain secret", deps);
}

/** Reads a file named on the command line that holds a secret. */
export function readSecret(file: string, what: string, deps: CliDeps): string {
  try {
    return deps.readSecretFile(resolve(file));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot read the ${what} from ${file}: ${reason}`);
  }
}

/** The JSON shape `qsfs identity --json` prints (and init / recover include). */
export function publicIdentityJson(identity: PublicIdentity, accounts: PublicAccounts) {
  return {
    derivationVersion: identity.derivationVersion,
    identityPublicKey: identity.identityPublicKey,
    ...accounts,
    defaultDerivation: identity.derivation,
    availableDerivations: Object.keys(identity.accounts),
  };
}

/** The public identity as text: the identity key, then the accounts of one derivation. */
export function formatPublicIdentity(identity: PublicIdentity, accounts: PublicAccounts): string {
  const lines = [
    `Identity (derivation v${identity.derivationVersion})`,
    `  qsfs identity key  ed25519 ${identity.identityPublicKey}`,
    `Accounts: ${accounts.derivation}, ${DERIVATION_TITLES[accounts.derivation]}`,
  ];
  if (accounts.threebotPublicKey !== undefined) {
    lines.push(`  3Bot public key    ${accounts.threebotPublicKey}`);
  }
  lines.push(
    `  TFChain            ${accounts.tfchain.address}`,
    `                     sr25519 public key ${accounts.tfchain.publicKey}`,
    `  Stellar            ${accounts.stellar.address}`,
    `                     ${accounts.stellar.derivedBy}`,
  );
  const others = Object.keys(identity.accounts).filter((name) => name !== accounts.derivation);
  if (others.length > 0) {
    lines.push(`Other derivations: ${others.join(", ")} (qsfs identity --derivation NAME)`);
  }
  return `${lines.join("\n")}\n`;
}

/** Where the words are stored and how well they are protected. */
export function protectionNote(home: string, withPassphrase: boolean): string {
  const path = `${home}/identity.json`;
  return withPassphrase
    ? `The words are stored in ${path},\nencrypted with a key from your passphrase.`
    : `The words are stored in ${path},\nencrypted with a random key in ${home}/identity.key. ` +
      "That keeps out casual readers\nonly: anyone who can read the home can read the words. " +
      "To encrypt them with a\npassphrase, give --passphrase-file (or QSFS_PASSPHRASE).";
}
