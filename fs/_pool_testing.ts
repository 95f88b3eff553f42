/**
 * Test support for filesystems on a pool: real embedded ZDB servers over TCP
 * that a test stops, starts again on the same port, or empties (a node that
 * comes back without its data), and a whole-file read through the vfs.
 */
import type { PoolOptions } from "./pool.ts";
import { O_RDONLY, ROOT_INO } from "./vfs/constants.ts";
import { ROOT } from "./vfs/_testing.ts";
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

export async function readFile(vfs: Vfs, name: string): Promise<Uint8Array> {
  const { ino, sizeBytes } = await vfs.lookup(ROOT, ROOT_INO, new TextEncoder().encode(name));
  const fh = await vfs.open(ROOT, ino, O_RDONLY);
  try {
    return await vfs.read(ROOT, { fh, offset: 0, sizeBytes });
  } finally {
    await vfs.release(ROOT, fh);
  }
}
