import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DerivationUnavailableError,
  IdentityCorruptError,
  IdentityExistsError,
  IdentityLockedError,
  IdentityNotFoundError,
  InvalidMnemonicError,
  InvalidTfchainSecretError,
} from "./errors.ts";
import {
  createIdentity,
  readPublicIdentity,
  recoverIdentity,
  unlockIdentity,
} from "./identity_service.ts";
import { toHex } from "./encoding.ts";
import { IDENTITY_FILE_NAME, LOCAL_KEY_FILE_NAME } from "./secret_store.ts";

/** scrypt at 2^10 keeps these tests fast; the CLI tests use the real cost. */
const FAST = { scrypt: { N: 2 ** 10, r: 8, p: 1 } };
const ZERO_24 = "abandon ".repeat(23) + "art";
const DEV_12 = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const DATA_KEY_ZERO = "1a16d82a6ecaacad2a34e5d0b597eeb49c5744e9afb52342269eff6e3b341c4e";
const DAILY_SEED_ZERO = "0xb0eeeb9038ab0b898bc387313f6cd9fc142d908aa5ae9e6f149b85aff087d75a";

async function withHome(body: (home: string) => Promise<void>) {
  const parent = await Deno.makeTempDir({ prefix: "qsfs_identity_test_" });
  try {
    await body(join(parent, "home"));
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

async function mode(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

Deno.test("createIdentity() writes 0600 files that hold no word in the clear", async () => {
  await withHome(async (home) => {
    const created = await createIdentity(home, FAST);
    assert.equal(created.mnemonic.words.length, 24);
    assert.equal(await mode(join(home, IDENTITY_FILE_NAME)), 0o600);
    assert.equal(await mode(join(home, LOCAL_KEY_FILE_NAME)), 0o600);
    assert.equal(await mode(home), 0o700);
    const text = await Deno.readTextFile(join(home, IDENTITY_FILE_NAME));
    const { words, entropy } = created.mnemonic;
    for (let index = 1; index < words.length; index++) {
      const pair = `${words[index - 1]} ${words[index]}`;
      assert.ok(!text.includes(pair), `identity.json holds "${pair}"`);
    }
    assert.ok(!text.includes(toHex(entropy)));
    const unlocked = await unlockIdentity(home);
    assert.equal(unlocked.secrets.mnemonic.phrase, created.mnemonic.phrase);
    assert.deepEqual(unlocked.publicIdentity, created.publicIdentity);
    const shown = await readPublicIdentity(home);
    assert.equal(shown.accounts.derivation, "dashboard");
    assert.deepEqual(shown.publicIdentity, created.publicIdentity);
  });
});

Deno.test("createIdentity() refuses to replace an identity unless forced", async () => {
  await withHome(async (home) => {
    const first = await createIdentity(home, FAST);
    await assert.rejects(createIdentity(home, FAST), IdentityExistsError);
    assert.equal((await unlockIdentity(home)).secrets.mnemonic.phrase, first.mnemonic.phrase);
    const second = await createIdentity(home, { ...FAST, force: true });
    assert.equal((await unlockIdentity(home)).secrets.mnemonic.phrase, second.mnemonic.phrase);
  });
});

Deno.test("a passphrase seals the identity: no local key, and the wrong one opens nothing", async () => {
  await withHome(async (home) => {
    await recoverIdentity(home, ZERO_24, { ...FAST, passphrase: "correct horse" });
    await assert.rejects(Deno.stat(join(home, LOCAL_KEY_FILE_NAME)), Deno.errors.NotFound);
    await assert.rejects(unlockIdentity(home), IdentityLockedError);
    await assert.rejects(unlockIdentity(home, { passphrase: "wrong horse" }), IdentityLockedError);
    const unlocked = await unlockIdentity(home, { passphrase: "correct horse" });
    assert.equal(toHex(unlocked.keys.dataKey), DATA_KEY_ZERO);
    // Public data needs no passphrase.
    const shown = await readPublicIdentity(home, "connect");
    assert.equal(
      shown.accounts.tfchain.address,
      "5DFqGKXr2BAGptCP7TUtb5X3FqLuR5ugU5ZaeyojKNLLGus6",
    );
  });
});

Deno.test("recoverIdentity() writes nothing for bad words or a bad TFChain secret", async () => {
  await withHome(async (home) => {
    await assert.rejects(recoverIdentity(home, "abandon ".repeat(24), FAST), InvalidMnemonicError);
    await assert.rejects(
      recoverIdentity(home, ZERO_24, { ...FAST, tfchainSecret: "0x1234" }),
      InvalidTfchainSecretError,
    );
    await assert.rejects(
      recoverIdentity(home, DEV_12, { ...FAST, derivation: "connect" }),
      (error: unknown) =>
        error instanceof DerivationUnavailableError &&
        /the ThreeFold Connect app uses 24 words, these are 12/.test(error.message),
    );
    await assert.rejects(Deno.stat(home), Deno.errors.NotFound);
    await assert.rejects(readPublicIdentity(home), IdentityNotFoundError);
  });
});

Deno.test("a TFChain secret gives the Connect app's accounts under tfchain-secret", async () => {
  await withHome(async (home) => {
    const view = await recoverIdentity(home, DEV_12, {
      ...FAST,
      derivation: "tfchain-secret",
      tfchainSecret: DAILY_SEED_ZERO,
    });
    assert.deepEqual(Object.keys(view.accounts), ["dashboard", "tfchain-secret"]);
    const shown = await readPublicIdentity(home);
    assert.equal(shown.accounts.derivation, "tfchain-secret");
    assert.equal(
      shown.accounts.tfchain.address,
      "5DFqGKXr2BAGptCP7TUtb5X3FqLuR5ugU5ZaeyojKNLLGus6",
    );
    await assert.rejects(readPublicIdentity(home, "connect"), DerivationUnavailableError);
    const unlocked = await unlockIdentity(home);
    assert.equal(toHex(unlocked.secrets.tfchainSecret!), DAILY_SEED_ZERO.slice(2));
  });
});

Deno.test("unlockIdentity() notices a changed address or a damaged file", async () => {
  await withHome(async (home) => {
    await recoverIdentity(home, ZERO_24, FAST);
    const path = join(home, IDENTITY_FILE_NAME);
    const original = await Deno.readTextFile(path);
    const file = JSON.parse(original);
    file.public.accounts.dashboard.stellar.address =
      "GDRXE2BQUC3AZNPVFSCEZ76NJ3WWL25FYFK6RGZGIEKWE4SOOHSUJUJ6";
    await Deno.writeTextFile(path, JSON.stringify(file));
    await assert.rejects(unlockIdentity(home), IdentityCorruptError);
    await Deno.writeTextFile(path, "{not json");
    await assert.rejects(readPublicIdentity(home), IdentityCorruptError);
    await Deno.writeTextFile(path, original);
    await Deno.remove(join(home, LOCAL_KEY_FILE_NAME));
    await assert.rejects(unlockIdentity(home), IdentityCorruptError);
  });
});
