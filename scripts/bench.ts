/**
 * `deno task bench <name>`: runs one benchmark, prints a table and writes
 * bench/results/<name>.json (shape in DESIGN.md, "Benchmarks"). Every metric
 * carries a reference measured in the same run and the ratio value/reference,
 * because our machines are shared and absolute figures drift.
 */
import { type BenchResult, formatBenchTable, writeBenchResult } from "../bench/result.ts";

type Bench = () => Promise<BenchResult>;

const BENCHES: Record<string, () => Promise<Bench>> = {
  zdb: async () => (await import("../bench/zdb_bench.ts")).benchZdb,
  codec: async () => (await import("../bench/codec_bench.ts")).benchCodec,
  fs: async () => (await import("../bench/fs_bench.ts")).benchFs,
  e2e: async () => (await import("../bench/e2e_bench.ts")).benchE2e,
};

async function main(args: string[]): Promise<number> {
  const name = args[0];
  if (name === undefined || !(name in BENCHES)) {
    console.error(
      `Cannot run benchmark ${JSON.stringify(name ?? "")}: choose one of ${
        Object.keys(BENCHES).join(", ")
      }`,
    );
    return 2;
  }
  const run = await BENCHES[name]!();
  const result = await run();
  console.log(formatBenchTable(result));
  const path = await writeBenchResult(result);
  console.log(`\nwritten to ${path}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
