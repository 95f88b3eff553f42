/**
 * Time for inode timestamps: a clock with sub-millisecond digits, and
 * comparisons of {@link Timespec}s.
 *
 * @module
 */

import type { Timespec } from "./types.ts";

/** Returns the current time. Injected into the vfs so tests can fix it. */
export type Clock = () => Timespec;

/**
 * The wall clock. Date.now() gives milliseconds; the fraction of
 * performance.now() adds the digits below, so two changes a few microseconds
 * apart get different times, as on ext4.
 */
export function systemClock(): Timespec {
  const ms = Date.now();
  const sec = Math.floor(ms / 1000);
  const subMsNs = Math.floor((performance.now() % 1) * 1e6);
  return { sec, nsec: (ms - sec * 1000) * 1e6 + subMsNs };
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareTimes(a: Timespec, b: Timespec): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

/** The later of two times. */
export function laterTime(a: Timespec, b: Timespec): Timespec {
  return compareTimes(a, b) >= 0 ? a : b;
}
