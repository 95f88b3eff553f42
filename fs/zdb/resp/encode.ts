/**
 * RESP encoders: commands (client side) and replies (server side). Pure: they
 * only write bytes into a {@link ByteWriter}, never into a socket.
 */
import { ByteWriter } from "./byte_writer.ts";

/** One argument of a command: strings are sent as UTF-8, numbers as decimal text. */
export type CommandArg = string | Uint8Array | number | bigint;

const CRLF = "\r\n";

export function writeCommand(
  writer: ByteWriter,
  args: readonly CommandArg[],
  options: { bare?: boolean } = {},
): void {
  // bare: only the arguments, for a caller that wrote the array header itself.
  if (options.bare !== true) writer.writeAscii(`*${args.length}${CRLF}`);
  for (const arg of args) writeBulkArg(writer, arg);
}

/** Encodes one command into a fresh buffer (tests, one-off calls). */
export function encodeCommand(args: readonly CommandArg[]): Uint8Array {
  const writer = new ByteWriter(256);
  writeCommand(writer, args);
  return writer.bytes().slice();
}

function writeBulkArg(writer: ByteWriter, arg: CommandArg): void {
  if (arg instanceof Uint8Array) {
    writer.writeAscii(`$${arg.length}${CRLF}`);
    writer.writeBytes(arg);
  } else {
    const bytes = new TextEncoder().encode(String(arg));
    writer.writeAscii(`$${bytes.length}${CRLF}`);
    writer.writeBytes(bytes);
  }
  writer.writeAscii(CRLF);
}

export function writeSimpleString(writer: ByteWriter, text: string): void {
  writer.writeAscii(`+${text}${CRLF}`);
}

/** Writes an error reply; `message` is the text without the leading "-". */
export function writeError(writer: ByteWriter, message: string): void {
  writer.writeAscii(`-${message}${CRLF}`);
}

export function writeInteger(writer: ByteWriter, value: number | bigint): void {
  writer.writeAscii(`:${value}${CRLF}`);
}

/** Writes a bulk string, or the nil bulk `$-1` for null. */
export function writeBulk(writer: ByteWriter, value: Uint8Array | null): void {
  if (value === null) {
    writer.writeAscii(`$-1${CRLF}`);
    return;
  }
  writer.writeAscii(`$${value.length}${CRLF}`);
  writer.writeBytes(value);
  writer.writeAscii(CRLF);
}

export function writeBulkText(writer: ByteWriter, text: string): void {
  writeBulk(writer, new TextEncoder().encode(text));
}

/**
 * Writes a bulk header and returns the `length` bytes of its body for the
 * caller to fill in place (a value read from disk goes straight into the reply).
 */
export function reserveBulk(writer: ByteWriter, length: number): Uint8Array {
  writer.writeAscii(`$${length}${CRLF}`);
  // Reserve body and CRLF together: a later write could move the buffer and
  // leave a returned view pointing at the old one.
  const bodyAndCrlf = writer.reserve(length + 2);
  bodyAndCrlf[length] = 13;
  bodyAndCrlf[length + 1] = 10;
  return bodyAndCrlf.subarray(0, length);
}

export function writeArrayHeader(writer: ByteWriter, count: number): void {
  writer.writeAscii(`*${count}${CRLF}`);
}
