/**
 * Ports for local storage nodes. They are picked below the kernel's ephemeral
 * range: outgoing connections and port-0 listeners never take such a port, so
 * a node that is down (crashed, or the daemon stopped) can come back on the
 * port its clients know.
 *
 * @module
 */

const PORT_FIRST = 10_000;
const PICK_ATTEMPTS_MAX = 200;
/** The IANA dynamic range start, when /proc does not say. */
const EPHEMERAL_FIRST_DEFAULT = 32_768;

/** Whether nothing listens on 127.0.0.1:`port` right now. */
export function isPortFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** A free port below the ephemeral range that is not in `taken`. */
export function pickNodePort(taken: ReadonlySet<number>): number {
  const last = ephemeralFirst() - 1;
  for (let attempt = 0; attempt < PICK_ATTEMPTS_MAX; attempt++) {
    const port = PORT_FIRST + Math.floor(Math.random() * (last - PORT_FIRST + 1));
    if (!taken.has(port) && isPortFree(port)) return port;
  }
  throw new Error(`Cannot find a free port between ${PORT_FIRST} and ${last}`);
}

function ephemeralFirst(): number {
  try {
    const text = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
    const first = Number(text.trim().split(/\s+/)[0]);
    return first > PORT_FIRST + 100 ? first : EPHEMERAL_FIRST_DEFAULT;
  } catch {
    return EPHEMERAL_FIRST_DEFAULT;
  }
}
