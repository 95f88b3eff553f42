/**
 * What the identity layer throws. Each error is a DomainError, so the HTTP
 * layer maps it like any other; the CLI prints its message and exits 1.
 * No message ever holds a secret other than the word the person typed wrong.
 *
 * @module
 */
import { DomainError } from "../errors.ts";

/** The words are not a BIP39 mnemonic: wrong count, unknown word or bad checksum. */
export class InvalidMnemonicError extends DomainError {
  constructor(reason: string) {
    super("invalid_input", "invalid_mnemonic", `Cannot use mnemonic: ${reason}`);
    this.name = "InvalidMnemonicError";
  }
}

/** A TFChain secret that is not "0x" and 64 hex digits. */
export class InvalidTfchainSecretError extends DomainError {
  constructor(reason: string) {
    super("invalid_input", "invalid_tfchain_secret", `Cannot use the TFChain secret: ${reason}`);
    this.name = "InvalidTfchainSecretError";
  }
}

/** A derivation that this identity cannot give (connect with 12 words, no TFChain secret). */
export class DerivationUnavailableError extends DomainError {
  constructor(message: string) {
    super("invalid_input", "derivation_unavailable", message);
    this.name = "DerivationUnavailableError";
  }
}

/** The home already holds an identity, and replacing it was not asked for. */
export class IdentityExistsError extends DomainError {
  constructor(home: string) {
    super(
      "conflict",
      "identity_exists",
      `Cannot write an identity in ${home}: one exists already; --force replaces it ` +
        "(its words are then the only way back to the data and accounts of the old one)",
    );
    this.name = "IdentityExistsError";
  }
}

/** The home holds no identity yet. */
export class IdentityNotFoundError extends DomainError {
  constructor(message: string) {
    super("not_found", "identity_not_found", message);
    this.name = "IdentityNotFoundError";
  }
}

/** The secret store cannot be opened: no passphrase, or the wrong one. */
export class IdentityLockedError extends DomainError {
  constructor(message: string) {
    super("unauthorized", "identity_locked", message);
    this.name = "IdentityLockedError";
  }
}

/** The secret store is damaged or was changed by hand. */
export class IdentityCorruptError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super("failed", "identity_corrupt", message, options);
    this.name = "IdentityCorruptError";
  }
}
