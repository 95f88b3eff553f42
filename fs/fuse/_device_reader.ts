/**
 * Reading requests from /dev/fuse without a thread hop per request.
 *
 * A nonblocking FFI call runs on a worker thread and wakes the JS thread
 * through the event loop: 10-50 us here, more than most requests take to
 * serve. So the descriptor is set O_NONBLOCK and read synchronously on the JS
 * thread: {@link DeviceReader.read} returns a request, or says that none is
 * queued (EAGAIN) or that the connection is gone (ENODEV). Only waiting for
 * the next request goes to a thread ({@link DeviceReader.readable}, poll(2)),
 * or, right after the last reply, briefly on the JS thread itself
 * ({@link DeviceReader.readSpinning}, then {@link DeviceReader.waitBriefly},
 * ppoll(2)): a program doing one call after another sends its next request
 * within microseconds.
 *
 * @module
 */

import { EAGAIN, EINTR, ENODEV, ENOENT } from "../errno.ts";
import { deviceGone, F_GETFL, F_SETFL, lastErrno, type Libc, O_NONBLOCK, POLLIN } from "./_libc.ts";

/** What one {@link DeviceReader.read} found: a request's length, or none. */
export type ReadOutcome = number | "empty" | "gone";

/** How long a thread's poll(2) waits before it comes back anyway, so none outlives the session. */
const POLL_THREAD_TIMEOUT_MS = 1000;
/** Consecutive failed reads (other than EAGAIN, EINTR, ENOENT) before the session gives up. */
const READ_FAILURES_MAX = 1000;

export class DeviceReader {
  readonly #libc: Libc;
  readonly #fd: number;
  /** struct pollfd for the thread's poll(2); one poll is outstanding at most. */
  readonly #threadPollfd = pollfdOf(0);
  /** struct pollfd and struct timespec for the JS thread's ppoll(2). */
  readonly #pollfd = pollfdOf(0);
  readonly #timespec = new BigInt64Array(2);
  #threadPoll: Promise<void> | null = null;
  #failures = 0;

  constructor(libc: Libc, fd: number) {
    this.#libc = libc;
    this.#fd = fd;
    for (const bytes of [this.#threadPollfd, this.#pollfd]) {
      new DataView(bytes.buffer).setInt32(0, fd, true);
    }
    const flags = libc.symbols.fcntl(fd, F_GETFL, 0);
    if (flags < 0 || libc.symbols.fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      throw new Error(
        `Cannot make /dev/fuse descriptor ${fd} nonblocking: errno ${lastErrno(libc)}`,
      );
    }
  }

  /** Reads one request into `buffer` if one is queued; never blocks. */
  read(buffer: Uint8Array<ArrayBuffer>): ReadOutcome {
    while (true) {
      const n = Number(this.#libc.symbols.read(this.#fd, buffer, BigInt(buffer.length)));
      if (n > 0) {
        this.#failures = 0;
        return n;
      }
      const errno = n < 0 ? lastErrno(this.#libc) : ENODEV;
      if (errno === EAGAIN) return "empty";
      if (errno === ENODEV) return "gone";
      // EINTR: a signal; ENOENT: the kernel dropped an interrupted request. Read again.
      if (errno === EINTR || errno === ENOENT) continue;
      if (++this.#failures > READ_FAILURES_MAX || deviceGone(this.#libc, this.#fd)) return "gone";
      return "empty";
    }
  }

  /**
   * Resolves when a request may be queued, the connection is gone, or a second
   * has passed: a poll(2) on a thread, one at a time.
   */
  readable(): Promise<void> {
    this.#threadPoll ??= this.#libc.symbols.pollWait(
      this.#threadPollfd,
      1n,
      POLL_THREAD_TIMEOUT_MS,
    ).then(() => {
      this.#threadPoll = null;
    });
    return this.#threadPoll;
  }

  /**
   * {@link read}, retried while nothing is queued for up to `spinNs`: the JS
   * thread polls instead of sleeping. A sleeping server is woken by the
   * kernel, and on our virtual machines that wake-up (of the thread, and of
   * its idle virtual CPU) costs more than the request itself: spinning 50 us
   * after each reply doubled the stats per second of one process and raised
   * creates by half (bench fs, and scratch runs of bench/fs_meta_child.ts).
   */
  readSpinning(buffer: Uint8Array<ArrayBuffer>, spinNs: number): ReadOutcome {
    const untilMs = performance.now() + spinNs / 1e6;
    while (true) {
      const outcome = this.read(buffer);
      if (outcome !== "empty" || performance.now() >= untilMs) return outcome;
    }
  }

  /** Waits up to `timeoutNs` on the JS thread for a request; true if one may be queued. */
  waitBriefly(timeoutNs: number): boolean {
    this.#timespec[0] = 0n;
    this.#timespec[1] = BigInt(timeoutNs);
    new DataView(this.#pollfd.buffer).setInt16(6, 0, true);
    const ready = this.#libc.symbols.ppoll(this.#pollfd, 1n, this.#timespec, null);
    return ready !== 0;
  }
}

/** A struct pollfd asking for POLLIN on `fd`. */
function pollfdOf(fd: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(new ArrayBuffer(8));
  const view = new DataView(bytes.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, POLLIN, true);
  return bytes;
}
