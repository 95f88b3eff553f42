/**
 * File names between bytes and strings, without loss.
 *
 * Linux names are bytes; JS strings are UTF-16. Valid UTF-8 decodes as usual.
 * A byte that is not part of valid UTF-8 becomes the lone surrogate
 * U+DC00 + byte (Python's "surrogateescape"), which valid UTF-8 never
 * produces, and {@link encodeName} turns it back into that byte. So any name a
 * program creates is listed, opened and removed byte for byte.
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
/** A low surrogate in the escape range not preceded by a high surrogate. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** Decodes a name (no NUL) from bytes. */
export function decodeName(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeEscaped(bytes);
  }
}

/** Encodes a name back to the bytes it was decoded from. */
export function encodeName(name: string): Uint8Array {
  if (!ESCAPED.test(name)) return encoder.encode(name);
  const out: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    const next = name.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      pushUtf8(out, 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00));
      i++;
    } else if (unit >= 0xdc80 && unit <= 0xdcff) {
      out.push(unit - 0xdc00);
    } else {
      pushUtf8(out, unit);
    }
  }
  return Uint8Array.from(out);
}

function pushUtf8(out: number[], codePoint: number): void {
  if (codePoint < 0x80) {
    out.push(codePoint);
  } else if (codePoint < 0x800) {
    out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f));
  } else if (codePoint < 0x10000) {
    out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
  } else {
    out.push(
      0xf0 | (codePoint >> 18),
      0x80 | ((codePoint >> 12) & 0x3f),
      0x80 | ((codePoint >> 6) & 0x3f),
      0x80 | (codePoint & 0x3f),
    );
  }
}

/** Decodes valid UTF-8 sequences and escapes every other byte. */
function decodeEscaped(bytes: Uint8Array): string {
  let text = "";
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      text += String.fromCharCode(0xdc00 + bytes[i]!);
      i++;
    } else {
      text += utf8.decode(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return text;
}

/** The length of the valid UTF-8 sequence at `at`, or 0 (RFC 3629 table 3.7). */
function validSequenceLength(bytes: Uint8Array, at: number): number {
  const b0 = bytes[at]!;
  if (b0 < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return 0;
  if (at + length > bytes.length) return 0;
  const b1 = bytes[at + 1]!;
  if (b1 < low || b1 > high) return 0;
  for (let k = 2; k < length; k++) {
    const b = bytes[at + k]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}
