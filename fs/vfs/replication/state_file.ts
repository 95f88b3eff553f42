/**
 * `replication.json` in the state directory: the sequence number of the last
 * superblock this state made durable (or was recovered from). It lives beside
 * the store, not in it, because a change to the store would itself need
 * shipping. It lets replication refuse to start from a state directory that
 * is older than the nodes, which would replace newer metadata with older.
 */
import { join } from "node:path";

const FILE_NAME = "replication.json";

export async function readReplicatedSeq(stateDir: string): Promise<number | undefined> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(join(stateDir, FILE_NAME))) as {
      seq?: unknown;
    };
    if (typeof parsed.seq !== "number") throw new Error(`${FILE_NAME} has no seq`);
    return parsed.seq;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(
      `Cannot read ${join(stateDir, FILE_NAME)}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** Replaces the file atomically (temporary file, fsync, rename). */
export async function writeReplicatedSeq(stateDir: string, seq: number): Promise<void> {
  const path = join(stateDir, FILE_NAME);
  const temporary = `${path}.tmp`;
  const file = await Deno.open(temporary, {
    write: true,
    create: true,
    truncate: true,
    mode: 0o600,
  });
  try {
    await file.write(new TextEncoder().encode(JSON.stringify({ seq }) + "\n"));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, path);
}

/**
 * The next superblock sequence number: above the last one, and at least the
 * clock in milliseconds, so a state that could not read the nodes' newest
 * superblock still writes a higher one than any it may have missed.
 */
export function nextSeq(previous: number): number {
  return Math.max(previous + 1, Date.now());
}
