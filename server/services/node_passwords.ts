/**
 * Namespace passwords of new local nodes, derived from the home's identity
 * (IDENTITY.md, "namespace password"), so the mnemonic alone opens a node
 * again. A home without an identity keeps random passwords; nodes already
 * recorded keep the password the registry holds for them.
 *
 * @module
 */
import { IdentityUnavailableError } from "./errors.ts";
// Not identity/mod.ts: the account libraries it loads would slow every daemon start.
import { IdentityLockedError } from "./identity/errors.ts";
import { namespacePassword } from "./identity/qsfs_keys.ts";
import { unlockQsfsKeys } from "./identity/qsfs_unlock.ts";
import { identityExists } from "./identity/secret_store.ts";

export interface IdentityAccess {
  /** The home whose identity.json gives the keys. */
  home: string;
  /** Opens an identity sealed with a passphrase. */
  passphrase?: string;
}

/**
 * The password maker of the identity in `access.home`, or undefined when the
 * home has none. Opened anew for every call, so an identity made or replaced
 * while the daemon runs is the one used.
 * @throws {IdentityUnavailableError} when the identity is sealed and the passphrase is missing or wrong
 */
export async function identityNamespacePasswords(
  access: IdentityAccess,
): Promise<((nodeId: string) => string) | undefined> {
  if (!(await identityExists(access.home))) return undefined;
  let keys;
  try {
    keys = await unlockQsfsKeys(access.home, { passphrase: access.passphrase });
  } catch (error) {
    if (!(error instanceof IdentityLockedError)) throw error;
    throw new IdentityUnavailableError(
      `Cannot derive the namespace passwords of new nodes from the identity: ${error.message}. ` +
        "The daemon opens it: stop it (qsfs stop) and start it again with QSFS_PASSPHRASE set " +
        "or --passphrase-file FILE",
      { cause: error },
    );
  }
  return (nodeId) => namespacePassword(keys, nodeId);
}
