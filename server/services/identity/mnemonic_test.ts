import assert from "node:assert/strict";
import { wordlist } from "@scure/bip39/wordlists/english";
import { toHex } from "./encoding.ts";
import { InvalidMnemonicError } from "./errors.ts";
import { generateMnemonic, parseMnemonic } from "./mnemonic.ts";

const ZERO_24 = "abandon ".repeat(23) + "art";

function rejects(text: string, message: string) {
  assert.throws(() => parseMnemonic(text), (error: unknown) => {
    assert.ok(error instanceof InvalidMnemonicError);
    assert.equal(error.message, message);
    assert.equal(error.code, "invalid_mnemonic");
    return true;
  });
}

Deno.test("generateMnemonic() makes 24 valid words from fresh randomness each time", () => {
  const first = generateMnemonic();
  const second = generateMnemonic();
  assert.equal(first.words.length, 24);
  assert.equal(first.entropy.length, 32);
  assert.notEqual(first.phrase, second.phrase);
  assert.equal(parseMnemonic(first.phrase).phrase, first.phrase);
  for (const word of first.words) assert.ok(wordlist.includes(word));
});

Deno.test("generateMnemonic() with fixed entropy gives the BIP39 vector", () => {
  assert.equal(generateMnemonic(new Uint8Array(32)).phrase, ZERO_24);
  assert.throws(() => generateMnemonic(new Uint8Array(16)), RangeError);
});

Deno.test("parseMnemonic() takes any whitespace and letter case, and 12 or 24 words", () => {
  const typed = `  ${ZERO_24.toUpperCase().replaceAll(" ", " \n\t")}\n`;
  const mnemonic = parseMnemonic(typed);
  assert.equal(mnemonic.phrase, ZERO_24);
  assert.equal(toHex(mnemonic.entropy), "00".repeat(32));
  assert.equal(parseMnemonic("abandon ".repeat(11) + "about").entropy.length, 16);
});

Deno.test("parseMnemonic() says how many words it got when the count is wrong", () => {
  rejects("", "Cannot use mnemonic: expected 12 or 24 words, got 0");
  rejects("abandon ".repeat(23), "Cannot use mnemonic: expected 12 or 24 words, got 23");
  rejects("abandon ".repeat(15), "Cannot use mnemonic: expected 12 or 24 words, got 15");
});

Deno.test("parseMnemonic() names each word that is not in the list, and a likely one", () => {
  const words = ZERO_24.split(" ");
  words[6] = "xyz";
  rejects(
    words.join(" "),
    "Cannot use mnemonic: word 7 'xyz' is not in the BIP39 English list",
  );
  words[2] = "abandonn";
  rejects(
    words.join(" "),
    "Cannot use mnemonic: words 3 'abandonn', 7 'xyz' are not in the BIP39 English list " +
      "(word 3 may be 'abandon')",
  );
  words[6] = "abandon";
  rejects(
    words.join(" "),
    "Cannot use mnemonic: word 3 'abandonn' is not in the BIP39 English list " +
      "(did you mean 'abandon'?)",
  );
});

Deno.test("parseMnemonic() refuses a phrase whose checksum does not match", () => {
  const message = "Cannot use mnemonic: checksum does not match " +
    "(a word is mistyped or two are swapped)";
  rejects("abandon ".repeat(24), message);
  // Two words swapped.
  const legal = "legal winner thank year wave sausage worth useful ".repeat(2) +
    "legal winner thank year wave sausage worth title";
  const swapped = legal.split(" ");
  [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
  rejects(swapped.join(" "), message);
});
