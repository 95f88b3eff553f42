/**
 * {@link OutgoingCommands}: the commands queued on one connection, as the
 * pieces to write. Small parts (headers, keys, short values) are encoded into
 * one growable buffer; a large value is kept by reference and written as it
 * is. A shard of 1 MiB would otherwise cost a fresh 2 MiB buffer and a copy
 * per SET (that churn showed up in profiles of the chunk upload path). The
 * caller must not change a value until its command's reply has come.
 *
 * @module
 */
import { ByteWriter } from "../resp/byte_writer.ts";
import { type CommandArg, writeCommand } from "../resp/encode.ts";

/** Values at least this large are written by reference, not copied. */
const BY_REFERENCE_BYTES_MIN = 64 * 1024;
const CRLF = "\r\n";

export class OutgoingCommands {
  readonly #pieces: Uint8Array[] = [];
  readonly #small = new ByteWriter(16 * 1024);

  get empty(): boolean {
    return this.#pieces.length === 0 && this.#small.length === 0;
  }

  add(args: readonly CommandArg[]): void {
    if (!args.some((arg) => arg instanceof Uint8Array && arg.length >= BY_REFERENCE_BYTES_MIN)) {
      writeCommand(this.#small, args);
      return;
    }
    this.#small.writeAscii(`*${args.length}${CRLF}`);
    for (const arg of args) {
      if (arg instanceof Uint8Array && arg.length >= BY_REFERENCE_BYTES_MIN) {
        this.#small.writeAscii(`$${arg.length}${CRLF}`);
        this.#cutSmall();
        this.#pieces.push(arg);
        this.#small.writeAscii(CRLF);
      } else {
        writeCommand(this.#small, [arg], { bare: true });
      }
    }
  }

  /** Everything queued, in order; the queue is empty afterwards. */
  take(): Uint8Array[] {
    this.#cutSmall();
    return this.#pieces.splice(0);
  }

  #cutSmall(): void {
    if (this.#small.length === 0) return;
    this.#pieces.push(this.#small.bytes().slice());
    this.#small.reset();
  }
}
