/**
 * Waiting for the signals that ask a foreground command to stop.
 *
 * @module
 */

/** A pending wait for a stop signal; dispose() removes the listeners. */
export interface StopWaiter {
  readonly signal: Promise<Deno.Signal>;
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM. The first one resolves `signal` and removes
 * the listeners, so a second one ends the process the default way: a stuck
 * shutdown can still be interrupted.
 */
export function waitForStopSignal(
  signals: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"],
): StopWaiter {
  let resolveSignal: (signal: Deno.Signal) => void = () => {};
  const signal = new Promise<Deno.Signal>((resolve) => resolveSignal = resolve);
  const handlers = signals.map((name) => {
    const handler = () => {
      dispose();
      resolveSignal(name);
    };
    Deno.addSignalListener(name, handler);
    return { name, handler };
  });
  let disposed = false;
  function dispose() {
    if (disposed) return;
    disposed = true;
    for (const { name, handler } of handlers) Deno.removeSignalListener(name, handler);
  }
  return { signal, dispose };
}
