/**
 * Test support for filesystems on a pool: real embedded ZDB servers over TCP
 * that a test stops, starts again on the same port, or empties (a node that
 * comes back without its data); opening a filesystem over them, writing files
 * of a few chunks, reading them back whole, and the chunk locations as stored.
 */
import { join } from "node:path";
import { type Filesystem, openFilesystem } from "./filesystem.ts";
import type { PoolOptions } from "./pool.ts";
import { O_RDONLY, ROOT_INO } from "./vfs/constants.ts";
import { pattern, readCommitted, ROOT } from "./vfs/_testing.ts";
import { writeTestFile } from "./vfs/_tree_testing.ts";
import type { Vfs } from "./vfs/mod.ts";
import { startZdbServer, ZdbClient, type ZdbServer } from "./zdb/mod.ts";

export const CHUNK = 64 * 1024;
export const quiet = { info() {}, warn() {}, error() {} };

/** Embedded servers that can be stopped, started again on the same port, or emptied. */
export class TestNodes implements AsyncDisposable {
  readonly servers: (ZdbServer | undefined)[] = [];
  readonly ports: number[] = [];
  readonly dataDirs: string[] = [];

  static async start(count: number): Promise<TestNodes> {
    const nodes = new TestNodes();
    for (let i = 0; i < count; i++) {
      nodes.dataDirs.push(await Deno.makeTempDir({ prefix: "qsfs-pool-node-" }));
      const server = await nodes.#serve(i, 0);
      nodes.servers.push(server);
      nodes.ports.push(server.port!);
    }
    return nodes;
  }

  pool(overrides: Partial<PoolOptions> = {}): PoolOptions {
    return {
      nodes: this.ports.map((port, i) => ({
        id: `node-${i}`,
        host: "127.0.0.1",
        port,
        namespace: "default",
      })),
      dataShards: 4,
      parityShards: 2,
      keys: {
        dataKey: new Uint8Array(32).fill(1),
        metadataKey: new Uint8Array(32).fill(2),
        superblockKey: new Uint8Array(32).fill(3),
        superblockName: "qsfs-superblock-test",
      },
      metadataIntervalMs: 60_000,
      // Generous: a loaded CI machine must not turn a slow answer into a failed test.
      nodeTimeoutMs: 10_000,
      ...overrides,
    };
  }

  async stop(index: number): Promise<void> {
    await this.servers[index]?.close();
    this.servers[index] = undefined;
  }

  async resume(index: number): Promise<void> {
    this.servers[index] = await this.#serve(index, this.ports[index]!);
  }

  /** The node loses everything: its server stops, its data is deleted, it starts empty. */
  async wipe(index: number): Promise<void> {
    await this.stop(index);
    await Deno.remove(this.dataDirs[index]!, { recursive: true });
    await Deno.mkdir(this.dataDirs[index]!);
    await this.resume(index);
  }

  /** A client of node `index`'s namespace, for looking at (or rotting) what it stores. */
  client(index: number): ZdbClient {
    return new ZdbClient({ address: { hostname: "127.0.0.1", port: this.ports[index]! } });
  }

  #serve(index: number, port: number): Promise<ZdbServer> {
    return startZdbServer({
      listen: { hostname: "127.0.0.1", port },
      dataDir: this.dataDirs[index]!,
      mode: "user",
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const server of this.servers) await server?.close();
    for (const dir of this.dataDirs) await Deno.remove(dir, { recursive: true });
  }
}

/** A filesystem in `stateDir` over `pool` (all the nodes by default), in CHUNK-sized chunks. */
export function openPoolFs(
  nodes: TestNodes,
  stateDir: string,
  pool: PoolOptions = nodes.pool(),
): Promise<Filesystem> {
  return openFilesystem({ stateDir, pool, chunkSizeBytes: CHUNK, logger: quiet });
}

/** Opens `stateDir` again with its local cache deleted, so every read goes to the nodes. */
export async function reopenUncached(nodes: TestNodes, stateDir: string): Promise<Filesystem> {
  await Deno.remove(join(stateDir, "cache"), { recursive: true });
  return await openPoolFs(nodes, stateDir);
}

/** `count` files f0, f1, ... of two chunks and a bit each, fsynced; their bytes by name. */
export async function writeFiles(
  fs: Filesystem,
  count: number,
  seed: number,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const data = pattern(2 * CHUNK + 1 + i * 999, seed + i);
    await writeTestFile(fs.vfs, ROOT_INO, `f${i}`, data, true);
    files.set(`f${i}`, data);
  }
  return files;
}

/** The chunk map's locations as committed, read beside the filesystem (open or not). */
export function storedLocations(stateDir: string): Map<string, string> {
  return readCommitted(join(stateDir, "meta.sqlite"), (db) => {
    const rows = db.prepare("SELECT ref, location FROM chunk_locations").all();
    return new Map(rows.map((row) => [row.ref as string, row.location as string]));
  });
}

export async function readFile(vfs: Vfs, name: string): Promise<Uint8Array> {
  const { ino, sizeBytes } = await vfs.lookup(ROOT, ROOT_INO, new TextEncoder().encode(name));
  const fh = await vfs.open(ROOT, ino, O_RDONLY);
  try {
    return await vfs.read(ROOT, { fh, offset: 0, sizeBytes });
  } finally {
    await vfs.release(ROOT, fh);
  }
}
