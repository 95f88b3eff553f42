/**
 * `qsfs recover`: takes recovery words (typed on stdin, or from a file),
 * checks them, and stores the identity they give (bad words write nothing);
 * then brings the filesystem back from the home's storage nodes.
 *
 * @module
 */
import { resolve } from "node:path";
import { booleanFlag, type FlagSpec, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import { type CliDeps, type Command, type CommandContext, errorMessage } from "./command.ts";
import { geometryFlags } from "./pool_setup.ts";
import { identityKeys } from "./pool_state.ts";
import {
  type FilesystemRecovery,
  formatRecovered,
  homeHasNodes,
  type RecoveredFilesystem,
  recoverFilesystemFromNodes,
} from "./recover_filesystem.ts";
import {
  derivationFlag,
  formatPublicIdentity,
  passphraseFrom,
  protectionNote,
  publicIdentityJson,
  readSecret,
  requireHome,
  SAVE_FLAGS,
  SAVE_FLAGS_USAGE,
  tfchainSecretFrom,
} from "./identity_flags.ts";

const USAGE = `Usage: qsfs recover [--mnemonic-file FILE] [flags]
       qsfs recover --filesystem-only [--state DIR] [--passphrase-file FILE]

Recreates an identity from its recovery words (12 or 24 BIP39 words): the keys
that encrypt your files and your TFChain and Stellar accounts. The words are
read from FILE, else from stdin (typed on one line, or piped). They are checked
first (every word, and the checksum); on a mistake nothing is written. They are
stored encrypted in <home>/identity.json (mode 0600) and never printed.

Then, when this home records storage nodes (qsfs nodes list), it brings the
filesystem back from them into an empty state directory (default <home>/fs):
the newest metadata the nodes hold, with every file's data left on the nodes
until it is read. "qsfs mount DIR" then shows the tree. A state directory that
already holds a filesystem is refused; nothing is deleted. The daemon, which
runs the local nodes, is started in the background when none runs.

--filesystem-only skips the identity step and uses the identity this home
already holds (after "qsfs init" or an earlier "qsfs recover").

Flags:
  --mnemonic-file FILE        Read the words from FILE instead of stdin
  --filesystem-only           Recover the filesystem only, with this home's identity
  --state DIR                 The (empty) state directory to recover into (default:
                              <home>/fs, or where the home's pool filesystem was)
  --data-shards K             With --parity-shards: the geometry of new chunks when the
  --parity-shards M           home has none yet (default: from the number of nodes)
${SAVE_FLAGS_USAGE}
  -h, --help                  Show this help
`;

const FLAGS: FlagSpec = {
  ...SAVE_FLAGS,
  "mnemonic-file": { type: "string" },
  "filesystem-only": { type: "boolean" },
  state: { type: "string" },
  "data-shards": { type: "string" },
  "parity-shards": { type: "string" },
};

export const recoverCommand: Command = {
  name: "recover",
  summary: "Recreate an identity from its recovery words, and the filesystem from the nodes",
  usage: USAGE,
  flags: FLAGS,
  run: runRecover,
};

async function runRecover(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  if (parsed.positionals.length > 0) {
    // Words given as arguments would be visible to every user in the process list.
    throw new UsageError(
      "Cannot run recover: give the words on stdin or with --mnemonic-file, not as arguments",
    );
  }
  const stateFlag = stringFlag(parsed, "state");
  if (stateFlag === "") throw new UsageError("Cannot use --state: the path is empty");
  const requested = geometryFlags(parsed);
  const home = requireHome(context, "recover an identity");
  const passphrase = passphraseFrom(parsed, context.deps);
  const passphraseFile = stringFlag(parsed, "passphrase-file");
  const recovery = {
    home,
    stateFlag,
    requested,
    serveArgs: passphraseFile === undefined ? [] : ["--passphrase-file", resolve(passphraseFile)],
  };
  if (booleanFlag(parsed, "filesystem-only")) {
    for (const flag of ["mnemonic-file", "derivation", "tfchain-secret-file", "force"]) {
      if (parsed.flags[flag] !== undefined) {
        throw new UsageError(
          `Cannot use --${flag} with --filesystem-only: it uses the identity this home holds`,
        );
      }
    }
    const keys = await identityKeys(home, passphrase, "recover the filesystem");
    const recovered = await recoverFilesystemFromNodes({ ...recovery, keys }, context);
    context.deps.stdout(
      booleanFlag(parsed, "json")
        ? `${JSON.stringify({ filesystem: recovered }, null, 2)}\n`
        : formatRecovered(recovered),
    );
    return 0;
  }
  return await recoverAll(parsed, context, { ...recovery, passphrase });
}

async function recoverAll(
  parsed: ParsedArgs,
  context: CommandContext,
  recovery: Omit<FilesystemRecovery, "keys"> & { passphrase: string | undefined },
): Promise<number> {
  const { deps } = context;
  const { home, passphrase } = recovery;
  const derivation = derivationFlag(parsed);
  const tfchainSecret = tfchainSecretFrom(parsed, deps);
  const words = await readWords(parsed, deps);
  const identity = await import("../server/services/identity/mod.ts");
  let view;
  try {
    view = await identity.recoverIdentity(home, words, {
      derivation,
      passphrase,
      tfchainSecret,
      force: booleanFlag(parsed, "force"),
    });
  } catch (error) {
    if (!(error instanceof identity.IdentityExistsError)) throw error;
    throw new Error(
      `${error.message}. To bring back the filesystem with the identity this home holds, ` +
        "run qsfs recover --filesystem-only",
    );
  }
  const accounts = view.accounts[view.derivation]!;
  const json = booleanFlag(parsed, "json");
  if (!json) {
    deps.stdout(
      `Recovered the identity into ${home}.\n` +
        `${protectionNote(home, passphrase !== undefined)}\n\n` +
        formatPublicIdentity(view, accounts),
    );
  }
  let filesystem: RecoveredFilesystem | undefined;
  if (homeHasNodes(home)) {
    const keys = identity.deriveQsfsKeys(identity.parseMnemonic(words));
    try {
      filesystem = await recoverFilesystemFromNodes({ ...recovery, keys }, context);
    } catch (error) {
      deps.stderr(
        `qsfs: ${errorMessage(error)}\nqsfs: the identity is restored; once the storage nodes ` +
          "answer, run qsfs recover --filesystem-only\n",
      );
      return 1;
    }
    if (!json) deps.stdout(`\n${formatRecovered(filesystem)}`);
  } else if (!json) {
    deps.stdout(
      "\nThis home records no storage nodes, so there is no filesystem to bring back yet. " +
        "Once it has them\n(qsfs nodes list), run qsfs recover --filesystem-only.\n",
    );
  }
  if (json) {
    // "filesystem" only when one was recovered: the identity's JSON stays as `qsfs identity` prints it.
    const body = {
      ...publicIdentityJson(view, accounts),
      ...(filesystem === undefined ? {} : { filesystem }),
    };
    deps.stdout(`${JSON.stringify(body, null, 2)}\n`);
  }
  return 0;
}

async function readWords(parsed: ParsedArgs, deps: CliDeps): Promise<string> {
  const file = stringFlag(parsed, "mnemonic-file");
  if (file !== undefined) return readSecret(file, "recovery words", deps);
  if (deps.readStdin !== undefined) {
    return await deps.readStdin("Type your 12 or 24 recovery words on one line, then Enter:\n");
  }
  throw new Error("Cannot read the recovery words: no stdin here; use --mnemonic-file");
}
