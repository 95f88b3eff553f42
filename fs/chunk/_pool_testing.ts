/**
 * Test support: a pool of real embedded ZDB servers over TCP, each wrapped in
 * a seeded fault-injecting node.
 */
import { startTestServer, type TestServer } from "../zdb/_testing.ts";
import { FaultyNode } from "./faulty_node.ts";
import { ZdbShardNode } from "./shard_node.ts";

export interface TestPool {
  servers: TestServer[];
  nodes: FaultyNode[];
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startTestPool(count: number, seed: number): Promise<TestPool> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => startTestServer({ mode: "user" })),
  );
  const nodes = servers.map((server, i) =>
    new FaultyNode(new ZdbShardNode(`node-${i}`, server.client()), seed + i)
  );
  return {
    servers,
    nodes,
    async [Symbol.asyncDispose]() {
      await Promise.all(servers.map((server) => server[Symbol.asyncDispose]()));
    },
  };
}
