/**
 * Opening only the qsfs keys of a stored identity: for the processes that
 * serve a filesystem or derive node passwords, which need no payment account.
 * It loads none of the account libraries (sr25519, Stellar), which a mount
 * process would otherwise carry in memory for its whole life.
 *
 * @module
 */
import { toHex } from "./encoding.ts";
import { IdentityCorruptError } from "./errors.ts";
import { parseMnemonic } from "./mnemonic.ts";
import { DERIVATION_VERSION, deriveQsfsKeys, type QsfsKeys } from "./qsfs_keys.ts";
import { openIdentitySecrets, readIdentityFile } from "./secret_store.ts";

/**
 * The qsfs keys of the identity in `home`. Like unlockIdentity() it refuses an
 * identity whose stored public side differs from what its words derive (here:
 * the qsfs identity key and the derivation version), so keys that changed are
 * never used. @throws {IdentityLockedError} without the right passphrase
 */
export async function unlockQsfsKeys(
  home: string,
  options: { passphrase?: string } = {},
): Promise<QsfsKeys> {
  const file = await readIdentityFile(home);
  const stored = await openIdentitySecrets(home, file, options.passphrase);
  const keys = deriveQsfsKeys(parseMnemonic(stored.mnemonic));
  if (
    file.public.derivationVersion !== DERIVATION_VERSION ||
    file.public.identityPublicKey !== toHex(keys.identity.publicKey)
  ) {
    throw new IdentityCorruptError(
      `Cannot use the identity in ${home}: its stored identity key (derivation v${file.public.derivationVersion}) differs from what this qsfs derives from its words`,
    );
  }
  return keys;
}
