/**
 * Invariant checks for the storage engine. A failed assertion is a programmer
 * error (a bug), never an operating condition: operating conditions are
 * `FsError`s or result values.
 *
 * @module
 */

/** Thrown when an invariant does not hold. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Throws {@link AssertionError} with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
