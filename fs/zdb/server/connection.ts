/**
 * One client connection: read bytes, run every complete command in order,
 * send the replies in order. Replies to a batch that wrote anything wait for
 * the group commit, so an acknowledged write under sync "always" is on disk.
 * A malformed request gets 0-db's error reply, then the connection closes
 * (RESP cannot be resynchronised after a bad frame).
 */
import { ByteWriter } from "../resp/byte_writer.ts";
import { RespProtocolError, RespReader } from "../resp/decode.ts";
import { writeError } from "../resp/encode.ts";
import type { ServerContext, Session } from "./commands/context.ts";
import { dispatch } from "./commands/dispatch.ts";
import type { GroupCommit } from "./group_commit.ts";
import { DEFAULT_NAMESPACE } from "./namespace_store.ts";

const READ_MIN_BYTES = 64 * 1024;
/**
 * What a connection's buffers keep between batches. A shard is 1 MiB and more (a 4 MiB chunk
 * over 4 data shards), and a buffer shrunk after each one is allocated, zeroed and grown again
 * for the next: a cold read paid that for every GET. 4 MiB holds the largest shard of the
 * usual geometries, and a storage node has few clients.
 */
const IDLE_BUFFER_BYTES = 4 * 1024 * 1024 + 64 * 1024;
/** Replies are sent once this much is pending, even mid-batch, to bound memory. */
const REPLY_FLUSH_BYTES = 4 * 1024 * 1024;

export async function serveConnection(
  context: ServerContext,
  groupCommit: GroupCommit,
  conn: Deno.Conn,
): Promise<void> {
  const session: Session = {
    namespace: context.store.get(DEFAULT_NAMESPACE)!,
    writable: true,
    admin: context.adminPassword === undefined,
    nonce: null,
    wrote: false,
    closeAfterReply: false,
  };
  context.stats.clientsLifetime++;
  const reader = new RespReader();
  const out = new ByteWriter(16 * 1024);
  try {
    while (!session.closeAfterReply) {
      const count = await conn.read(reader.writable(READ_MIN_BYTES));
      if (count === null) break;
      reader.commit(count);
      context.stats.networkRxBytes += count;
      await runBatch(context, groupCommit, session, reader, out, conn);
      reader.shrink(IDLE_BUFFER_BYTES);
      out.shrink(IDLE_BUFFER_BYTES);
    }
  } catch (error) {
    if (!isDisconnect(error)) {
      context.logger.warn("zdb connection ended on an error", { error: String(error) });
    }
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed by the peer.
    }
  }
}

async function runBatch(
  context: ServerContext,
  groupCommit: GroupCommit,
  session: Session,
  reader: RespReader,
  out: ByteWriter,
  conn: Deno.Conn,
): Promise<void> {
  while (!session.closeAfterReply) {
    let args: Uint8Array[] | undefined;
    try {
      args = reader.readCommand();
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error;
      writeError(out, error.message);
      session.closeAfterReply = true;
      break;
    }
    if (args === undefined) break;
    const pending = dispatch(context, session, args, out);
    if (pending !== undefined) await pending;
    if (out.length >= REPLY_FLUSH_BYTES) {
      await sendReplies(context, groupCommit, session, out, conn);
    }
  }
  await sendReplies(context, groupCommit, session, out, conn);
}

async function sendReplies(
  context: ServerContext,
  groupCommit: GroupCommit,
  session: Session,
  out: ByteWriter,
  conn: Deno.Conn,
): Promise<void> {
  if (session.wrote) {
    session.wrote = false;
    // A failed fsync throws here: the connection closes without acknowledging.
    await groupCommit.durable();
  }
  if (out.length === 0) return;
  const bytes = out.bytes();
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
  context.stats.networkTxBytes += bytes.length;
  out.reset();
}

function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted;
}
