/**
 * Pinned derivations: every value IDENTITY.md (derivation v1) gives for fixed
 * mnemonics. A change here means people's keys, accounts and data would move:
 * never edit a value to make a test pass; add a new derivation version instead.
 *
 * Values checked against published vectors are marked (published):
 * the BIP39 seeds (trezor/python-mnemonic vectors.json), SEP-0005 test 1
 * (stellar-protocol ecosystem/sep-0005.md) and the substrate dev phrase
 * (Substrate's DEV_PHRASE / DEV_ADDRESS). The others were computed by this
 * code and cross-checked step by step in cross_check_test.ts.
 */
import assert from "node:assert/strict";
import { deriveAccounts } from "./accounts.ts";
import { connectSecrets } from "./connect.ts";
import { toBase64, toHex } from "./encoding.ts";
import { bip39Seed, parseMnemonic } from "./mnemonic.ts";
import { buildPublicIdentity } from "./public_identity.ts";
import { deriveQsfsKeys, namespacePassword } from "./qsfs_keys.ts";
import { sep5RawSeed, stellarAccount, stellarSecretSeed } from "./stellar.ts";

/** BIP39 vector: all-zero entropy, 24 words. */
const ZERO_24 = "abandon ".repeat(23) + "art";
/** BIP39 vector: entropy 7f x 32, 24 words. */
const LEGAL_24 = "legal winner thank year wave sausage worth useful ".repeat(2) +
  "legal winner thank year wave sausage worth title";
/** Substrate's DEV_PHRASE (12 words). */
const DEV_12 = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
/** SEP-0005 test 1 (12 words). */
const SEP5_12 = "illness spike retreat truth genius clock brain pass fit cave bargain toe";

interface QsfsVector {
  phrase: string;
  seed: string;
  identityPublicKey: string;
  dataKey: string;
  metadataKey: string;
  superblockKey: string;
  superblockName: string;
  /** Namespace passwords of nodes "local-3f9a0c1e" and "tfgrid-1234-56". */
  namespacePasswords: [string, string];
}

const QSFS_VECTORS: QsfsVector[] = [
  {
    phrase: ZERO_24,
    seed: "408b285c123836004f4b8842c89324c1f01382450c0d439af345ba7fc49acf70" +
      "5489c6fc77dbd4e3dc1dd8cc6bc9f043db8ada1e243c4a0eafb290d399480840",
    identityPublicKey: "f16cffe3e63e1cc47765096807cbccc13196def1e71640f05ef8415800b93d5c",
    dataKey: "1a16d82a6ecaacad2a34e5d0b597eeb49c5744e9afb52342269eff6e3b341c4e",
    metadataKey: "3ba971aace0e269b8401f11c4759875182920d6364c5bf785afd251bf42f4067",
    superblockKey: "403b90ba05f3e60ab21817f56a4b532f0fffeba4ae14b3748c5e71cde9487f93",
    superblockName: "qsfs-superblock-v1-086a573be60675293889e9449f9e64fb",
    namespacePasswords: ["bOuIs4iy9KXDOMzxVJWqOM0WTyO0DPfz", "1-YEiTM4p7BAgKq2s8CBh9KUWP9f5ALr"],
  },
  {
    phrase: LEGAL_24,
    seed: "761914478ebf6fe16185749372e91549361af22b386de46322cf8b1ba7e92e80" +
      "c4af05196f742be1e63aab603899842ddadf4e7248d8e43870a4b6ff9bf16324",
    identityPublicKey: "2cfd7419d7b7227e13d58feb993f9aebd8ae102125372081f89fbaf27f8329cb",
    dataKey: "a56b23088cb28884a91ad90c6c6a7979cada7486decf3dc188a29674d958c8b9",
    metadataKey: "b1f8d7e7597cadddac41849a00871570ba07fbe76a0213dee3a92c547f7bfca3",
    superblockKey: "f09a7dcf6c5abd143055feb284b683670ec6ec8e53a583ced94c38ce8512a9d8",
    superblockName: "qsfs-superblock-v1-1f293b6a39c58b15b12e4faf6f3f5fdb",
    namespacePasswords: ["Mj8Oezm16SzKrdoUCVwFN-1RK81Xyuxb", "C4mFp4P4IpUfQvBvWqQqtbAakeRXxWDz"],
  },
];

for (const vector of QSFS_VECTORS) {
  Deno.test(`deriveQsfsKeys() gives the pinned v1 keys of "${vector.phrase.slice(0, 20)}..."`, () => {
    const mnemonic = parseMnemonic(vector.phrase);
    assert.equal(toHex(bip39Seed(mnemonic)), vector.seed);
    const keys = deriveQsfsKeys(mnemonic);
    assert.equal(toHex(keys.identity.publicKey), vector.identityPublicKey);
    assert.equal(toHex(keys.dataKey), vector.dataKey);
    assert.equal(toHex(keys.metadataKey), vector.metadataKey);
    assert.equal(toHex(keys.superblockKey), vector.superblockKey);
    assert.equal(keys.superblockName, vector.superblockName);
    assert.deepEqual(
      [namespacePassword(keys, "local-3f9a0c1e"), namespacePassword(keys, "tfgrid-1234-56")],
      vector.namespacePasswords,
    );
  });
}

Deno.test("dashboard derivation: pinned TFChain and SEP-0005 Stellar accounts", async () => {
  const cases = [
    {
      phrase: ZERO_24,
      tfchain: "5EPCUjPxiHAcNooYipQFWr9NmmXJKpNG5RhcntXwbtUySrgH",
      tfchainPublicKey: "66933bd1f37070ef87bd1198af3dacceb095237f803f3d32b173e6b425ed7972",
      stellar: "GB3TCCIC6KLYKM72PX7KA6RNYC2BHC7DQYDMEAAN7PDMUZQD7UKJGSSY",
    },
    {
      phrase: LEGAL_24,
      tfchain: "5Dvz1qwrSmKZkD82LgS7mrsgJSQMExLp3eZHHwfm7MqKs3nd",
      tfchainPublicKey: "5294e5a4859a235bed10b8a38cf5e832f1a2b560c36533a36200fc4cba1ad171",
      stellar: "GBYJ2UAQFX2YLLKRG42SJXOV5XRVJB3G6EYDPOTLLKMWMYAWFVWUEWMB",
    },
    {
      phrase: DEV_12, // (published) Substrate DEV_ADDRESS and its public key
      tfchain: "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV",
      tfchainPublicKey: "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a",
      stellar: "GCJBFDWBKGQW5ARTOOI35SDNEDCH2X3DCIIB5LARIUDBN5YBJZB2IZ25",
    },
    {
      phrase: SEP5_12, // (published) SEP-0005 test 1, account 0
      tfchain: "5CXZekcjoYstFatezxVd5GodJiuEvSHJhzR3RVpyqYeNbyHG",
      tfchainPublicKey: "147c0100f017406e8dee88c52456852b2d6bdd8410bf66e2d36bf2b56a653705",
      stellar: "GDRXE2BQUC3AZNPVFSCEZ76NJ3WWL25FYFK6RGZGIEKWE4SOOHSUJUJ6",
    },
  ];
  for (const expected of cases) {
    const accounts = await deriveAccounts(
      { mnemonic: parseMnemonic(expected.phrase) },
      "dashboard",
    );
    assert.equal(accounts.tfchain.address, expected.tfchain, expected.phrase);
    assert.equal(toHex(accounts.tfchain.publicKey), expected.tfchainPublicKey, expected.phrase);
    assert.equal(accounts.stellar.address, expected.stellar, expected.phrase);
  }
});

Deno.test("SEP-0005 test 1 (published): accounts 0 and 1 and the secret seed of 0", () => {
  const seed = bip39Seed(parseMnemonic(SEP5_12));
  const first = stellarAccount(sep5RawSeed(seed, 0));
  assert.equal(first.address, "GDRXE2BQUC3AZNPVFSCEZ76NJ3WWL25FYFK6RGZGIEKWE4SOOHSUJUJ6");
  assert.equal(
    stellarSecretSeed(first),
    "SBGWSG6BTNCKCOB3DIFBGCVMUPQFYPA2G4O34RMTB343OYPXU5DJDVMN",
  );
  assert.equal(
    stellarAccount(sep5RawSeed(seed, 1)).address,
    "GBAW5XGWORWVFE2XTJYDTLDHXTY2Q2MO73HYCGB3XMFMQ562Q2W2GJQX",
  );
});

Deno.test("connect derivation: pinned 3Bot key, wallet seeds and accounts", async () => {
  const cases = [
    {
      phrase: ZERO_24,
      threebot: "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=",
      derivedSeed: "5a643b50ba1e322fb478ca5bdbb56f5d386e17507ee55c5cedd5917ee51a3611",
      dailySeed: "b0eeeb9038ab0b898bc387313f6cd9fc142d908aa5ae9e6f149b85aff087d75a",
      tfchain: "5DFqGKXr2BAGptCP7TUtb5X3FqLuR5ugU5ZaeyojKNLLGus6",
      stellar: "GDW3FUT77N4Y5LDQKBODBJTIGCFGYZRLOYXEHBGELRY5XIFQCTDO7CUE",
    },
    {
      phrase: LEGAL_24,
      threebot: "sqlC/0yYcYvtduJVmH9tWbGnLTss0lEAA+YXCsY6n/s=",
      derivedSeed: "4049f95a98bf587b4099e77132e4662b3a0856fa6ab40170a3c83f031dc84362",
      dailySeed: "470f975ed9d3b58ca1de933815ace226027bd771c2727ce12db282a5a3c14161",
      tfchain: "5GHpLgLvP7RWQvcifc5SN5oZeSQC5Uuym1fwrfeNvfTf4yiR",
      stellar: "GDJUGFU5ZJH2CCQVGUQRPJEBQGJHZUBLSDJMXOLDBQODGCZSXBXUDMBU",
    },
  ];
  for (const expected of cases) {
    const mnemonic = parseMnemonic(expected.phrase);
    const secrets = connectSecrets(mnemonic);
    assert.equal(toBase64(secrets.identity.publicKey), expected.threebot);
    assert.equal(toHex(secrets.derivedSeed), expected.derivedSeed);
    assert.equal(toHex(secrets.dailySeed), expected.dailySeed);
    const accounts = await deriveAccounts({ mnemonic }, "connect");
    assert.equal(accounts.tfchain.address, expected.tfchain);
    assert.equal(accounts.stellar.address, expected.stellar);
    // The app's "TFChain Secret" is the daily seed: pasting it gives the same accounts.
    const fromSecret = await deriveAccounts(
      { mnemonic, tfchainSecret: secrets.dailySeed },
      "tfchain-secret",
    );
    assert.equal(fromSecret.tfchain.address, expected.tfchain);
    assert.equal(fromSecret.stellar.address, expected.stellar);
  }
});

Deno.test("the public identity of a vector holds every derivation and no secret", async () => {
  const mnemonic = parseMnemonic(ZERO_24);
  const view = await buildPublicIdentity({ mnemonic }, "dashboard");
  assert.equal(view.derivationVersion, 1);
  assert.deepEqual(Object.keys(view.accounts), ["dashboard", "connect"]);
  assert.equal(
    view.accounts.connect?.threebotPublicKey,
    "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=",
  );
  const text = JSON.stringify(view);
  const keys = deriveQsfsKeys(mnemonic);
  for (const secret of [toHex(keys.dataKey), toHex(keys.rootKey), "abandon", "b0eeeb90"]) {
    assert.ok(!text.includes(secret), `the public identity holds ${secret}`);
  }
});
