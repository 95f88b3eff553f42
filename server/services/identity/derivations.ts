/**
 * The names of the account derivations, in a module without dependencies so
 * the CLI can check a flag without loading the crypto libraries.
 *
 * @module
 */

export const ACCOUNT_DERIVATIONS = ["dashboard", "connect", "tfchain-secret"] as const;
export type AccountDerivation = typeof ACCOUNT_DERIVATIONS[number];

export function isAccountDerivation(text: string): text is AccountDerivation {
  return (ACCOUNT_DERIVATIONS as readonly string[]).includes(text);
}
