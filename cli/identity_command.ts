/**
 * `qsfs identity`: prints the public identity (addresses and public keys).
 * It needs no passphrase and prints no secret.
 *
 * @module
 */
import { booleanFlag, type ParsedArgs, UsageError } from "./args.ts";
import type { Command, CommandContext } from "./command.ts";
import {
  DERIVATION_FLAG,
  derivationFlag,
  formatPublicIdentity,
  publicIdentityJson,
  requireHome,
} from "./identity_flags.ts";

const USAGE = `Usage: qsfs identity [--derivation D] [--json]

Prints the public identity stored in the home: the qsfs identity key, and the
TFChain and Stellar accounts of one derivation (the one chosen at init or
recover, unless --derivation names another). No secret is printed.

Flags:
  --derivation D  dashboard, connect or tfchain-secret (see "qsfs help init")
  --json          Print JSON
  -h, --help      Show this help
`;

export const identityCommand: Command = {
  name: "identity",
  summary: "Show the public identity: accounts and public keys",
  usage: USAGE,
  flags: { ...DERIVATION_FLAG, json: { type: "boolean" } },
  run: runIdentity,
};

async function runIdentity(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Cannot run identity: unexpected argument "${parsed.positionals[0]}"`);
  }
  const home = requireHome(context, "show the identity");
  const derivation = derivationFlag(parsed);
  const identity = await import("../server/services/identity/mod.ts");
  const { publicIdentity, accounts } = await identity.readPublicIdentity(home, derivation);
  context.deps.stdout(
    booleanFlag(parsed, "json")
      ? `${JSON.stringify(publicIdentityJson(publicIdentity, accounts), null, 2)}\n`
      : formatPublicIdentity(publicIdentity, accounts),
  );
  return 0;
}
