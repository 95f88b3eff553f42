/**
 * BIP39 mnemonics: making a new 24-word one, and checking typed words with
 * errors a person can act on. @scure/bip39 does the encoding; the checks
 * here run first so that each failure says which word is wrong.
 *
 * @module
 */
import { entropyToMnemonic, mnemonicToEntropy, mnemonicToSeedSync } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english";
import { InvalidMnemonicError } from "./errors.ts";

/** The word counts qsfs accepts: 24 (what it makes), and 12 (what the dashboard makes). */
export const MNEMONIC_WORD_COUNTS = [12, 24] as const;

/** The entropy of a new mnemonic: 256 bits, 24 words. */
const ENTROPY_BYTES = 32;

const WORDS = new Set(wordlist);

/** A checked mnemonic. Holds secrets: never log it or return it from the API. */
export interface Mnemonic {
  /** The words, lower case, in order. */
  readonly words: readonly string[];
  /** The words joined by single spaces: the canonical BIP39 phrase. */
  readonly phrase: string;
  /** The BIP39 entropy: 32 bytes for 24 words, 16 for 12. */
  readonly entropy: Uint8Array;
}

/**
 * A new 24-word mnemonic from 256 bits of crypto.getRandomValues.
 * `entropy` is for tests only (fixed vectors); it must be 32 bytes.
 */
export function generateMnemonic(entropy?: Uint8Array): Mnemonic {
  const bytes = entropy ?? crypto.getRandomValues(new Uint8Array(ENTROPY_BYTES));
  if (bytes.length !== ENTROPY_BYTES) {
    throw new RangeError(`Cannot make a mnemonic: entropy must be ${ENTROPY_BYTES} bytes`);
  }
  return parseMnemonic(entropyToMnemonic(bytes, wordlist));
}

/**
 * Checks typed words: any whitespace between them, any letter case. @throws
 * {InvalidMnemonicError} naming the count, the unknown words, or the checksum.
 *
 * @example
 * ```ts
 * parseMnemonic("abandon ".repeat(11) + "about").entropy; // 16 zero bytes
 * ```
 */
export function parseMnemonic(text: string): Mnemonic {
  const words = text.normalize("NFKD").toLowerCase().split(/\s+/).filter((word) => word !== "");
  if (!(MNEMONIC_WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw new InvalidMnemonicError(`expected 12 or 24 words, got ${words.length}`);
  }
  const unknown = words
    .map((word, index) => ({ word, position: index + 1 }))
    .filter(({ word }) => !WORDS.has(word));
  if (unknown.length > 0) throw new InvalidMnemonicError(describeUnknown(unknown));
  const phrase = words.join(" ");
  let entropy: Uint8Array;
  try {
    entropy = mnemonicToEntropy(phrase, wordlist);
  } catch {
    throw new InvalidMnemonicError(
      "checksum does not match (a word is mistyped or two are swapped)",
    );
  }
  return { words, phrase, entropy };
}

/** The 64-byte BIP39 seed: PBKDF2-HMAC-SHA512(phrase, "mnemonic", 2048). No BIP39 passphrase. */
export function bip39Seed(mnemonic: Mnemonic): Uint8Array {
  return mnemonicToSeedSync(mnemonic.phrase, "");
}

function describeUnknown(unknown: { word: string; position: number }[]): string {
  const listed = unknown.map(({ word, position }) => `${position} '${word}'`).join(", ");
  const guesses = unknown.flatMap(({ word, position }) => {
    const guess = likelyWord(word);
    return guess === undefined ? [] : [{ guess, position }];
  });
  if (unknown.length === 1) {
    const guess = guesses[0] === undefined ? "" : ` (did you mean '${guesses[0].guess}'?)`;
    return `word ${listed} is not in the BIP39 English list${guess}`;
  }
  const hints = guesses.map(({ guess, position }) => `word ${position} may be '${guess}'`);
  return `words ${listed} are not in the BIP39 English list` +
    (hints.length === 0 ? "" : ` (${hints.join(", ")})`);
}

/** BIP39 English words differ in their first four letters, so those name the likely word. */
function likelyWord(word: string): string | undefined {
  if (word.length < 4) return undefined;
  return wordlist.find((candidate) => candidate.startsWith(word.slice(0, 4)));
}
