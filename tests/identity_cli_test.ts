/**
 * `qsfs init`, `qsfs recover` and `qsfs identity` as a person runs them:
 * `deno run -A main.ts --home TMP ...` in child processes, words piped on stdin.
 * Checks the file modes, that no secret reaches stdout or stderr (except the
 * one-time display of `init`), and that bad input writes nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { qsfs, WORDS as ZERO_24 } from "./e2e/_home.ts";

/** The Connect app's TFChain Secret of ZERO_24 (server/services/identity/vectors_test.ts). */
const DAILY_SEED_ZERO = "0xb0eeeb9038ab0b898bc387313f6cd9fc142d908aa5ae9e6f149b85aff087d75a";
const CONNECT_TFCHAIN_ZERO = "5DFqGKXr2BAGptCP7TUtb5X3FqLuR5ugU5ZaeyojKNLLGus6";
const DASHBOARD_TFCHAIN_ZERO = "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH";

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "qsfs_identity_cli_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mode(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

async function listing(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** The words of `init`'s display, in order. */
function shownWords(stdout: string): string[] {
  const cells = [...stdout.matchAll(/(\d+)\. ([a-z]+)/g)];
  return cells.sort((a, b) => Number(a[1]) - Number(b[1])).map((cell) => cell[2]!);
}

function assertNoWords(text: string, words: readonly string[], where: string) {
  for (let index = 1; index < words.length; index++) {
    const pair = `${words[index - 1]} ${words[index]}`;
    assert.ok(!text.includes(pair), `${where} holds the words "${pair}"`);
  }
}

Deno.test("qsfs init shows 24 words once; recover on another home gives the same identity", async () => {
  await withDir(async (dir) => {
    const home = join(dir, "first");
    const init = await qsfs(home, ["init"]);
    assert.equal(init.code, 0, init.stderr);
    const words = shownWords(init.stdout);
    assert.equal(words.length, 24);
    assert.match(init.stdout, /shown only this once/);
    assert.equal(await mode(home), 0o700);
    assert.equal(await mode(join(home, "identity.json")), 0o600);
    assert.equal(await mode(join(home, "identity.key")), 0o600);
    assertNoWords(await Deno.readTextFile(join(home, "identity.json")), words, "identity.json");

    const [shown, again] = await Promise.all([
      qsfs(home, ["identity", "--json"]),
      qsfs(home, ["init"]),
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    assertNoWords(shown.stdout + shown.stderr, words, "qsfs identity");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^qsfs: Cannot write an identity in .*: one exists already/);
    assert.equal(again.stdout, "");

    const other = join(dir, "second");
    const recovered = await qsfs(other, ["recover", "--json"], { stdin: `${words.join(" ")}\n` });
    assert.equal(recovered.code, 0, recovered.stderr);
    assertNoWords(recovered.stdout + recovered.stderr, words, "qsfs recover");
    assert.deepEqual(JSON.parse(recovered.stdout), JSON.parse(shown.stdout));
  });
});

Deno.test("qsfs recover refuses bad words with a clear error and writes nothing", async () => {
  await withDir(async (dir) => {
    const bad = ZERO_24.split(" ");
    bad[6] = "xyz";
    const cases: [string, RegExp][] = [
      [
        bad.join(" "),
        /^qsfs: Cannot use mnemonic: word 7 'xyz' is not in the BIP39 English list\n$/,
      ],
      ["abandon ".repeat(24), /^qsfs: Cannot use mnemonic: checksum does not match/],
      ["abandon ".repeat(5), /^qsfs: Cannot use mnemonic: expected 12 or 24 words, got 5\n$/],
      ["", /^qsfs: Cannot use mnemonic: expected 12 or 24 words, got 0\n$/],
    ];
    const home = join(dir, "home");
    const results = await Promise.all(
      cases.map(([words]) => qsfs(home, ["recover"], { stdin: words })),
    );
    for (const [index, result] of results.entries()) {
      assert.equal(result.code, 1, cases[index]![0]);
      assert.match(result.stderr, cases[index]![1]);
      assert.equal(result.stdout, "");
    }
    const usage = await qsfs(home, ["recover", ...ZERO_24.split(" ")]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give the words on stdin or with --mnemonic-file, not as arguments/);
    assert.deepEqual(await listing(home), []);
    const missing = await qsfs(home, ["identity"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot find an identity in .*: run "qsfs init"/);
  });
});

Deno.test("qsfs recover with files: passphrase, connect derivation, TFChain secret", async () => {
  await withDir(async (dir) => {
    const wordsFile = join(dir, "words.txt");
    const passphraseFile = join(dir, "passphrase.txt");
    const secretFile = join(dir, "tfchain_secret.txt");
    await Deno.writeTextFile(wordsFile, `${ZERO_24}\n`);
    await Deno.writeTextFile(passphraseFile, "correct horse battery staple\n");
    await Deno.writeTextFile(secretFile, `${DAILY_SEED_ZERO}\n`);
    const sealed = join(dir, "sealed");
    const connect = join(dir, "connect");
    const [withPassphrase, withConnect, withSecret] = await Promise.all([
      qsfs(sealed, ["recover", "--mnemonic-file", wordsFile, "--passphrase-file", passphraseFile]),
      qsfs(connect, ["recover", "--derivation", "connect"], {
        stdin: ZERO_24,
        env: { QSFS_PASSPHRASE: "from the environment" },
      }),
      qsfs(join(dir, "secret"), [
        "recover",
        "--mnemonic-file",
        wordsFile,
        "--derivation",
        "tfchain-secret",
        "--tfchain-secret-file",
        secretFile,
        "--json",
      ]),
    ]);
    for (const result of [withPassphrase, withConnect, withSecret]) {
      assert.equal(result.code, 0, result.stderr);
      assertNoWords(result.stdout + result.stderr, ZERO_24.split(" "), "qsfs recover");
      assert.ok(!result.stdout.includes(DAILY_SEED_ZERO.slice(2)));
    }
    assert.match(withPassphrase.stdout, /encrypted with a key from your passphrase/);
    assert.match(withPassphrase.stdout, new RegExp(`TFChain +${DASHBOARD_TFCHAIN_ZERO}`));
    assert.deepEqual(await listing(sealed), ["identity.json"]);
    assert.deepEqual(await listing(connect), ["identity.json"]);
    assert.match(withConnect.stdout, new RegExp(`TFChain +${CONNECT_TFCHAIN_ZERO}`));
    assert.match(
      withConnect.stdout,
      /3Bot public key +O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=/,
    );
    const secretView = JSON.parse(withSecret.stdout);
    assert.equal(secretView.derivation, "tfchain-secret");
    assert.equal(secretView.tfchain.address, CONNECT_TFCHAIN_ZERO);

    const [dashboard, unavailable, badFlag] = await Promise.all([
      qsfs(connect, ["identity", "--json", "--derivation", "dashboard"]),
      qsfs(connect, ["identity", "--derivation", "tfchain-secret"]),
      qsfs(connect, ["identity", "--derivation", "wallet"]),
    ]);
    assert.equal(JSON.parse(dashboard.stdout).tfchain.address, DASHBOARD_TFCHAIN_ZERO);
    assert.equal(unavailable.code, 1);
    assert.match(unavailable.stderr, /Cannot use derivation "tfchain-secret"/);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /Cannot use --derivation "wallet": use dashboard, connect/);
  });
});

Deno.test("qsfs init --force replaces an identity; a bad secret file writes nothing", async () => {
  await withDir(async (dir) => {
    const home = join(dir, "home");
    const first = await qsfs(home, ["init", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /holds your recovery words/);
    const before = await Deno.readTextFile(join(home, "identity.json"));
    const secretFile = join(dir, "bad_secret.txt");
    await Deno.writeTextFile(secretFile, "0x1234");
    const refused = await qsfs(home, ["init", "--force", "--tfchain-secret-file", secretFile]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^qsfs: Cannot use the TFChain secret: expected "0x" and 64 hex/);
    assert.equal(await Deno.readTextFile(join(home, "identity.json")), before);
    const forced = await qsfs(home, ["init", "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(JSON.parse(forced.stdout).mnemonic, JSON.parse(first.stdout).mnemonic);
    assert.notEqual(await Deno.readTextFile(join(home, "identity.json")), before);
  });
});
