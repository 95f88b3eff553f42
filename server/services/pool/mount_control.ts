/**
 * The mount's control socket: how the daemon asks a mounted filesystem to do
 * what needs the filesystem itself while another process serves it. A pool
 * node is removed while mounted by asking the mount to move the node's shards
 * (PoolControl.evacuateNode) before the daemon deletes the node, and the pool
 * is scrubbed while mounted by asking the mount to (PoolControl.scrub); the
 * mount keeps serving meanwhile. Only the mount may do it: it owns the metadata.
 *
 * A unix socket, `<home>/mount.sock`, mode 0600 (only the home's owner may
 * ask). One JSON request per connection, one line each way:
 *
 *   {"op": "status"}                    -> {"ok": true, "nodeIds": [...], "uploadsPending": N}
 *   {"op": "evacuate", "nodeId": "ID"}  -> {"ok": true, "nodeId": "ID", "chunksMoved": N}
 *   {"op": "scrub"}                     -> {"ok": true, ...ScrubSummary (fs/pool_scrub.ts)}
 *   anything that fails                 -> {"ok": false, "error": "Cannot ...: why"}
 *
 * @module
 */
import { join } from "node:path";
import type { ScrubSummary } from "../../../fs/mod.ts";

export const MOUNT_SOCKET_NAME = "mount.sock";
/** A request is a short line; anything longer is not one of ours. */
const REQUEST_BYTES_MAX = 4096;
/** Moving a node's shards takes as long as its data takes to copy: generous, but bounded. */
const EVACUATE_TIMEOUT_MS = 30 * 60_000;
const STATUS_TIMEOUT_MS = 10_000;
/** A scrub reads every shard the pool holds: hours for terabytes, so bounded only loosely. */
export const SCRUB_TIMEOUT_MS = 24 * 3600_000;
/** The longest answer: a scrub's summary lists every unreadable chunk (about 150 bytes each). */
const ANSWER_BYTES_MAX = 256 * 1024 * 1024;

export type MountRequest =
  | { op: "status" }
  | { op: "evacuate"; nodeId: string }
  | { op: "scrub" };

export interface MountStatus {
  nodeIds: string[];
  uploadsPending: number;
}

export interface MountEvacuated {
  nodeId: string;
  chunksMoved: number;
}

/** What the mount process answers with. */
export interface MountControlTarget {
  status(): MountStatus;
  evacuate(nodeId: string): Promise<MountEvacuated>;
  scrub(): Promise<ScrubSummary>;
}

type Answer =
  | ({ ok: true } & (MountStatus | MountEvacuated | ScrubSummary))
  | { ok: false; error: string };

const TIMEOUT_MS_OF: Record<MountRequest["op"], number> = {
  status: STATUS_TIMEOUT_MS,
  evacuate: EVACUATE_TIMEOUT_MS,
  scrub: SCRUB_TIMEOUT_MS,
};

export function mountSocketPath(home: string): string {
  return join(home, MOUNT_SOCKET_NAME);
}

interface ControlLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Listens on `path` until the returned close(). A socket file left by a mount that was killed
 * is replaced; one a live mount answers on is not (that mount keeps it), and then undefined is
 * returned.
 */
export async function listenMountControl(
  path: string,
  target: MountControlTarget,
  logger: ControlLogger,
): Promise<{ close(): Promise<void> } | undefined> {
  if (await askMount(path, { op: "status" }) !== undefined) {
    logger.warn("another mount of this home answers on its control socket; not taking it", {
      path,
    });
    return undefined;
  }
  await Deno.remove(path).catch(() => {});
  const listener = Deno.listen({ transport: "unix", path });
  await Deno.chmod(path, 0o600);
  const serving = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const connection of listener) {
      const one = answerOne(connection, target, logger).finally(() => serving.delete(one));
      serving.add(one);
    }
  })().catch(() => {});
  return {
    async close() {
      listener.close();
      await accepting;
      await Promise.allSettled(serving);
      await Deno.remove(path).catch(() => {});
    },
  };
}

async function answerOne(
  connection: Deno.UnixConn,
  target: MountControlTarget,
  logger: ControlLogger,
): Promise<void> {
  let answer: Answer;
  try {
    const request = parseRequest(await readLine(connection, REQUEST_BYTES_MAX));
    if (request.op === "status") {
      answer = { ok: true, ...target.status() };
    } else if (request.op === "scrub") {
      logger.info("scrubbing the pool, as asked");
      answer = { ok: true, ...await target.scrub() };
    } else {
      logger.info("moving a node's shards to the other nodes, as asked", { node: request.nodeId });
      answer = { ok: true, ...await target.evacuate(request.nodeId) };
    }
  } catch (error) {
    answer = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    await writeAll(connection, new TextEncoder().encode(`${JSON.stringify(answer)}\n`));
  } catch {
    // The asker went away: what was done stays done, and asking again finds it so.
  } finally {
    connection.close();
  }
}

function parseRequest(line: string): MountRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error("Cannot read the request: it is not JSON");
  }
  const request = value as Partial<{ op: string; nodeId: unknown }> | null;
  if (request?.op === "status") return { op: "status" };
  if (request?.op === "scrub") return { op: "scrub" };
  if (request?.op === "evacuate" && typeof request.nodeId === "string" && request.nodeId !== "") {
    return { op: "evacuate", nodeId: request.nodeId };
  }
  throw new Error(
    'Cannot read the request: give {"op": "status"}, {"op": "evacuate", "nodeId"} or {"op": "scrub"}',
  );
}

/**
 * Asks the mount of the home whose socket is `path`. Undefined when no mount answers there
 * (no socket file, or a stale one nobody listens on).
 * @throws {Error} with the mount's own message when it answered with a failure
 */
export async function askMount(path: string, request: { op: "status" }): Promise<
  MountStatus | undefined
>;
export async function askMount(
  path: string,
  request: { op: "evacuate"; nodeId: string },
): Promise<MountEvacuated | undefined>;
export async function askMount(
  path: string,
  request: { op: "scrub" },
): Promise<ScrubSummary | undefined>;
export async function askMount(path: string, request: MountRequest) {
  let connection: Deno.UnixConn;
  try {
    connection = await Deno.connect({ transport: "unix", path });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused) {
      return undefined;
    }
    throw error;
  }
  const timeoutMs = TIMEOUT_MS_OF[request.op];
  const timer = setTimeout(() => connection.close(), timeoutMs);
  try {
    await writeAll(connection, new TextEncoder().encode(`${JSON.stringify(request)}\n`));
    const line = await readLine(connection, ANSWER_BYTES_MAX).catch((error) => {
      throw new Error(`Cannot hear from the mount: ${error.message}`);
    });
    const answer = JSON.parse(line) as Answer;
    if (!answer.ok) throw new Error(answer.error);
    const { ok: _, ...result } = answer;
    return result;
  } finally {
    clearTimeout(timer);
    try {
      connection.close();
    } catch {
      // Closed by the timer already.
    }
  }
}

async function readLine(connection: Deno.Conn, bytesMax: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(4096);
  for (;;) {
    const count = await connection.read(buffer);
    if (count === null) throw new Error("the connection closed before a whole line");
    const chunk = buffer.slice(0, count);
    const newline = chunk.indexOf(0x0a);
    chunks.push(newline === -1 ? chunk : chunk.subarray(0, newline));
    total += count;
    if (newline !== -1) break;
    if (total > bytesMax) throw new Error(`the line is longer than ${bytesMax} bytes`);
  }
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

async function writeAll(connection: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await connection.write(bytes.subarray(done));
}
