/**
 * Choosing the address of a grid zdb that this machine can reach. A node
 * reports several (zos#2497): a public IPv6 address when it has one, a
 * Yggdrasil address (200::/7) and a Mycelium address (400::/7); which of
 * them works depends on this machine's networks. So every candidate is tried
 * with a TCP connect under a timeout, all at once, and the first that answers
 * wins. No index is assumed.
 *
 * @module
 */
/** How long one TCP connect may take before the address counts as unreachable. */
export const ENDPOINT_CONNECT_TIMEOUT_MS = 5_000;

export type AddressKind = "ipv4" | "ipv6" | "yggdrasil" | "mycelium";

export interface TcpAddress {
  hostname: string;
  port: number;
}

/** Maps a grid address to where to connect; the identity outside tests. */
export type Route = (address: TcpAddress) => TcpAddress;

export const directRoute: Route = (address) => address;

export interface EndpointChoice {
  host: string;
  port: number;
  kind: AddressKind;
}

/**
 * The kind of a reported address, or undefined for one no client should use
 * (loopback, link-local, private or unique-local ranges, not an IP).
 */
export function addressKind(ip: string): AddressKind | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(ip);
  if (v4 !== null) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    const privateV4 = a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
    return privateV4 ? undefined : "ipv4";
  }
  const first = firstHextet(ip);
  if (first === undefined) return undefined;
  if (first >= 0x0200 && first <= 0x03ff) return "yggdrasil";
  if (first >= 0x0400 && first <= 0x05ff) return "mycelium";
  if (first >= 0x2000 && first <= 0x3fff) return "ipv6";
  return undefined;
}

function firstHextet(ip: string): number | undefined {
  if (!ip.includes(":") || !/^[0-9a-fA-F:.]+$/.test(ip)) return undefined;
  const head = ip.split(":")[0]!;
  if (head === "") return 0; // "::1" and the like
  return head.length <= 4 ? parseInt(head, 16) : undefined;
}

/** "host:port", with brackets around an IPv6 host. */
export function endpointOf(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Opens and closes a TCP connection; rejects on failure or after `timeoutMs`. */
export async function probeTcp(
  address: TcpAddress,
  timeoutMs: number,
  connect: (options: Deno.ConnectOptions) => Promise<Deno.TcpConn> = Deno.connect,
): Promise<void> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const attempt = connect({
    hostname: address.hostname,
    port: address.port,
    signal: controller.signal,
  });
  let conn: Deno.TcpConn;
  try {
    conn = await Promise.race([attempt, timedOut]);
  } catch (error) {
    // A connect that lost the race may still succeed later: close it then.
    attempt.then((late) => late.close(), () => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  conn.close();
}

export class NoReachableAddressError extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.length === 0 ? "it reported no usable address" : reasons.join("; "));
    this.name = "NoReachableAddressError";
  }
}

/**
 * Tries every usable address of `ips` at once and returns the first that
 * accepts a TCP connection.
 * @throws {NoReachableAddressError} listing why each one failed
 */
export async function chooseEndpoint(
  ips: readonly string[],
  port: number,
  options: { route?: Route; timeoutMs?: number; probe?: typeof probeTcp } = {},
): Promise<EndpointChoice> {
  const route = options.route ?? directRoute;
  const probe = options.probe ?? probeTcp;
  const timeoutMs = options.timeoutMs ?? ENDPOINT_CONNECT_TIMEOUT_MS;
  const candidates = ips.flatMap((ip) => {
    const kind = addressKind(ip);
    return kind === undefined ? [] : [{ host: ip, port, kind }];
  });
  if (candidates.length === 0) {
    throw new NoReachableAddressError(
      ips.length === 0 ? [] : [`none of ${ips.join(", ")} is a routable address`],
    );
  }
  try {
    return await Promise.any(
      candidates.map(async (candidate) => {
        try {
          await probe(route({ hostname: candidate.host, port }), timeoutMs);
          return candidate;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`${endpointOf(candidate.host, port)} (${candidate.kind}): ${reason}`);
        }
      }),
    );
  } catch (error) {
    const reasons = error instanceof AggregateError
      ? error.errors.map((inner) => inner instanceof Error ? inner.message : String(inner))
      : [String(error)];
    throw new NoReachableAddressError(reasons);
  }
}
