/**
 * The grid account of the daemon: `--mnemonic-file FILE` (else the
 * QSFS_MNEMONIC environment variable, which main.ts reads) and
 * `--network main|test|qa|dev`. With a mnemonic the daemon offers the tfgrid
 * provider; without one it offers local nodes only.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  GRID_NETWORKS,
  type GridNetwork,
  isGridNetwork,
} from "../server/grid/tfgrid/grid_client_port.ts";
import type { TfgridSettings } from "../server/config.ts";
import { type FlagSpec, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import type { CliDeps } from "./command.ts";

export const GRID_FLAGS: FlagSpec = {
  "mnemonic-file": { type: "string" },
  network: { type: "string" },
  "passphrase-file": { type: "string" },
};

export const GRID_FLAGS_USAGE =
  `  --mnemonic-file FILE  The grid account's mnemonic (24 words), read from FILE; else the
                        QSFS_MNEMONIC environment variable; else, with --network, the
                        words of this home's identity. Enables --provider tfgrid
  --network NET         The ThreeFold grid network: main (default), test, qa or dev
  --passphrase-file FILE
                        The passphrase of this home's identity (else QSFS_PASSPHRASE),
                        when it is sealed with one: new local nodes get namespace
                        passwords derived from the identity`;

/** Mnemonics are 12 to 24 words (BIP-39); anything else is surely not one. */
const WORD_COUNTS = [12, 15, 18, 21, 24];

/** Thrown when the mnemonic file cannot be read or holds no mnemonic (exit 1, not 2). */
export class MnemonicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MnemonicError";
  }
}

/** The network flag, checked. @throws {UsageError} */
export function networkFlag(parsed: ParsedArgs): GridNetwork | undefined {
  const network = stringFlag(parsed, "network");
  if (network === undefined || isGridNetwork(network)) return network;
  throw new UsageError(
    `Cannot use --network "${network}": use ${GRID_NETWORKS.join(", ")}`,
  );
}

/**
 * The tfgrid settings for the daemon, or undefined when no mnemonic is given.
 * @throws {UsageError} for --network without a mnemonic; {MnemonicError} for a bad file
 */
export function gridSettings(parsed: ParsedArgs, deps: CliDeps): TfgridSettings | undefined {
  const network = networkFlag(parsed);
  const file = stringFlag(parsed, "mnemonic-file");
  let mnemonic = deps.env.mnemonic;
  if (file !== undefined) {
    try {
      mnemonic = deps.readSecretFile(resolve(file));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MnemonicError(`Cannot read the mnemonic from ${file}: ${reason}`);
    }
  }
  mnemonic = mnemonic?.trim().split(/\s+/).join(" ");
  if (mnemonic === undefined || mnemonic === "") {
    if (file !== undefined) throw new MnemonicError(`Cannot use ${file}: it holds no mnemonic`);
    if (network !== undefined) {
      throw new UsageError(
        "Cannot use --network without a mnemonic: give --mnemonic-file FILE or set QSFS_MNEMONIC",
      );
    }
    return undefined;
  }
  const words = mnemonic.split(" ").length;
  if (!WORD_COUNTS.includes(words)) {
    throw new MnemonicError(
      `Cannot use the mnemonic${
        file === undefined ? " in QSFS_MNEMONIC" : ` in ${file}`
      }: it has ${words} words, a mnemonic has 12 to 24`,
    );
  }
  return network === undefined ? { mnemonic } : { mnemonic, network };
}

/** The flags that hand the grid account to a daemon started in the background. */
export function gridServeArgs(parsed: ParsedArgs): string[] {
  const args: string[] = [];
  const file = stringFlag(parsed, "mnemonic-file");
  if (file !== undefined) args.push("--mnemonic-file", resolve(file));
  const network = networkFlag(parsed);
  if (network !== undefined) args.push("--network", network);
  const passphraseFile = stringFlag(parsed, "passphrase-file");
  if (passphraseFile !== undefined) args.push("--passphrase-file", resolve(passphraseFile));
  return args;
}

/**
 * The daemon's grid account: --mnemonic-file or QSFS_MNEMONIC when given (a grid
 * account other than the home's identity); else, when --network asks for the grid, the
 * words of the home's identity (`qsfs init` / `qsfs recover`), so one secret serves for
 * the data and the account. The grid client derives the account as the ThreeFold
 * dashboard does, so the identity must use that derivation.
 * @throws {UsageError} for --network with neither; {MnemonicError} for an identity that
 * cannot be used
 */
export async function daemonGridSettings(
  parsed: ParsedArgs,
  deps: CliDeps,
  home: string | undefined,
  passphrase: string | undefined,
): Promise<TfgridSettings | undefined> {
  const network = networkFlag(parsed);
  const explicit = stringFlag(parsed, "mnemonic-file") !== undefined ||
    (deps.env.mnemonic ?? "").trim() !== "";
  if (explicit || network === undefined || home === undefined) return gridSettings(parsed, deps);
  const { identityExists } = await import("../server/services/identity/secret_store.ts");
  if (!(await identityExists(home))) return gridSettings(parsed, deps);
  const identity = await import("../server/services/identity/mod.ts");
  let unlocked;
  try {
    unlocked = await identity.unlockIdentity(home, { passphrase });
  } catch (error) {
    if (!(error instanceof identity.IdentityLockedError)) throw error;
    throw new MnemonicError(`Cannot use the identity as the grid account: ${error.message}`);
  }
  const derivation = unlocked.publicIdentity.derivation;
  if (derivation !== "dashboard") {
    throw new MnemonicError(
      `Cannot use the identity as the grid account: its accounts use the "${derivation}" ` +
        "derivation, and the grid client derives them as the ThreeFold dashboard does; give " +
        "the account's words with --mnemonic-file FILE or QSFS_MNEMONIC",
    );
  }
  return { mnemonic: unlocked.secrets.mnemonic.phrase, network };
}
