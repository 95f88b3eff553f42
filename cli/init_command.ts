/**
 * `qsfs init`: makes a new identity (24 new words), shows the words once,
 * and stores them encrypted in the home.
 *
 * @module
 */
import { booleanFlag, type ParsedArgs, UsageError } from "./args.ts";
import type { Command, CommandContext } from "./command.ts";
import {
  derivationFlag,
  formatPublicIdentity,
  passphraseFrom,
  protectionNote,
  publicIdentityJson,
  requireHome,
  SAVE_FLAGS,
  SAVE_FLAGS_USAGE,
  tfchainSecretFrom,
} from "./identity_flags.ts";

const USAGE = `Usage: qsfs init [flags]

Makes a new identity: 24 new recovery words (BIP39, 256 bits from the system's
random source), and from them the keys that encrypt your files and your
TFChain and Stellar accounts. The words are printed once, here, and never
again: write them down. They are stored encrypted in <home>/identity.json
(mode 0600). Refuses to replace an identity unless --force is given.

Flags:
${SAVE_FLAGS_USAGE}
  -h, --help                  Show this help
`;

export const initCommand: Command = {
  name: "init",
  summary: "Make a new identity (24 recovery words) and store it encrypted",
  usage: USAGE,
  flags: SAVE_FLAGS,
  run: runInit,
};

async function runInit(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Cannot run init: unexpected argument "${parsed.positionals[0]}"`);
  }
  const { deps } = context;
  const home = requireHome(context, "make an identity");
  const derivation = derivationFlag(parsed);
  const passphrase = passphraseFrom(parsed, deps);
  const tfchainSecret = tfchainSecretFrom(parsed, deps);
  const identity = await import("../server/services/identity/mod.ts");
  const created = await identity.createIdentity(home, {
    derivation,
    passphrase,
    tfchainSecret,
    force: booleanFlag(parsed, "force"),
  });
  const view = created.publicIdentity;
  const accounts = view.accounts[view.derivation]!;
  if (booleanFlag(parsed, "json")) {
    deps.stderr(
      "qsfs: the JSON on stdout holds your recovery words: keep it safe, then delete it\n",
    );
    const shown = { mnemonic: created.mnemonic.phrase, ...publicIdentityJson(view, accounts) };
    deps.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  }
  deps.stdout(
    `Your 24 recovery words (shown only this once):\n\n${formatWords(created.mnemonic.words)}\n` +
      "Write them down, in order, and keep them offline. They are the only way to get your\n" +
      "files and accounts back on another machine, and anyone who has them controls both.\n" +
      "qsfs cannot show them again.\n\n" +
      `${protectionNote(home, passphrase !== undefined)}\n\n` +
      formatPublicIdentity(view, accounts),
  );
  return 0;
}

/** Words numbered in rows of four: " 1. abandon    2. ability ...". */
export function formatWords(words: readonly string[]): string {
  const cells = words.map((word, index) => `${String(index + 1).padStart(2)}. ${word.padEnd(9)}`);
  const rows: string[] = [];
  for (let start = 0; start < cells.length; start += 4) {
    rows.push(`  ${cells.slice(start, start + 4).join(" ").trimEnd()}`);
  }
  return `${rows.join("\n")}\n`;
}
