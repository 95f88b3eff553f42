import assert from "node:assert/strict";
import { ByteWriter } from "./byte_writer.ts";
import { RespErrorReply, RespProtocolError, RespReader, type RespValue } from "./decode.ts";
import {
  encodeCommand,
  writeArrayHeader,
  writeBulk,
  writeError,
  writeInteger,
  writeSimpleString,
} from "./encode.ts";
import { mulberry32, randomBytes, randomInt } from "../_testing.ts";

const MIB = 1024 * 1024;
const ascii = (text: string) => new TextEncoder().encode(text);

/** Feeds `stream` to a fresh reader in pieces cut at random points; returns every command. */
function readCommandsSplit(stream: Uint8Array, random: () => number, reader = new RespReader()) {
  const commands: Uint8Array[][] = [];
  let at = 0;
  while (at < stream.length) {
    // Mostly small pieces, sometimes 0 bytes, sometimes large ones.
    const roll = random();
    const size = roll < 0.1 ? 0 : roll < 0.8 ? randomInt(random, 1, 64) : randomInt(random, 1, MIB);
    const piece = stream.subarray(at, Math.min(stream.length, at + size));
    // Half through push(), half straight into writable() as the server reads a socket.
    if (random() < 0.5) reader.push(piece);
    else {
      reader.writable(piece.length).set(piece);
      reader.commit(piece.length);
    }
    at += piece.length;
    let command;
    while ((command = reader.readCommand()) !== undefined) {
      commands.push(command.map((arg) => arg.slice()));
    }
  }
  assert.equal(reader.bufferedBytes, 0);
  return commands;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

function expectProtocolError(
  input: string | Uint8Array,
  message: string,
  reader = new RespReader(),
) {
  reader.push(typeof input === "string" ? ascii(input) : input);
  assert.throws(() => reader.readCommand(), (error: unknown) => {
    assert.ok(error instanceof RespProtocolError, `not a RespProtocolError: ${error}`);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("RespReader.readCommand() decodes a command and waits for the rest of a partial one", () => {
  // Proves a command is returned only once complete, byte by byte, with binary-safe arguments.
  const bytes = encodeCommand(["SET", new Uint8Array([0, 13, 10, 255]), ""]);
  const reader = new RespReader();
  for (let i = 0; i < bytes.length - 1; i++) {
    reader.push(bytes.subarray(i, i + 1));
    assert.equal(reader.readCommand(), undefined, `complete after ${i + 1} bytes`);
  }
  reader.push(bytes.subarray(bytes.length - 1));
  const command = reader.readCommand()!;
  assert.deepEqual(command.map((arg) => [...arg]), [[83, 69, 84], [0, 13, 10, 255], []]);
  assert.equal(reader.bufferedBytes, 0);
});

Deno.test("RespReader.readCommand() round-trips random commands split at random points", () => {
  // Proves decoding does not depend on how the stream is cut, for 0-byte to multi-MiB bulks.
  for (const seed of [1, 2, 3, 4]) {
    const random = mulberry32(seed);
    const sent: Uint8Array[][] = [];
    for (let i = 0; i < 60; i++) {
      const argc = randomInt(random, 1, 6);
      const args: Uint8Array[] = [];
      let total = 0;
      for (let j = 0; j < argc; j++) {
        const roll = random();
        let size = roll < 0.2
          ? 0
          : roll < 0.97
          ? randomInt(random, 1, 300)
          : randomInt(random, MIB, 3 * MIB);
        if (total + size > 8 * MIB) size = 0; // One command must fit the reader's buffer bound.
        total += size;
        args.push(randomBytes(random, size));
      }
      sent.push(args);
    }
    sent.push([randomBytes(random, 8 * MIB)]); // The largest bulk 0-db accepts.
    const stream = concat(sent.map((args) => encodeCommand(args)));
    assert.deepEqual(readCommandsSplit(stream, random), sent, `seed ${seed}`);
  }
});

Deno.test("RespReader.readReply() round-trips random replies split at random points", () => {
  // Proves every reply type decodes identically however the bytes arrive.
  const random = mulberry32(99);
  const sent: RespValue[] = [];
  const writer = new ByteWriter();
  const writeValue = (depth: number): RespValue => {
    const kind = randomInt(random, 0, depth > 2 ? 4 : 5);
    if (kind === 0) {
      const value = `status ${randomInt(random, 0, 1e6)}`;
      writeSimpleString(writer, value);
      return value;
    }
    if (kind === 1) {
      const message = `error ${randomInt(random, 0, 1e6)}`;
      writeError(writer, message);
      return new RespErrorReply(message);
    }
    if (kind === 2) {
      const value = randomInt(random, -1e9, 1e9);
      writeInteger(writer, value);
      return value;
    }
    if (kind === 3) {
      writeBulk(writer, null);
      return null;
    }
    if (kind === 4) {
      const size = random() < 0.05 ? randomInt(random, MIB, 2 * MIB) : randomInt(random, 0, 200);
      const value = randomBytes(random, size);
      writeBulk(writer, value);
      return value.slice();
    }
    const count = randomInt(random, 0, 4);
    writeArrayHeader(writer, count);
    return Array.from({ length: count }, () => writeValue(depth + 1));
  };
  for (let i = 0; i < 300; i++) sent.push(writeValue(0));
  const stream = writer.bytes();
  const reader = new RespReader();
  const received: RespValue[] = [];
  for (let at = 0; at < stream.length;) {
    const size = random() < 0.1 ? 0 : randomInt(random, 1, random() < 0.9 ? 50 : 300_000);
    reader.push(stream.subarray(at, at + size));
    at += size;
    let reply;
    while ((reply = reader.readReply()) !== undefined) received.push(reply);
  }
  assert.deepEqual(received, sent);
});

Deno.test("RespReader.readReply() copies bulks, so replies survive later reads", () => {
  // Proves a reply held by a caller is not overwritten when the buffer is reused.
  const reader = new RespReader();
  reader.push(ascii("$3\r\nabc\r\n"));
  const first = reader.readReply() as Uint8Array;
  reader.push(ascii("$3\r\nxyz\r\n"));
  reader.readReply();
  assert.deepEqual(first, ascii("abc"));
});

Deno.test("RespReader.readCommand() rejects malformed requests with 0-db's texts", () => {
  // Proves each kind of bad frame is a RespProtocolError carrying the reply text.
  expectProtocolError("PING\r\n", "Malformed request, array expected");
  expectProtocolError("$4\r\nPING\r\n", "Malformed request, array expected");
  expectProtocolError("*0\r\n", "Missing arguments");
  expectProtocolError("*-1\r\n", "Missing arguments");
  expectProtocolError("*1025\r\n", "Too many arguments");
  expectProtocolError("*1\r\n:4\r\n", "Malformed query string");
  expectProtocolError("*1\r\n$-1\r\n", "Malformed query string");
  expectProtocolError("*1\r\n$4\r\nPINGxx", "Malformed query string");
  expectProtocolError("*2\r\n$3\r\nSET\r\n$8388609\r\n", "Payload too big");
  expectProtocolError("*1\r\n$99999999999999999999\r\n", "Payload too big");
});

Deno.test("RespReader.readCommand() rejects bad length lines", () => {
  // Proves a length that is not a decimal number, or lacks its CRLF, never parses as one.
  expectProtocolError("*x\r\n", "Malformed length");
  expectProtocolError("*1x\r\n", "Malformed length");
  expectProtocolError("*1\n$4\r\nPING\r\n", "Malformed length");
  expectProtocolError("*1\rX", "Malformed length");
  expectProtocolError("*1\r\n$4\n", "Malformed length");
  expectProtocolError(`*${"1".repeat(40)}`, "Malformed request, header line too long");
});

Deno.test("RespReader.readCommand() accepts the limits themselves: 1024 arguments, 8 MiB bulk", () => {
  // Proves the limits are inclusive, as in 0-db (argc > 1024 and length > 8 MiB are refused).
  const reader = new RespReader();
  const args = Array.from({ length: 1024 }, (_, i) => ascii(String(i)));
  reader.push(encodeCommand(args));
  assert.equal(reader.readCommand()!.length, 1024);
  const value = randomBytes(mulberry32(5), 8 * MIB);
  reader.push(encodeCommand(["SET", "k", value]));
  assert.deepEqual(reader.readCommand()![2], value);
});

Deno.test("RespReader.readReply() rejects malformed replies", () => {
  // Proves the client side fails loudly on bytes that are not RESP, instead of guessing.
  const cases: [string, RegExp][] = [
    ["!3\r\nabc\r\n", /unexpected type byte/],
    ["$-2\r\n", /bad bulk length/],
    ["*-2\r\n", /bad array length/],
    ["$8388609\r\n", /Payload too big/],
    [":12a\r\n", /Malformed length/],
    ["*1\r\n".repeat(9) + ":1\r\n", /nested too deep/],
  ];
  for (const [input, message] of cases) {
    const reader = new RespReader();
    reader.push(ascii(input));
    assert.throws(() => reader.readReply(), (error: unknown) => {
      assert.ok(error instanceof RespProtocolError);
      assert.match(error.message, message, input);
      return true;
    });
  }
});

Deno.test("RespReader keeps its buffer within maxBufferBytes", () => {
  // Proves a peer cannot make a connection hold more than the bound, and a big message fits.
  const reader = new RespReader({ maxBulkBytes: 64 * 1024, maxBufferBytes: 100 * 1024 });
  // Three 60 KiB arguments: each is allowed, the message together is not.
  const big = encodeCommand(["SET", new Uint8Array(60 * 1024), new Uint8Array(60 * 1024)]);
  let thrown: unknown;
  for (let at = 0; at < big.length && thrown === undefined; at += 4096) {
    const piece = big.subarray(at, at + 4096);
    reader.writable(piece.length).set(piece);
    reader.commit(piece.length);
    assert.ok(reader.bufferedBytes <= 100 * 1024 + 4096, `buffered ${reader.bufferedBytes}`);
    try {
      reader.readCommand();
    } catch (error) {
      thrown = error;
    }
  }
  assert.ok(thrown instanceof RespProtocolError);
  assert.equal(thrown.message, "Payload too big");
});

Deno.test("RespReader.readReply() refuses an endless status line past maxBufferBytes", () => {
  // Proves a reply line without a newline cannot grow the buffer without bound.
  const reader = new RespReader({ maxBulkBytes: 1024, maxBufferBytes: 8192 });
  reader.push(ascii("+" + "a".repeat(8192)));
  assert.throws(() => reader.readReply(), /Reply line too long/);
});

Deno.test("RespReader.shrink() gives back a large buffer once it is drained", () => {
  // Proves an idle connection after an 8 MiB value holds only the idle capacity.
  const reader = new RespReader();
  reader.push(encodeCommand(["SET", "k", new Uint8Array(8 * MIB)]));
  assert.ok(reader.writable(1).length + reader.bufferedBytes >= 8 * MIB);
  reader.shrink(256 * 1024);
  assert.ok(reader.readCommand() !== undefined);
  reader.shrink(256 * 1024);
  assert.equal(reader.bufferedBytes, 0);
  assert.equal(reader.writable(1).length, 256 * 1024);
});

Deno.test("RespReader receives a large bulk reply into its own array, read by read", () => {
  // Proves a shard-sized reply is read straight into an array of its exact size (the socket
  // is never offered more than its rest), and the reply after it still decodes.
  const random = mulberry32(7);
  const value = randomBytes(random, MIB + 123);
  const writer = new ByteWriter();
  writeBulk(writer, value);
  writeInteger(writer, 42);
  const stream = writer.bytes();
  const reader = new RespReader();
  const received: RespValue[] = [];
  let offeredBeyondValue = false;
  for (let at = 0; at < stream.length;) {
    const into = reader.writable(64 * 1024);
    const valueEnd = stream.length - ":42\r\n".length;
    if (at > 100 && at < valueEnd && at + into.length > valueEnd) offeredBeyondValue = true;
    const count = Math.min(into.length, randomInt(random, 1, 100_000), stream.length - at);
    into.set(stream.subarray(at, at + count));
    reader.commit(count);
    at += count;
    let reply;
    while ((reply = reader.readReply()) !== undefined) received.push(reply);
  }
  assert.equal(offeredBeyondValue, false);
  assert.deepEqual(received, [value, 42]);
  assert.equal((received[0] as Uint8Array).buffer.byteLength, value.length + 2);
});

Deno.test("RespReader.readReply() rejects a large bulk reply not ended by CR LF", () => {
  // Proves the direct path checks the terminator like the buffered one.
  const reader = new RespReader();
  const body = new Uint8Array(100 * 1024);
  reader.push(ascii(`$${body.length}\r\n`));
  reader.push(body.subarray(0, 10));
  assert.equal(reader.readReply(), undefined);
  reader.push(body.subarray(10));
  reader.push(ascii("xy"));
  assert.throws(() => reader.readReply(), /not ended by CR LF/);
});
