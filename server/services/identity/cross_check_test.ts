/**
 * Each step of the derivation tree computed a second, independent way:
 * node:crypto (OpenSSL-backed) PBKDF2 and ed25519, WebCrypto HKDF, the WASM
 * BLAKE2b of @polkadot/wasm-crypto, @scure/sr25519 (pure JS) against
 * polkadot's schnorrkel WASM, and SS58 / StrKey encoded by hand.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createPrivateKey, createPublicKey, pbkdf2Sync } from "node:crypto";
import { blake2b } from "@noble/hashes/blake2b";
import { blake2AsU8a, cryptoWaitReady } from "@polkadot/util-crypto";
import { base32nopad, base58 } from "@scure/base";
import { mnemonicToSeedSync } from "@scure/bip39";
import * as sr25519 from "@scure/sr25519";
import nacl from "tweetnacl";
import { deriveAccounts } from "./accounts.ts";
import { CONNECT_APP_IDS, connectSecrets } from "./connect.ts";
import { toBase64, toHex } from "./encoding.ts";
import { bip39Seed, parseMnemonic } from "./mnemonic.ts";
import { deriveQsfsKeys, hkdfBytes, INFO } from "./qsfs_keys.ts";
import { stellarAccount } from "./stellar.ts";
import { dashboardMiniSecret } from "./tfchain.ts";

const ZERO_12 = "abandon ".repeat(11) + "about";
const ZERO_24 = "abandon ".repeat(23) + "art";
const LEGAL_24 = "legal winner thank year wave sausage worth useful ".repeat(2) +
  "legal winner thank year wave sausage worth title";
const DEV_12 = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
const PHRASES = [ZERO_24, LEGAL_24, DEV_12];

Deno.test("BIP39 seeds with passphrase TREZOR: node:crypto PBKDF2 gives the published vectors", () => {
  // From the BIP39 test vectors (trezor/python-mnemonic vectors.json).
  const published: [string, string][] = [
    [
      ZERO_12,
      "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e5349553" +
      "1f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
    ],
    [
      ZERO_24,
      "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd30971" +
      "70af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8",
    ],
    [
      LEGAL_24,
      "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a40" +
      "21b146ad717fbb7e451ce9eb835f43620bf5c514db0f8add49f5d121449d3e87",
    ],
  ];
  for (const [phrase, seed] of published) {
    assert.equal(pbkdf2Sync(phrase, "mnemonicTREZOR", 2048, 64, "sha512").toString("hex"), seed);
    assert.equal(toHex(mnemonicToSeedSync(phrase, "TREZOR")), seed);
  }
});

Deno.test("BIP39 seed (no passphrase): the library agrees with node:crypto PBKDF2", () => {
  for (const phrase of PHRASES) {
    const expected = pbkdf2Sync(phrase, "mnemonic", 2048, 64, "sha512").toString("hex");
    assert.equal(toHex(bip39Seed(parseMnemonic(phrase))), expected);
  }
});

Deno.test("dashboard mini-secret: polkadot agrees with PBKDF2-HMAC-SHA512(entropy) in node:crypto", async () => {
  for (const phrase of PHRASES) {
    const mnemonic = parseMnemonic(phrase);
    const expected = pbkdf2Sync(mnemonic.entropy, "mnemonic", 2048, 64, "sha512").subarray(0, 32);
    assert.equal(toHex(await dashboardMiniSecret(mnemonic)), expected.toString("hex"));
  }
});

Deno.test("sr25519 public keys: polkadot's WASM agrees with @scure/sr25519", async () => {
  for (const phrase of PHRASES) {
    for (const derivation of ["dashboard", "connect"] as const) {
      const mnemonic = parseMnemonic(phrase);
      if (derivation === "connect" && mnemonic.words.length !== 24) continue;
      const { tfchain } = await deriveAccounts({ mnemonic }, derivation);
      const expected = sr25519.getPublicKey(sr25519.secretFromSeed(tfchain.miniSecret));
      assert.equal(toHex(tfchain.publicKey), toHex(expected), `${derivation}: ${phrase}`);
      assert.equal(tfchain.address, ss58(tfchain.publicKey, 42));
    }
  }
});

Deno.test("Stellar addresses: stellar-base agrees with tweetnacl and a hand-made StrKey", async () => {
  for (const phrase of PHRASES) {
    for (const derivation of ["dashboard", "connect"] as const) {
      const mnemonic = parseMnemonic(phrase);
      if (derivation === "connect" && mnemonic.words.length !== 24) continue;
      const { stellar } = await deriveAccounts({ mnemonic }, derivation);
      const publicKey = nacl.sign.keyPair.fromSeed(stellar.rawSeed).publicKey;
      assert.equal(toHex(stellar.publicKey), toHex(publicKey));
      assert.equal(stellar.address, strKeyAccount(publicKey), `${derivation}: ${phrase}`);
      assert.equal(stellarAccount(stellar.rawSeed).address, stellar.address);
    }
  }
});

Deno.test("ed25519 identity keys: tweetnacl agrees with node:crypto", () => {
  for (const phrase of PHRASES) {
    const mnemonic = parseMnemonic(phrase);
    const keys = deriveQsfsKeys(mnemonic);
    const seed = keys.identity.secretKey.subarray(0, 32);
    assert.equal(toHex(keys.identity.publicKey), nodeEd25519PublicKey(seed));
    if (mnemonic.words.length === 24) {
      const threebot = connectSecrets(mnemonic).identity.publicKey;
      assert.equal(toHex(threebot), nodeEd25519PublicKey(mnemonic.entropy));
    }
  }
});

Deno.test("connect wallet seeds: node:crypto PBKDF2-SHA256 and polkadot's WASM BLAKE2b agree", async () => {
  await cryptoWaitReady();
  for (const phrase of [ZERO_24, LEGAL_24]) {
    const secrets = connectSecrets(parseMnemonic(phrase));
    const password = toBase64(secrets.identity.secretKey);
    assert.equal(password.length, 88);
    const derived = pbkdf2Sync(password, CONNECT_APP_IDS.production, 1000, 32, "sha256");
    assert.equal(toHex(secrets.derivedSeed), derived.toString("hex"));
    const indexed = Buffer.concat([derived, Buffer.alloc(8)]);
    assert.equal(toHex(secrets.dailySeed), toHex(blake2AsU8a(indexed, 256)));
  }
});

Deno.test("the environments' appIds give other Connect wallets from the same words", () => {
  const mnemonic = parseMnemonic(ZERO_24);
  const seeds = Object.values(CONNECT_APP_IDS).map((appId) =>
    toHex(connectSecrets(mnemonic, appId).dailySeed)
  );
  assert.equal(new Set(seeds).size, 3);
});

Deno.test("qsfs keys: @noble/hashes HKDF agrees with WebCrypto HKDF", async () => {
  const mnemonic = parseMnemonic(LEGAL_24);
  const keys = deriveQsfsKeys(mnemonic);
  const root = await webCryptoHkdf(bip39Seed(mnemonic), "qsfs", INFO.root, 32);
  assert.equal(toHex(keys.rootKey), toHex(root));
  const dataKey = await webCryptoHkdf(root, "", INFO.dataKey, 32);
  assert.equal(toHex(keys.dataKey), toHex(dataKey));
  assert.equal(toHex(hkdfBytes(root, INFO.metadataKey, 32)), toHex(keys.metadataKey));
});

/** SS58 for a one-byte prefix: base58(prefix ‖ key ‖ BLAKE2b-512("SS58PRE" ‖ prefix ‖ key)[0:2]). */
function ss58(publicKey: Uint8Array, prefix: number): string {
  const body = new Uint8Array([prefix, ...publicKey]);
  const checksum = blake2b(new Uint8Array([...new TextEncoder().encode("SS58PRE"), ...body]));
  return base58.encode(new Uint8Array([...body, ...checksum.subarray(0, 2)]));
}

/** Stellar StrKey of an account: base32(6 << 3 ‖ key ‖ CRC16-XModem, little-endian). */
function strKeyAccount(publicKey: Uint8Array): string {
  const body = new Uint8Array([6 << 3, ...publicKey]);
  let crc = 0;
  for (const byte of body) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) : crc << 1;
    crc &= 0xffff;
  }
  return base32nopad.encode(new Uint8Array([...body, crc & 0xff, crc >> 8]));
}

function nodeEd25519PublicKey(seed: Uint8Array): string {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return spki.subarray(-32).toString("hex");
}

async function webCryptoHkdf(ikm: Uint8Array, salt: string, info: string, length: number) {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", new Uint8Array(ikm), "HKDF", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(salt), info: encoder.encode(info) },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}
