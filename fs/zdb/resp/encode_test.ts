import assert from "node:assert/strict";
import { ByteWriter } from "./byte_writer.ts";
import {
  encodeCommand,
  reserveBulk,
  writeArrayHeader,
  writeBulk,
  writeBulkText,
  writeCommand,
  writeError,
  writeInteger,
  writeSimpleString,
} from "./encode.ts";
import { RespErrorReply, RespReader } from "./decode.ts";

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const utf8 = (text: string) => new TextEncoder().encode(text);

function written(write: (writer: ByteWriter) => void): string {
  const writer = new ByteWriter(8);
  write(writer);
  return latin1(writer.bytes());
}

Deno.test("encodeCommand() writes an array of bulk strings, numbers as decimal text", () => {
  // Proves the exact bytes a command is sent as, for every argument type.
  const bytes = encodeCommand(["SET", utf8("k"), 42, 7n, ""]);
  assert.equal(latin1(bytes), "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n$1\r\n7\r\n$0\r\n\r\n");
});

Deno.test("encodeCommand() sends strings as UTF-8 with their byte length", () => {
  // Proves a bulk length counts bytes, not UTF-16 code units.
  const bytes = encodeCommand(["é€"]);
  assert.equal(latin1(bytes.subarray(0, 8)), "*1\r\n$5\r\n");
  assert.deepEqual(bytes.subarray(8, 13), utf8("é€"));
});

Deno.test("writeCommand() appends several commands into one buffer for one socket write", () => {
  // Proves pipelined commands are concatenated in order and decode back one by one.
  const writer = new ByteWriter(4);
  writeCommand(writer, ["PING"]);
  writeCommand(writer, ["GET", new Uint8Array([0, 255, 13, 10])]);
  const reader = new RespReader();
  reader.push(writer.bytes());
  assert.deepEqual(reader.readCommand()?.map(latin1), ["PING"]);
  assert.deepEqual(reader.readCommand()?.map((arg) => [...arg]), [[71, 69, 84], [0, 255, 13, 10]]);
  assert.equal(reader.readCommand(), undefined);
});

Deno.test("reply encoders write 0-db's reply bytes", () => {
  // Proves each reply type's wire form, including nil and an empty bulk.
  assert.equal(written((w) => writeSimpleString(w, "PONG")), "+PONG\r\n");
  assert.equal(written((w) => writeError(w, "Key not found")), "-Key not found\r\n");
  assert.equal(written((w) => writeInteger(w, 12345678901234567890n)), ":12345678901234567890\r\n");
  assert.equal(written((w) => writeInteger(w, -3)), ":-3\r\n");
  assert.equal(written((w) => writeBulk(w, null)), "$-1\r\n");
  assert.equal(written((w) => writeBulk(w, new Uint8Array(0))), "$0\r\n\r\n");
  assert.equal(written((w) => writeBulkText(w, "a\nb")), "$3\r\na\nb\r\n");
  assert.equal(written((w) => writeArrayHeader(w, 2)), "*2\r\n");
});

Deno.test("reserveBulk() returns the body to fill in place, followed by CRLF", () => {
  // Proves a value read from disk into the reserved view lands inside a valid bulk.
  const writer = new ByteWriter(4);
  writeSimpleString(writer, "OK");
  const body = reserveBulk(writer, 5);
  body.set(utf8("hello"));
  assert.equal(latin1(writer.bytes()), "+OK\r\n$5\r\nhello\r\n");
});

Deno.test("reserveBulk() view stays valid when a later write grows the buffer", () => {
  // Proves filling the body after more replies were written still fills the real buffer.
  const writer = new ByteWriter(16);
  const body = reserveBulk(writer, 3);
  body.set(utf8("abc"));
  writeBulk(writer, new Uint8Array(100_000));
  const reader = new RespReader();
  reader.push(writer.bytes());
  assert.deepEqual(reader.readReply(), utf8("abc"));
  assert.equal((reader.readReply() as Uint8Array).length, 100_000);
});

Deno.test("ByteWriter.truncate() undoes a partly written reply", () => {
  // Proves an error can replace a bulk whose value failed its checksum.
  const writer = new ByteWriter(8);
  writeSimpleString(writer, "OK");
  const mark = writer.length;
  reserveBulk(writer, 10);
  writer.truncate(mark);
  writeError(writer, "Internal Error");
  assert.equal(latin1(writer.bytes()), "+OK\r\n-Internal Error\r\n");
});

Deno.test("ByteWriter.shrink() drops a large buffer only when it is empty", () => {
  // Proves an idle connection gives back the memory of one big reply, and never loses data.
  const writer = new ByteWriter(16);
  writer.writeBytes(new Uint8Array(1 << 20));
  writer.shrink(1024);
  assert.equal(writer.length, 1 << 20);
  writer.reset();
  writer.shrink(1024);
  assert.equal(writer.length, 0);
  assert.equal(writer.reserve(1024).buffer.byteLength, 1024);
});

Deno.test("ByteWriter.writeUtf8() writes multi-byte text", () => {
  // Proves non-ASCII text is written as UTF-8 and the length counts bytes.
  const writer = new ByteWriter(1);
  writer.writeUtf8("ℤ→é");
  assert.deepEqual(writer.bytes(), utf8("ℤ→é"));
  assert.equal(writer.length, 8);
});

Deno.test("reply encoders round-trip through RespReader.readReply()", () => {
  // Proves every reply type the server writes decodes to the value the client expects.
  const writer = new ByteWriter(8);
  writeArrayHeader(writer, 2);
  writeBulkText(writer, "cursor");
  writeArrayHeader(writer, 1);
  writeArrayHeader(writer, 3);
  writeBulk(writer, new Uint8Array([1, 2]));
  writeInteger(writer, 2);
  writeInteger(writer, 1700000000);
  writeError(writer, "No more data");
  writeBulk(writer, null);
  writeSimpleString(writer, "OK");
  const reader = new RespReader();
  reader.push(writer.bytes());
  assert.deepEqual(reader.readReply(), [utf8("cursor"), [[new Uint8Array([1, 2]), 2, 1700000000]]]);
  assert.deepEqual(reader.readReply(), new RespErrorReply("No more data"));
  assert.equal(reader.readReply(), null);
  assert.equal(reader.readReply(), "OK");
  assert.equal(reader.readReply(), undefined);
});
