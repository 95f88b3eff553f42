/**
 * Test helpers for the ZDB layer (not part of its public surface): a seeded
 * PRNG, random bytes, hashing, and an in-process server in a fresh temporary
 * data directory that cleans up after itself.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  startZdbServer,
  type ZdbAddress,
  ZdbClient,
  type ZdbClientOptions,
  type ZdbServer,
  type ZdbServerOptions,
} from "./mod.ts";

/** mulberry32, the seeded PRNG of lib/seeded_random.ts. */
export { seededRandom as mulberry32 } from "../../lib/seeded_random.ts";

/** An integer in [min, max], both included. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `length` pseudo-random bytes from `random` (4 bytes per call). */
export function randomBytes(random: () => number, length: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(random() * 4294967296);
  return new Uint8Array(words.buffer, 0, length);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** Resolves when `condition()` is true, polling every `intervalMs`; rejects after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface TestServer {
  readonly server: ZdbServer;
  readonly dataDir: string;
  /** The current address (a TCP server gets a new port at each restart). */
  readonly address: ZdbAddress;
  /** A client of the current server, closed with it. */
  client(options?: Partial<ZdbClientOptions>): ZdbClient;
  /**
   * Stops the server, keeping its data directory, and starts it again: on the
   * same unix socket, or on a new TCP port (reusing a port races with other
   * processes taking it meanwhile). Clients made before keep the old address.
   */
  restart(): Promise<void>;
  /** Closes clients and server and removes the data directory. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an in-process server on 127.0.0.1, port 0, in a fresh temporary data directory. */
export async function startTestServer(
  options: Partial<ZdbServerOptions> = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? Deno.makeTempDirSync({ prefix: "qsfs-zdb-test-" });
  const serverOptions: ZdbServerOptions = {
    listen: { hostname: "127.0.0.1", port: 0 },
    ...options,
    dataDir,
  };
  let server = await startZdbServer(serverOptions);
  const addressOf = (running: ZdbServer): ZdbAddress =>
    running.path !== undefined
      ? { path: running.path }
      : { hostname: "127.0.0.1", port: running.port! };
  const clients: ZdbClient[] = [];
  return {
    get server() {
      return server;
    },
    dataDir,
    get address() {
      return addressOf(server);
    },
    client(clientOptions = {}) {
      const client = new ZdbClient({
        address: addressOf(server),
        commandTimeoutMs: 20_000,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    async restart() {
      await server.close();
      server = await startZdbServer(serverOptions);
    },
    async [Symbol.asyncDispose]() {
      for (const client of clients) client.close();
      await server.close();
      Deno.removeSync(dataDir, { recursive: true });
    },
  };
}

/** Where `needle` first occurs in `haystack`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(needle);
}

/** Asserts two byte arrays are equal, naming the first difference (no multi-MiB diff dump). */
export function assertSameBytes(actual: Uint8Array | null, expected: Uint8Array, what = "value") {
  if (actual === null) throw new Error(`${what}: got null, expected ${expected.length} bytes`);
  if (Buffer.compare(actual, expected) === 0) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  throw new Error(
    `${what}: got ${actual.length} bytes, expected ${expected.length}; first difference at ${at}`,
  );
}
