/**
 * The identity at rest: <home>/identity.json (mode 0600) holds the public
 * identity in the clear and the secrets (the words, and a TFChain secret when
 * given) sealed by sealed_secret.ts. Without a passphrase the seal's key is a
 * random key in <home>/identity.key (0600): that protects only against casual
 * reads (a glance, a grep, a copy of identity.json alone), not against anyone
 * who can read the home. Files are written whole and renamed into place.
 *
 * @module
 */
import { join } from "node:path";
import { isAccountDerivation } from "./derivations.ts";
import { fromBase64, toBase64 } from "./encoding.ts";
import { IdentityCorruptError, IdentityExistsError, IdentityNotFoundError } from "./errors.ts";
import type { PublicIdentity } from "./public_identity.ts";
import {
  openSecret,
  randomLocalKey,
  type ScryptParams,
  type SealedSecret,
  sealSecret,
} from "./sealed_secret.ts";

export const IDENTITY_FILE_NAME = "identity.json";
export const LOCAL_KEY_FILE_NAME = "identity.key";

const FORMAT = "qsfs-identity";
const FORMAT_VERSION = 1;
const FILE_MODE = 0o600;

export interface IdentityFile {
  format: typeof FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  createdAt: string;
  public: PublicIdentity;
  secret: SealedSecret;
}

/** What is sealed. Secret: never log it. */
export interface StoredSecrets {
  /** The BIP39 phrase, words joined by single spaces. */
  mnemonic: string;
  /** The Connect app's TFChain secret, "0x" and 64 hex digits, when one was given. */
  tfchainSecret?: string;
}

export interface WriteIdentityOptions {
  publicIdentity: PublicIdentity;
  secrets: StoredSecrets;
  /** Seals with a key from this passphrase; without one, with the local key file. */
  passphrase?: string;
  /** Replaces an identity that exists; without it, an existing one is an error. */
  force?: boolean;
  /** scrypt cost (tests lower it). */
  scrypt?: ScryptParams;
  now?: Date;
}

export function identityFilePath(home: string): string {
  return join(home, IDENTITY_FILE_NAME);
}

export async function identityExists(home: string): Promise<boolean> {
  try {
    await Deno.lstat(identityFilePath(home));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Writes the identity. @throws {IdentityExistsError} when one exists and force is not set */
export async function writeIdentityFile(home: string, options: WriteIdentityOptions) {
  const path = identityFilePath(home);
  if (!options.force && await identityExists(home)) throw new IdentityExistsError(home);
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
  const header = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    public: options.publicIdentity,
  } as const;
  const plaintext = new TextEncoder().encode(JSON.stringify(options.secrets));
  const secret = options.passphrase === undefined
    ? await sealSecret(plaintext, {
      protection: "local-key",
      key: await localKey(home, { create: true }),
      keyFile: LOCAL_KEY_FILE_NAME,
    }, header)
    : await sealSecret(plaintext, {
      protection: "passphrase",
      passphrase: options.passphrase,
      scrypt: options.scrypt,
    }, header);
  const file: IdentityFile = { ...header, secret };
  try {
    await writePrivateFile(path, `${JSON.stringify(file, null, 2)}\n`, {
      replace: !!options.force,
    });
  } catch (error) {
    // Another process wrote one between the check above and now.
    if (error instanceof Deno.errors.AlreadyExists) throw new IdentityExistsError(home);
    throw error;
  }
  if (options.passphrase !== undefined) {
    await Deno.remove(join(home, LOCAL_KEY_FILE_NAME)).catch(() => {});
  }
}

/** Reads identity.json without opening its secrets. */
export async function readIdentityFile(home: string): Promise<IdentityFile> {
  const path = identityFilePath(home);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new IdentityNotFoundError(
      `Cannot find an identity in ${home}: run "qsfs init" to make one, or "qsfs recover" to enter your words`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IdentityCorruptError(`Cannot read ${path}: it is not JSON`, { cause: error });
  }
  return checkIdentityFile(value, path);
}

/**
 * Opens the sealed secrets of `file`, read from `home`. @throws
 * {IdentityLockedError} without the right passphrase @throws
 * {IdentityCorruptError} when the files were changed or damaged
 */
export async function openIdentitySecrets(
  home: string,
  file: IdentityFile,
  passphrase?: string,
): Promise<StoredSecrets> {
  const { secret, ...header } = file;
  const localKeyBytes = secret.protection === "local-key"
    ? await localKey(home, { create: false })
    : undefined;
  const plaintext = await openSecret(secret, header, { passphrase, localKey: localKeyBytes });
  const value = JSON.parse(new TextDecoder().decode(plaintext));
  if (typeof value?.mnemonic !== "string") {
    throw new IdentityCorruptError(`Cannot open the identity in ${home}: no words inside`);
  }
  return value as StoredSecrets;
}

/** The local key, made (0600) when asked and missing; reused when present. */
async function localKey(
  home: string,
  options: { create: boolean },
): Promise<Uint8Array<ArrayBuffer>> {
  const path = join(home, LOCAL_KEY_FILE_NAME);
  try {
    const key = fromBase64((await Deno.readTextFile(path)).trim());
    if (key.length !== 32) throw new Error("not 32 bytes");
    return key;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new IdentityCorruptError(`Cannot read the local key ${path}: it is damaged`, {
        cause: error,
      });
    }
    if (!options.create) {
      throw new IdentityCorruptError(
        `Cannot open the identity in ${home}: its local key ${path} is missing`,
      );
    }
  }
  const key = randomLocalKey();
  try {
    await writePrivateFile(path, `${toBase64(key)}\n`, { replace: false });
  } catch (error) {
    // Another process made one at the same time: use that one.
    if (error instanceof Deno.errors.AlreadyExists) return localKey(home, { create: false });
    throw error;
  }
  return key;
}

/**
 * Writes a 0600 file through a temporary file, synced, then put in place: by
 * rename (replace) or by link, which fails when the target exists.
 * @throws {Deno.errors.AlreadyExists} when not replacing and the file exists
 */
async function writePrivateFile(path: string, text: string, options: { replace: boolean }) {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(temporary, { write: true, createNew: true, mode: FILE_MODE });
  try {
    const bytes = new TextEncoder().encode(text);
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
    await file.syncData();
  } finally {
    file.close();
  }
  // The umask may have taken bits away, never added any; this makes it exactly 0600.
  await Deno.chmod(temporary, FILE_MODE);
  try {
    if (options.replace) await Deno.rename(temporary, path);
    else await Deno.link(temporary, path);
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}

function checkIdentityFile(value: unknown, path: string): IdentityFile {
  const file = value as Partial<IdentityFile> | null;
  const corrupt = (what: string) =>
    new IdentityCorruptError(`Cannot read ${path}: ${what}; restore it, or run "qsfs recover"`);
  if (file?.format !== FORMAT) throw corrupt("it is not a qsfs identity file");
  if (file.formatVersion !== FORMAT_VERSION) {
    throw corrupt(`format version ${file.formatVersion} is not known to this qsfs`);
  }
  const publicIdentity = file.public;
  if (
    typeof publicIdentity?.identityPublicKey !== "string" ||
    typeof publicIdentity.derivation !== "string" ||
    !isAccountDerivation(publicIdentity.derivation) ||
    typeof publicIdentity.accounts !== "object" || publicIdentity.accounts === null
  ) {
    throw corrupt("its public identity is incomplete");
  }
  const secret = file.secret;
  const sealed = typeof secret?.nonce === "string" && typeof secret.ciphertext === "string" &&
    (secret.protection === "local-key" ||
      (secret.protection === "passphrase" && typeof secret.kdf?.salt === "string"));
  if (!sealed) throw corrupt("its sealed secrets are incomplete");
  return file as IdentityFile;
}
