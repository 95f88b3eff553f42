/**
 * One socket to a ZDB server: pipelined commands, replies matched in order.
 * Commands sent in the same tick go out in one write. Any socket error or a
 * command timeout ends the connection and fails every command still waiting,
 * because replies after a lost one can no longer be matched to commands.
 */
import { RespReader, type RespValue } from "../resp/decode.ts";
import type { CommandArg } from "../resp/encode.ts";
import { OutgoingCommands } from "./outgoing.ts";
import { ZdbConnectionError, ZdbTimeoutError } from "./errors.ts";

interface Pending {
  name: string;
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The most a connection's read buffer keeps between replies. */
const READ_BUFFER_IDLE_BYTES_MAX = 4 * 1024 * 1024;

export type ZdbAddress = { hostname: string; port: number } | { path: string };

export function describeAddress(address: ZdbAddress): string {
  return "path" in address ? `unix:${address.path}` : `${address.hostname}:${address.port}`;
}

export class RespConnection {
  readonly address: ZdbAddress;
  #conn: Deno.Conn;
  #reader: RespReader;
  readonly #queued = new OutgoingCommands();
  #pending: Pending[] = [];
  #pendingHead = 0;
  #writing = false;
  #flushScheduled = false;
  #error: Error | undefined;
  #onClose: (connection: RespConnection) => void;

  private constructor(
    address: ZdbAddress,
    conn: Deno.Conn,
    maxReplyBytes: number,
    onClose: (c: RespConnection) => void,
  ) {
    this.address = address;
    this.#conn = conn;
    this.#reader = new RespReader({
      maxBulkBytes: 8 * 1024 * 1024,
      maxBufferBytes: maxReplyBytes,
      maxArrayLength: 1 << 20,
    });
    this.#onClose = onClose;
    void this.#readLoop();
  }

  static async open(
    address: ZdbAddress,
    options: {
      connectTimeoutMs: number;
      maxReplyBytes: number;
      onClose: (c: RespConnection) => void;
    },
  ): Promise<RespConnection> {
    const signal = AbortSignal.timeout(options.connectTimeoutMs);
    const connecting = "path" in address
      ? Deno.connect({ transport: "unix", path: address.path })
      : Deno.connect({ hostname: address.hostname, port: address.port, signal });
    const conn = await connecting;
    if (!("path" in address)) (conn as Deno.TcpConn).setNoDelay(true);
    return new RespConnection(address, conn, options.maxReplyBytes, options.onClose);
  }

  get alive(): boolean {
    return this.#error === undefined;
  }

  get inFlight(): number {
    return this.#pending.length - this.#pendingHead;
  }

  send(args: readonly CommandArg[], timeoutMs: number): Promise<RespValue> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    const name = typeof args[0] === "string" ? args[0] : "command";
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(() => this.#timedOut(name, timeoutMs), timeoutMs);
      this.#pending.push({ name, resolve, reject, timer });
      this.#queued.add(args);
      this.#scheduleFlush();
    });
  }

  close(reason = "connection closed by the client"): void {
    this.#fail(
      new ZdbConnectionError(
        `Cannot finish command on ${describeAddress(this.address)}: ${reason}`,
      ),
    );
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#writing) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#queued.empty || this.#error !== undefined) return;
    this.#writing = true;
    try {
      for (const bytes of this.#queued.take()) {
        let written = 0;
        while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
      }
    } catch (error) {
      this.#fail(
        new ZdbConnectionError(`Cannot send to ${describeAddress(this.address)}: ${error}`, {
          cause: error,
        }),
      );
    } finally {
      this.#writing = false;
    }
    if (!this.#queued.empty) void this.#flush();
  }

  async #readLoop(): Promise<void> {
    try {
      while (this.#error === undefined) {
        const count = await this.#conn.read(this.#reader.writable(64 * 1024));
        if (count === null) throw new Error("server closed the connection");
        this.#reader.commit(count);
        let reply: RespValue | undefined;
        while ((reply = this.#reader.readReply()) !== undefined) this.#resolveNext(reply);
        // A buffer that grew for shards stays (a few MiB per connection): dropping it after
        // each reply made every 1 MiB shard read allocate and fill a new 2 MiB buffer.
        this.#reader.shrink(READ_BUFFER_IDLE_BYTES_MAX);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#fail(
        new ZdbConnectionError(`Lost connection to ${describeAddress(this.address)}: ${reason}`, {
          cause: error,
        }),
      );
    }
  }

  #resolveNext(reply: RespValue): void {
    const pending = this.#pending[this.#pendingHead];
    if (pending === undefined) {
      this.#fail(new ZdbConnectionError(`Unexpected reply from ${describeAddress(this.address)}`));
      return;
    }
    this.#pending[this.#pendingHead++] = undefined as unknown as Pending;
    if (this.#pendingHead > 1024 && this.#pendingHead * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#pendingHead);
      this.#pendingHead = 0;
    }
    clearTimeout(pending.timer);
    pending.resolve(reply);
  }

  #timedOut(name: string, timeoutMs: number): void {
    this.#fail(
      new ZdbTimeoutError(
        `Cannot finish ${name} on ${
          describeAddress(this.address)
        }: no reply within ${timeoutMs} ms`,
      ),
    );
  }

  #fail(error: Error): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    const pending = this.#pending.slice(this.#pendingHead);
    this.#pending = [];
    this.#pendingHead = 0;
    for (const waiter of pending) {
      clearTimeout(waiter.timer);
      // Only the command that timed out gets the timeout error; the rest lost their connection.
      waiter.reject(
        error instanceof ZdbTimeoutError && waiter !== pending[0]
          ? new ZdbConnectionError(
            `Lost connection to ${describeAddress(this.address)}: an earlier command timed out`,
          )
          : error,
      );
    }
    this.#onClose(this);
  }
}
