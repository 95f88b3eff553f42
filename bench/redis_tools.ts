import { ByteWriter } from "../fs/zdb/resp/byte_writer.ts";
import { RespErrorReply, RespReader } from "../fs/zdb/resp/decode.ts";
import { writeCommand } from "../fs/zdb/resp/encode.ts";
/** Driving Debian's redis-benchmark and redis-cli against a server for the benchmarks. */

export interface Workload {
  label: string;
  valueBytes: number;
  setRequests: number;
  getRequests: number;
  /** GET asks for keys key:000000000000 .. getKeyspace - 1, all stored beforehand. */
  getKeyspace: number;
}

const PIPELINE_DEPTH = 16;
const CLIENTS = 50;

/** Runs one redis-benchmark test and returns its requests per second (from --csv). */
export async function redisBenchmark(
  port: number,
  test: "set" | "get",
  requests: number,
  keyspace: number,
  valueBytes: number,
): Promise<number> {
  const args = [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-t",
    test,
    "-c",
    String(CLIENTS),
    "-P",
    String(PIPELINE_DEPTH),
    "-d",
    String(valueBytes),
    "-n",
    String(requests),
    "-r",
    String(keyspace),
    "--csv",
  ];
  const output = await new Deno.Command("redis-benchmark", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`Cannot run redis-benchmark: ${new TextDecoder().decode(output.stderr)}`);
  }
  for (const line of text.split("\n")) {
    const cells = line.split(",").map((cell) => cell.replaceAll('"', ""));
    if (cells[0] === test.toUpperCase()) return Number(cells[1]);
  }
  throw new Error(`Cannot parse redis-benchmark output:\n${text}`);
}

/** The key redis-benchmark makes of random number `n` with -r. */
export function benchmarkKey(n: number): string {
  return `key:${String(n).padStart(12, "0")}`;
}

/**
 * Stores `count` keys of `valueBytes` bytes, pipelined over one connection.
 * (`redis-cli --pipe` would be the usual tool, but it ends with a bare CRLF
 * and an ECHO, which 0-db's dialect refuses.)
 */
export async function populateKeys(port: number, count: number, valueBytes: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reader = new RespReader();
  const value = new Uint8Array(valueBytes).fill(0x79);
  const batchSize = Math.max(1, Math.min(256, Math.floor((4 * 1024 * 1024) / (valueBytes + 64))));
  try {
    for (let first = 0; first < count; first += batchSize) {
      const batch = new ByteWriter();
      const last = Math.min(count, first + batchSize);
      for (let n = first; n < last; n++) writeCommand(batch, ["SET", benchmarkKey(n), value]);
      await writeAll(conn, batch.bytes());
      await readReplies(conn, reader, last - first);
    }
  } finally {
    conn.close();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

async function readReplies(conn: Deno.Conn, reader: RespReader, count: number): Promise<void> {
  let seen = 0;
  while (seen < count) {
    let reply;
    while (seen < count && (reply = reader.readReply()) !== undefined) {
      if (reply instanceof RespErrorReply) {
        throw new Error(`Cannot populate keys: ${reply.message}`);
      }
      seen++;
    }
    if (seen === count) break;
    const read = await conn.read(reader.writable());
    if (read === null) throw new Error("Cannot populate keys: the server closed the connection");
    reader.commit(read);
  }
}
