import assert from "node:assert/strict";
import { decodeName, encodeName } from "./names.ts";

function roundTrip(bytes: number[]): void {
  const name = decodeName(Uint8Array.from(bytes));
  assert.deepEqual([...encodeName(name)], bytes);
}

Deno.test("decodeName() decodes ASCII and UTF-8 as text", () => {
  assert.equal(decodeName(new TextEncoder().encode("hello.txt")), "hello.txt");
  assert.equal(decodeName(new TextEncoder().encode("naïve 😀")), "naïve 😀");
});

Deno.test("encodeName() gives back the exact bytes of any name", () => {
  roundTrip([...new TextEncoder().encode("plain")]);
  roundTrip([...new TextEncoder().encode("Ünïcödé 😀")]);
  roundTrip([0x66, 0xff, 0x6f]); // invalid byte in ASCII
  roundTrip([0xe9, 0x74, 0xe9]); // Latin-1 "été"
  roundTrip([0xed, 0xa0, 0x80]); // an encoded surrogate is not valid UTF-8
  roundTrip([0xf0, 0x9f, 0x98]); // truncated 4-byte sequence
  roundTrip([0xc0, 0xaf]); // overlong "/"
  roundTrip([0xf0, 0x90, 0x82, 0x80, 0x80]); // U+10080 (low surrogate 0xDC80) then a stray byte
});

Deno.test("decodeName() escapes invalid bytes as lone surrogates", () => {
  assert.equal(decodeName(Uint8Array.from([0x61, 0xff])), "a\udcff");
});
