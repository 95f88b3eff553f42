/**
 * `deno task bench zdb`: redis-benchmark (50 clients, pipelined 16 deep)
 * against our ZDB server persisting with sync "always", and against Debian's
 * redis-server with persistence off as the reference, in the same run.
 * Metric ids come from issue 3: set_4k_ops, get_4k_ops (ops/s) and
 * set_1m_mbps, get_1m_mbps (MB/s, 10^6 bytes).
 *
 * Two things keep the figures honest. redis-benchmark sends the same payload
 * every time, and 0-db (so our server) answers nil and stores nothing when a
 * key is set to the value it already has; so SET runs over a key space far
 * larger than the request count, making nearly every SET a real append. And
 * GET runs only after every key it can ask for was stored (through
 * `redis-cli --pipe`), so every GET reads a value.
 */
import { type BenchMetric, type BenchResult, describeMachine, metric } from "./result.ts";
import { startProcessServer, startZdbProcess } from "./process_server.ts";
import { populateKeys, redisBenchmark, type Workload } from "./redis_tools.ts";

const WORKLOADS: Workload[] = [
  {
    label: "4k",
    valueBytes: 4096,
    setRequests: 150_000,
    getRequests: 300_000,
    getKeyspace: 50_000,
  },
  {
    label: "1m",
    valueBytes: 1024 * 1024,
    setRequests: 1_200,
    getRequests: 2_400,
    getKeyspace: 300,
  },
];

/** Requests per second of SET then GET, for one server. */
async function measure(port: number, workload: Workload): Promise<{ set: number; get: number }> {
  const set = await redisBenchmark(
    port,
    "set",
    workload.setRequests,
    1_000_000_000,
    workload.valueBytes,
  );
  await populateKeys(port, workload.getKeyspace, workload.valueBytes);
  const get = await redisBenchmark(
    port,
    "get",
    workload.getRequests,
    workload.getKeyspace,
    workload.valueBytes,
  );
  return { set, get };
}

function workloadMetrics(
  workload: Workload,
  ours: { set: number; get: number },
  redis: { set: number; get: number },
  referenceName: string,
): BenchMetric[] {
  const reference = (value: number) => ({ name: referenceName, value });
  if (workload.label === "4k") {
    return [
      metric("set_4k_ops", "ops/s", ours.set, reference(redis.set)),
      metric("get_4k_ops", "ops/s", ours.get, reference(redis.get)),
    ];
  }
  const mbps = (rate: number) => (rate * workload.valueBytes) / 1e6;
  return [
    metric(`set_${workload.label}_mbps`, "MB/s", mbps(ours.set), reference(mbps(redis.set))),
    metric(`get_${workload.label}_mbps`, "MB/s", mbps(ours.get), reference(mbps(redis.get))),
  ];
}

export async function benchZdb(): Promise<BenchResult> {
  const dataDir = await Deno.makeTempDir({ prefix: "qsfs-bench-zdb-" });
  const ours = await startZdbProcess(dataDir);
  const redis = await startRedisServer();
  const referenceName = `${await redisVersion()} (persistence off)`;
  const metrics: BenchMetric[] = [];
  try {
    for (const workload of WORKLOADS) {
      const oursRates = await measure(ours.port, workload);
      const redisRates = await measure(redis.port, workload);
      metrics.push(...workloadMetrics(workload, oursRates, redisRates, referenceName));
    }
  } finally {
    await ours.stop();
    await redis.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
  return { name: "zdb", machine: describeMachine(), metrics };
}

function startRedisServer() {
  const port = freePort();
  return startProcessServer("redis-server", [], {
    command: "redis-server",
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    readyPattern: /Ready to accept connections/,
    port,
  });
}

async function redisVersion(): Promise<string> {
  const output = await new Deno.Command("redis-server", { args: ["--version"], stdout: "piped" })
    .output();
  const version = /v=(\S+)/.exec(new TextDecoder().decode(output.stdout))?.[1] ?? "unknown";
  return `redis-server ${version}`;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
