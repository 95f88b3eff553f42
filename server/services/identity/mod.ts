/**
 * The identity layer: one BIP39 mnemonic gives qsfs's own keys (data,
 * metadata, superblock, namespace passwords, identity key) and the payment
 * accounts (TFChain, Stellar) the way the ThreeFold tools derive them.
 * IDENTITY.md beside this file is the derivation tree.
 *
 * @module
 */
export {
  ACCOUNT_DERIVATIONS,
  type AccountDerivation,
  type Accounts,
  deriveAccounts,
  type IdentitySecrets,
  isAccountDerivation,
  parseTfchainSecret,
} from "./accounts.ts";
export { CONNECT_APP_IDS } from "./connect.ts";
export {
  DerivationUnavailableError,
  IdentityCorruptError,
  IdentityExistsError,
  IdentityLockedError,
  IdentityNotFoundError,
  InvalidMnemonicError,
  InvalidTfchainSecretError,
} from "./errors.ts";
export {
  type CreatedIdentity,
  createIdentity,
  readPublicIdentity,
  recoverIdentity,
  type SaveIdentityOptions,
  type UnlockedIdentity,
  unlockIdentity,
} from "./identity_service.ts";
export { generateMnemonic, type Mnemonic, parseMnemonic } from "./mnemonic.ts";
export type { PublicAccounts, PublicIdentity } from "./public_identity.ts";
export {
  DERIVATION_VERSION,
  deriveQsfsKeys,
  namespacePassword,
  type QsfsKeys,
} from "./qsfs_keys.ts";
export { unlockQsfsKeys } from "./qsfs_unlock.ts";
export { IDENTITY_FILE_NAME, identityExists, LOCAL_KEY_FILE_NAME } from "./secret_store.ts";
