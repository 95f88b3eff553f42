/**
 * The request loop on an open /dev/fuse descriptor.
 *
 * Requests are read synchronously on the JS thread from the nonblocking
 * descriptor (`_device_reader.ts`): every queued request is read and started
 * at once, and the loop then waits for more with one poll(2) on a thread. Once
 * the last request in flight is answered, the JS thread itself polls for
 * {@link QUICK_SPIN_NS}, then waits up to {@link QUICK_WAIT_NS}, for the next
 * one before it goes back to the event loop: a program making one call after
 * another gets its next request served without a thread hop. That quick wait
 * is skipped once the session has served for {@link QUICK_WAIT_BUDGET_MS}
 * without yielding, so timers and other work on the event loop still run.
 *
 * A request is decoded synchronously, so the read buffer is free again at
 * once, except for WRITE, whose data stays a view into the buffer until the
 * filesystem is done (the loop takes a fresh buffer from the pool). At most
 * `requestsInflightMax` requests are read and unanswered. Replies are written
 * synchronously: small ones copied behind the header in one write(2), larger
 * ones (READ data) as a writev(2) of the header and the caller's bytes,
 * without a copy.
 *
 * The loop ends when the kernel says the connection is gone (the mount was
 * unmounted or aborted); {@link FuseSession.serve} then waits for requests
 * still running, calls `destroy`, and closes the descriptor.
 *
 * @module
 */

import { EAGAIN, EINTR, EIO, ENOSYS, FsError } from "../errno.ts";
import * as abi from "./abi.ts";
import { decodeHeader, decodeRequest } from "./decode.ts";
import { dispatch, type ReplyBody } from "./dispatch.ts";
import { effectiveMaxWriteBytes, type InitSettings, PAGE_SIZE_BYTES } from "./init.ts";
import { answerInit, forwardForget } from "./_control_requests.ts";
import { DeviceReader, type ReadOutcome } from "./_device_reader.ts";
import { type Libc, openLibc } from "./_libc.ts";
import { ReplyWriter } from "./_reply_writer.ts";
import { RequestState } from "./_request_state.ts";
import type { InitInfo, RawFileSystem } from "./raw_fs.ts";
import { type FuseLogger, resolveInitSettings, type SessionOptions } from "./session_options.ts";
import type { FuseRequest, UnknownRequest } from "./types.ts";

export type { FuseLogger, SessionOptions };

/** How long the JS thread polls for the next request after answering the last one. */
const QUICK_SPIN_NS = 50_000;
/** How long it then sleeps in ppoll(2) waiting for it, before it goes back to the event loop. */
const QUICK_WAIT_NS = 250_000;
/** How long the session serves through quick waits before it lets the event loop run. */
const QUICK_WAIT_BUDGET_MS = 4;

/** Serves one FUSE connection. Create it on a descriptor from `mountFuse`, then `serve()`. */
export class FuseSession {
  readonly #fd: number;
  readonly #fs: RawFileSystem;
  readonly #options: SessionOptions;
  readonly #logger: FuseLogger;
  readonly #inflight = new Map<number, RequestState>();
  readonly #running = new Set<Promise<void>>();
  readonly #buffers: Uint8Array<ArrayBuffer>[] = [];
  #libc: Libc | null = null;
  #replies: ReplyWriter | null = null;
  #reader: DeviceReader | null = null;
  #settings: InitSettings | null = null;
  /** The buffer the next request is read into. */
  #buffer: Uint8Array<ArrayBuffer> | null = null;
  readonly #requestsInflightMax: number;
  /** Requests read and not yet answered (FORGET and INTERRUPT are never counted). */
  #requestsInflight = 0;
  /** Resolved when a request slot frees up while the loop waits for one. */
  #slotFreed: PromiseWithResolvers<void> | null = null;
  /** When the loop last resumed from the event loop (performance.now()). */
  #turnStartMs = 0;
  #bufferBytes = 0;
  #ended = false;
  #destroyed = false;
  readonly #initDone = Promise.withResolvers<InitInfo>();
  /** Resolves once INIT is answered: from then on the mount is usable. Rejects if INIT failed. */
  readonly initialized: Promise<InitInfo> = this.#initDone.promise;

  constructor(fd: number, fs: RawFileSystem, options: SessionOptions = {}) {
    this.#fd = fd;
    this.#fs = fs;
    this.#options = options;
    this.#logger = options.logger ?? console;
    this.#requestsInflightMax = Math.max(1, options.requestsInflightMax ?? 64);
    this.initialized.catch(() => {}); // Observed by whoever awaits it; never unhandled.
  }

  /** Serves until the connection ends; then closes the descriptor. */
  async serve(): Promise<void> {
    if (this.#libc !== null) throw new Error("Cannot serve a FUSE session twice");
    this.#libc = openLibc();
    this.#replies = new ReplyWriter(this.#libc, this.#fd, this.#logger);
    try {
      this.#reader = new DeviceReader(this.#libc, this.#fd);
      this.#settings = await resolveInitSettings(this.#options, this.#fs);
      this.#bufferBytes = Math.max(
        abi.FUSE_MIN_READ_BUFFER_BYTES,
        effectiveMaxWriteBytes(this.#settings) + PAGE_SIZE_BYTES,
      );
      await this.#readLoop(this.#reader);
      while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
      await this.#destroy();
    } finally {
      this.#libc.symbols.close(this.#fd);
      this.#libc.close();
    }
  }

  async #readLoop(reader: DeviceReader): Promise<void> {
    while (!this.#ended) {
      this.#turnStartMs = performance.now();
      this.#readQueued();
      if (this.#ended) break;
      if (this.#requestsInflight >= this.#requestsInflightMax) {
        this.#slotFreed ??= Promise.withResolvers();
        await this.#slotFreed.promise;
      } else {
        await reader.readable();
      }
    }
  }

  /** Reads and starts every queued request, while request slots are free. */
  #readQueued(): void {
    const reader = this.#reader!;
    while (!this.#ended && this.#requestsInflight < this.#requestsInflightMax) {
      const buffer = this.#buffer ??= this.#takeBuffer();
      if (!this.#accept(reader.read(buffer), buffer)) return;
    }
  }

  /** Starts the request `outcome` read into `buffer`; false if there was none. */
  #accept(outcome: ReadOutcome, buffer: Uint8Array<ArrayBuffer>): boolean {
    if (outcome === "empty") return false;
    if (outcome === "gone") {
      this.#ended = true;
      return false;
    }
    if (this.#handle(buffer.subarray(0, outcome), this.#settings!)) this.#buffer = null;
    return true;
  }

  /**
   * After a reply: a slot is free, so read what is queued; if nothing is in
   * flight, first wait briefly for the caller's next request on this thread.
   */
  #afterReply(): void {
    if (this.#slotFreed !== null) {
      this.#slotFreed.resolve();
      this.#slotFreed = null;
    }
    if (this.#ended || this.#reader === null) return;
    const quick = this.#requestsInflight === 0 &&
      performance.now() - this.#turnStartMs < QUICK_WAIT_BUDGET_MS;
    if (quick) {
      const buffer = this.#buffer ??= this.#takeBuffer();
      const spun = this.#accept(this.#reader.readSpinning(buffer, QUICK_SPIN_NS), buffer);
      if (!spun && (this.#ended || !this.#reader.waitBriefly(QUICK_WAIT_NS))) return;
    }
    this.#readQueued();
  }

  #takeBuffer(): Uint8Array<ArrayBuffer> {
    return this.#buffers.pop() ?? new Uint8Array(new ArrayBuffer(this.#bufferBytes));
  }

  /** Handles one request; true if its buffer now belongs to the request (WRITE). */
  #handle(bytes: Uint8Array<ArrayBuffer>, settings: InitSettings): boolean {
    let request: FuseRequest | UnknownRequest;
    try {
      request = decodeRequest(bytes);
    } catch (error) {
      this.#logger.error("Cannot decode a FUSE request", { error: String(error) });
      const unique = bytes.length >= abi.InHeader.sizeBytes ? decodeHeader(bytes).unique : 0;
      this.#reply(unique, error instanceof FsError ? error.errno : EIO, null);
      return false;
    }
    switch (request.opcode) {
      case abi.Opcode.INIT:
        this.#requestsInflight++;
        this.#track(this.#init(request, settings).finally(() => this.#requestDone()));
        return false;
      case abi.Opcode.FORGET:
      case abi.Opcode.BATCH_FORGET:
        forwardForget(this.#fs, request, this.#logger);
        return false;
      case abi.Opcode.INTERRUPT:
        this.#interrupt(request.header.unique, request.body.unique);
        return false;
      case abi.Opcode.DESTROY:
        this.#requestsInflight++;
        this.#track(
          this.#destroy().then(() => this.#reply(request.header.unique, 0, null)).finally(() => {
            this.#requestDone();
          }),
        );
        return false;
    }
    const owned = request.opcode === abi.Opcode.WRITE;
    this.#requestsInflight++;
    this.#track(this.#serveRequest(request, owned ? bytes.buffer : null));
    return owned;
  }

  #track(work: Promise<void>): void {
    const tracked: Promise<void> = work.catch((error) => {
      this.#logger.error("FUSE session task failed", { error: String(error) });
    }).finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  async #serveRequest(
    request: FuseRequest | UnknownRequest,
    owned: ArrayBuffer | null,
  ): Promise<void> {
    const { unique, opcode } = request.header;
    const state = new RequestState(request.header);
    this.#inflight.set(unique, state);
    try {
      if (request.opcode === "unknown") {
        throw new FsError(ENOSYS, `Cannot serve ${abi.opcodeName(opcode)}: not supported`);
      }
      this.#reply(unique, 0, await dispatch(this.#fs, state, request));
    } catch (error) {
      this.#reply(unique, this.#errnoOf(error, state, request), null);
    } finally {
      this.#inflight.delete(unique);
      if (owned !== null) this.#buffers.push(new Uint8Array(owned));
      this.#requestDone();
    }
  }

  /** A request that held a slot is answered. */
  #requestDone(): void {
    this.#requestsInflight--;
    this.#afterReply();
  }

  #errnoOf(error: unknown, state: RequestState, request: FuseRequest | UnknownRequest): number {
    if (error instanceof FsError) return error.errno;
    if (state.interrupted) return EINTR;
    this.#logger.error(
      `FUSE ${abi.opcodeName(request.header.opcode)} failed with a non-FsError; replying EIO`,
      {
        nodeId: request.header.nodeId,
        error: error instanceof Error ? error.stack ?? error.message : String(error),
      },
    );
    return EIO;
  }

  async #init(
    request: Extract<FuseRequest, { opcode: typeof abi.Opcode.INIT }>,
    settings: InitSettings,
  ): Promise<void> {
    const outcome = await answerInit(request, settings, this.#fs, (...reply) => {
      this.#reply(...reply);
    });
    if (outcome.kind === "up") this.#initDone.resolve(outcome.info);
    if (outcome.kind === "failed") {
      this.#logger.error("Cannot start the FUSE session", { error: String(outcome.error) });
      this.#initDone.reject(outcome.error);
    }
  }

  #interrupt(ownUnique: number, targetUnique: number): void {
    const target = this.#inflight.get(targetUnique);
    if (target === undefined) {
      // Not read yet (or already answered): EAGAIN asks the kernel to send it again.
      this.#reply(ownUnique, EAGAIN, null);
      return;
    }
    target.interrupt();
    this.#fs.interrupt?.({ unique: targetUnique });
  }

  async #destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    await this.#fs.destroy?.();
  }

  #reply(unique: number, errno: number, body: ReplyBody): void {
    this.#replies!.write(unique, errno, body);
  }
}
