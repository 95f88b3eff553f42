/**
 * Random secrets and ids for storage nodes, from crypto.getRandomValues.
 * Local nodes' namespace passwords are derived from the identity when the home
 * has one (server/services/node_passwords.ts); these random ones are the fallback.
 *
 * @module
 */

/** A random secret of `bytes` bytes as base64url text (32 characters for 24 bytes). */
export function randomSecret(bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** A node id such as "local-3f9a0c1e": the provider, then 8 random hex digits. */
export function randomNodeId(provider: string): string {
  const raw = crypto.getRandomValues(new Uint8Array(4));
  return `${provider}-${Array.from(raw, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
