/**
 * `qsfs recover`: takes recovery words (typed on stdin, or from a file),
 * checks them, and stores the identity they give. Bad words write nothing.
 *
 * @module
 */
import { booleanFlag, type FlagSpec, type ParsedArgs, stringFlag, UsageError } from "./args.ts";
import type { Command, CommandContext } from "./command.ts";
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

Recreates an identity from its recovery words (12 or 24 BIP39 words): the keys
that encrypt your files and your TFChain and Stellar accounts. The words are
read from FILE, else from stdin (typed on one line, or piped). They are checked
first (every word, and the checksum); on a mistake nothing is written. They are
stored encrypted in <home>/identity.json (mode 0600) and never printed.

This brings back the identity and the accounts. Files are not brought back from
the storage nodes yet.

Flags:
  --mnemonic-file FILE        Read the words from FILE instead of stdin
${SAVE_FLAGS_USAGE}
  -h, --help                  Show this help
`;

const FLAGS: FlagSpec = { ...SAVE_FLAGS, "mnemonic-file": { type: "string" } };

export const recoverCommand: Command = {
  name: "recover",
  summary: "Recreate an identity from its recovery words",
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
  const { deps } = context;
  const home = requireHome(context, "recover an identity");
  const derivation = derivationFlag(parsed);
  const passphrase = passphraseFrom(parsed, deps);
  const tfchainSecret = tfchainSecretFrom(parsed, deps);
  const file = stringFlag(parsed, "mnemonic-file");
  let words: string;
  if (file !== undefined) {
    words = readSecret(file, "recovery words", deps);
  } else if (deps.readStdin !== undefined) {
    words = await deps.readStdin("Type your 12 or 24 recovery words on one line, then Enter:\n");
  } else {
    throw new Error("Cannot read the recovery words: no stdin here; use --mnemonic-file");
  }
  const identity = await import("../server/services/identity/mod.ts");
  const view = await identity.recoverIdentity(home, words, {
    derivation,
    passphrase,
    tfchainSecret,
    force: booleanFlag(parsed, "force"),
  });
  const accounts = view.accounts[view.derivation]!;
  if (booleanFlag(parsed, "json")) {
    deps.stdout(`${JSON.stringify(publicIdentityJson(view, accounts), null, 2)}\n`);
    return 0;
  }
  deps.stdout(
    `Recovered the identity into ${home}.\n` +
      `${protectionNote(home, passphrase !== undefined)}\n` +
      "Files are not brought back from the storage nodes yet; the identity and accounts are.\n\n" +
      formatPublicIdentity(view, accounts),
  );
  return 0;
}
