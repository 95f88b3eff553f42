import assert from "node:assert/strict";
import { join } from "node:path";
import { parseArgs, UsageError } from "./args.ts";
import type { CliDeps } from "./command.ts";
import {
  daemonGridSettings,
  GRID_FLAGS,
  gridServeArgs,
  gridSettings,
  MnemonicError,
} from "./grid_flags.ts";
import { runCli } from "./run.ts";
import { type RecordedOutput, recordingDeps } from "./_testing.ts";

const WORDS = `${"abandon ".repeat(23)}art`;

function deps(env: CliDeps["env"] = {}): CliDeps & { out: RecordedOutput } {
  const { deps, out } = recordingDeps(env);
  return { ...deps, out };
}

const parse = (args: string[]) => parseArgs(args, GRID_FLAGS);

Deno.test("gridSettings() takes the mnemonic from --mnemonic-file, else QSFS_MNEMONIC, and the network", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qsfs_grid_flags_test_" });
  try {
    const file = join(dir, "mnemonic");
    await Deno.writeTextFile(file, `  ${WORDS.replaceAll(" ", "\n")}\n`, { mode: 0o600 });
    assert.deepEqual(gridSettings(parse(["--mnemonic-file", file, "--network", "test"]), deps()), {
      mnemonic: WORDS,
      network: "test",
    });
    assert.deepEqual(gridSettings(parse([]), deps({ mnemonic: WORDS })), { mnemonic: WORDS });
    assert.equal(gridSettings(parse([]), deps()), undefined, "no mnemonic: local only");

    assert.throws(() => gridSettings(parse(["--network", "mars"]), deps()), UsageError);
    assert.throws(
      () => gridSettings(parse(["--network", "dev"]), deps()),
      /Cannot use --network without a mnemonic/,
    );
    assert.throws(
      () => gridSettings(parse(["--mnemonic-file", join(dir, "missing")]), deps()),
      (error: unknown) =>
        error instanceof MnemonicError && /Cannot read the mnemonic from/.test(error.message),
    );
    await Deno.writeTextFile(file, "three short words");
    assert.throws(
      () => gridSettings(parse(["--mnemonic-file", file]), deps()),
      /it has 3 words, a mnemonic has 12 to 24/,
    );
    assert.deepEqual(gridServeArgs(parse(["--mnemonic-file", "m", "--network", "qa"])), [
      "--mnemonic-file",
      join(Deno.cwd(), "m"),
      "--network",
      "qa",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("qsfs serve and nodes check the grid flags before starting anything", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_grid_flags_test_" });
  try {
    const cases: [string[], number, RegExp][] = [
      [
        ["serve", "--network", "mars"],
        2,
        /^qsfs: Cannot use --network "mars": use main, test, qa, dev/,
      ],
      [["serve", "--network", "test"], 2, /^qsfs: Cannot use --network without a mnemonic/],
      [
        ["serve", "--mnemonic-file", join(home, "none")],
        1,
        /^qsfs: Cannot read the mnemonic from /,
      ],
      [["nodes", "list", "--network", "moon"], 2, /^qsfs: Cannot use --network "moon"/],
    ];
    for (const [args, code, message] of cases) {
      const cli = deps({ qsfsHome: home });
      assert.equal(await runCli(args, cli), code, args.join(" "));
      assert.match(cli.out.stderr, message, args.join(" "));
    }
    assert.deepEqual([...Deno.readDirSync(home)], [], "nothing was started");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("daemonGridSettings(): with --network and no mnemonic, the home identity's words", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_grid_identity_" });
  try {
    const { createIdentity, recoverIdentity } = await import(
      "../server/services/identity/mod.ts"
    );
    // No identity: as gridSettings() (--network alone is bad usage).
    await assert.rejects(
      daemonGridSettings(parse(["--network", "test"]), deps(), home, undefined),
      UsageError,
    );
    await recoverIdentity(home, WORDS);
    assert.deepEqual(
      await daemonGridSettings(parse(["--network", "test"]), deps(), home, undefined),
      { mnemonic: WORDS, network: "test" },
    );
    // Without --network the daemon stays local; explicit words win over the identity.
    assert.equal(await daemonGridSettings(parse([]), deps(), home, undefined), undefined);
    const other = "legal winner thank year wave sausage worth useful legal winner thank yellow";
    assert.deepEqual(
      await daemonGridSettings(
        parse(["--network", "qa"]),
        deps({ mnemonic: other }),
        home,
        undefined,
      ),
      { mnemonic: other, network: "qa" },
    );
    // An identity whose accounts follow the Connect app cannot be the grid client's account.
    await createIdentity(home, { derivation: "connect", force: true });
    await assert.rejects(
      daemonGridSettings(parse(["--network", "test"]), deps(), home, undefined),
      (error: unknown) =>
        error instanceof MnemonicError && /uses? the "connect" derivation/.test(error.message),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
