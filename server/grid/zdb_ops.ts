/**
 * What the control plane asks of a storage node over RESP: create its
 * namespace, read its usage, check its health, change its size. Shared by the
 * providers, since local nodes and grid nodes speak the same 0-db dialect.
 *
 * @module
 */
import { type NamespaceInfo, type ZdbAddress, ZdbClient } from "../../fs/zdb/mod.ts";

/** Every qsfs storage node keeps its data in one namespace of this name. */
export const NAMESPACE_NAME = "qsfs";

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 10_000;

export interface NamespaceAccess {
  address: ZdbAddress;
  namespace: string;
  password: string;
}

export interface NodeProbe {
  latencyMs: number;
  info: NamespaceInfo;
}

/** Runs `body` with a short-lived client and closes it. */
async function withClient<T>(
  options: ConstructorParameters<typeof ZdbClient>[0],
  body: (client: ZdbClient) => Promise<T>,
): Promise<T> {
  const client = new ZdbClient({
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    reconnectAttemptsMax: 1,
    ...options,
  });
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

/** Creates a private, password-protected namespace limited to `maxsizeBytes`. */
export function createNamespace(
  address: ZdbAddress,
  adminPassword: string,
  namespace: { name: string; password: string; maxsizeBytes: number },
): Promise<void> {
  return withClient({ address, adminPassword }, async (client) => {
    await client.nsnew(namespace.name);
    await client.nsset(namespace.name, "password", namespace.password);
    await client.nsset(namespace.name, "public", 0);
    await client.nsset(namespace.name, "maxsize", namespace.maxsizeBytes);
  });
}

/** Sets the namespace size limit (0-db NSSET maxsize). */
export function setNamespaceMaxsize(
  address: ZdbAddress,
  adminPassword: string,
  namespace: string,
  maxsizeBytes: number,
): Promise<void> {
  return withClient({ address, adminPassword }, async (client) => {
    await client.nsset(namespace, "maxsize", maxsizeBytes);
  });
}

/** PING (timed) and NSINFO as the namespace's own user. */
export function probeNamespace(access: NamespaceAccess): Promise<NodeProbe> {
  return withClient(
    { address: access.address, namespace: access.namespace, password: access.password },
    async (client) => {
      // The first call also connects and selects: time a second PING for the round trip.
      await client.ping();
      const startMs = performance.now();
      await client.ping();
      const latencyMs = Math.round((performance.now() - startMs) * 1000) / 1000;
      return { latencyMs, info: await client.nsinfo(access.namespace) };
    },
  );
}
