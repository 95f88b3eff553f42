/**
 * The ZDB layer: a 0-db compatible RESP codec, client and embedded server.
 *
 * @module
 */
export type { ZdbServer, ZdbServerOptions } from "./server/server.ts";
export { startZdbServer } from "./server/server.ts";
export {
  type Key,
  type NamespaceProperty,
  type ScanEntry,
  type ScanPage,
  seqIdOf,
  seqKey,
  ZdbClient,
} from "./client/zdb_client.ts";
export type { ZdbClientOptions } from "./client/client.ts";
export type { ZdbAddress } from "./client/connection.ts";
export type { NamespaceInfo } from "./client/nsinfo.ts";
export {
  isRetriableZdbError,
  ZdbClosedError,
  ZdbConnectionError,
  ZdbReplyError,
  ZdbTimeoutError,
} from "./client/errors.ts";
