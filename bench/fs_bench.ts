/**
 * `deno task bench fs`: the qsfs mount against gocryptfs (the reference,
 * measured in the same run in the same directory tree on the same disk), with
 * two more figures printed beside them for context: gocryptfs mounted with
 * -allow_other (the permission model of a qsfs mount made by root: every user
 * may enter, and the kernel checks the bits, which costs a round trip after
 * each change in a directory), and the same work on the plain disk (ext4 here).
 * Metric ids come from issue 6:
 *
 * - seq_write_mbps, seq_read_mbps: dd of a 1 GiB file of random bytes with
 *   1 MiB blocks, written with conv=fsync, read back after an unmount, a mount
 *   and dropping the caches (MB/s, 10^6 bytes).
 * - rand_write_4k_iops, rand_read_4k_iops: fio, 4 KiB random writes (then an
 *   fsync) and, after a remount, reads on that 1 GiB file, psync, one job,
 *   for a fixed time; fio's random map reads no block twice in that time.
 * - create_per_s, stat_per_s, unlink_per_s: 10,000 empty files in one
 *   directory, by one process (bench/fs_meta_child.ts); the stats come after
 *   dropping the caches.
 * - untar_per_s: `tar -x` of 5,000 small files (1-8 KiB) in 50 directories.
 *
 * Needs root (to mount and to drop caches), fio and gocryptfs. A whole run
 * takes about two and a half minutes here. Set QSFS_BENCH_DIR to measure another disk.
 */

import {
  type BenchContext,
  type BenchMetric,
  type BenchResult,
  contextFigure,
  describeMachine,
  metric,
} from "./result.ts";
import {
  ddMbps,
  dropCaches,
  fioRandom4kIops,
  fsTypeOf,
  makeTarball,
  metaRates,
  plainDirectory,
  startGocryptfs,
  startQsfs,
  type Target,
  untarPerSecond,
  writeRandomFile,
} from "./fs_tools.ts";

const SEQ_BYTES = 1024 ** 3;
const RANDOM_SECONDS = 8;
const META_FILES = 10_000;
const TAR_DIRS = 50;
const TAR_FILES_PER_DIR = 100;

/** Every figure of one target, by metric id. */
type Figures = Record<string, number>;

const METRICS: { id: string; unit: string }[] = [
  { id: "seq_write_mbps", unit: "MB/s" },
  { id: "seq_read_mbps", unit: "MB/s" },
  { id: "rand_write_4k_iops", unit: "IOPS" },
  { id: "rand_read_4k_iops", unit: "IOPS" },
  { id: "create_per_s", unit: "ops/s" },
  { id: "stat_per_s", unit: "ops/s" },
  { id: "unlink_per_s", unit: "ops/s" },
  { id: "untar_per_s", unit: "files/s" },
];

interface Inputs {
  /** 1 GiB of random bytes on the disk under test. */
  source: string;
  tarball: string;
}

async function measure(target: Target, inputs: Inputs): Promise<Figures> {
  const log = (what: string) => console.error(`bench fs: ${target.name}: ${what}`);
  const file = `${target.dir}/seq.bin`;
  const figures: Figures = {};
  await ddMbps(inputs.source, "/dev/null"); // The source comes from the page cache.
  log("sequential write");
  figures.seq_write_mbps = await ddMbps(inputs.source, file, ["conv=fsync"]);
  await target.remount();
  log("sequential read");
  figures.seq_read_mbps = await ddMbps(file, "/dev/null");
  log("random 4k writes");
  figures.rand_write_4k_iops = await fioRandom4kIops(file, "randwrite", RANDOM_SECONDS);
  await target.remount();
  log("random 4k reads");
  figures.rand_read_4k_iops = await fioRandom4kIops(file, "randread", RANDOM_SECONDS);
  await Deno.remove(file);
  log("create, stat, unlink");
  const meta = await metaRates(target.dir, META_FILES);
  figures.create_per_s = meta.create;
  figures.stat_per_s = meta.stat;
  figures.unlink_per_s = meta.unlink;
  await dropCaches();
  log("untar");
  figures.untar_per_s = await untarPerSecond(
    inputs.tarball,
    TAR_DIRS * TAR_FILES_PER_DIR,
    `${target.dir}/untar`,
  );
  return figures;
}

async function prepareInputs(work: string): Promise<Inputs> {
  const source = `${work}/source.bin`;
  await writeRandomFile(source, SEQ_BYTES);
  const tarball = await makeTarball(work, TAR_DIRS, TAR_FILES_PER_DIR);
  return { source, tarball };
}

/** Runs `measure` on a target started by `start`, and always stops it. */
async function measureOn(
  start: () => Promise<Target> | Target,
  inputs: Inputs,
): Promise<{ name: string; figures: Figures }> {
  const target = await start();
  try {
    return { name: target.name, figures: await measure(target, inputs) };
  } finally {
    await target.stop();
  }
}

export async function benchFs(): Promise<BenchResult> {
  const parent = Deno.env.get("QSFS_BENCH_DIR");
  const work = await Deno.makeTempDir({ prefix: "qsfs-bench-fs-", dir: parent });
  try {
    const dirs = ["qsfs-home", "qsfs", "cipher", "gocryptfs", "cipher-ao", "gocryptfs-ao", "plain"];
    for (const dir of dirs) {
      await Deno.mkdir(`${work}/${dir}`);
    }
    const inputs = await prepareInputs(work);
    const qsfs = await measureOn(() => startQsfs(`${work}/qsfs-home`, `${work}/qsfs`), inputs);
    const gocryptfs = await measureOn(
      () => startGocryptfs(`${work}/cipher`, `${work}/gocryptfs`),
      inputs,
    );
    const allowOther = await measureOn(
      () => startGocryptfs(`${work}/cipher-ao`, `${work}/gocryptfs-ao`, { allowOther: true }),
      inputs,
    );
    const fsType = await fsTypeOf(work);
    const plain = await measureOn(() => plainDirectory(`${work}/plain`, fsType), inputs);
    const metrics: BenchMetric[] = METRICS.map(({ id, unit }) =>
      metric(id, unit, qsfs.figures[id]!, { name: gocryptfs.name, value: gocryptfs.figures[id]! })
    );
    const context: BenchContext[] = [allowOther, plain].flatMap(({ name, figures }) =>
      METRICS.map(({ id }) => contextFigure(id, name, figures[id]!))
    );
    return { name: "fs", machine: describeMachine(), metrics, context };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
