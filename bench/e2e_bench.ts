/**
 * `deno task bench e2e`: the whole data path of issue 7, through a qsfs mount
 * over a 4+2 pool of 6 local storage nodes (`qsfs zdb` processes run by the
 * daemon, on this machine's disk), against gocryptfs on the same disk (the
 * reference, measured in the same run: it encrypts but neither erasure-codes
 * nor goes over the network), with plain ext4 printed for context.
 *
 * - e2e_write_mbps: dd of 1 GiB of random bytes, bs=1M, conv=fsync (MB/s, 10^6 bytes).
 * - e2e_read_mbps: dd of that file back after qsfs's local cache is dropped (unmount,
 *   delete `<state>/cache`, mount again) and the page cache too (drop_caches), so
 *   every byte comes from the nodes; gocryptfs and ext4 are remounted and dropped alike.
 * - e2e_peak_rss_mib: the highest VmHWM (/proc/PID/status) of the qsfs mount process
 *   over both phases; no reference (ratio 0). Target: under 512 MiB.
 *
 * Needs root (to mount and drop caches) and gocryptfs. Set QSFS_BENCH_DIR to
 * measure another disk.
 */

import { join } from "node:path";
import {
  type BenchContext,
  type BenchResult,
  contextFigure,
  describeMachine,
  metric,
} from "./result.ts";
import {
  ddMbps,
  dropCaches,
  fsTypeOf,
  plainDirectory,
  run,
  startGocryptfs,
  type Target,
  writeRandomFile,
} from "./fs_tools.ts";
import { startProcessServer } from "./process_server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const FILE_BYTES = 1024 ** 3;
const NODES = 6;
const NODE_SIZE = "2GiB";

interface Figures {
  writeMbps: number;
  readMbps: number;
}

/** qsfs as a person runs it, in this benchmark's home. */
function qsfs(home: string, args: string[]): Promise<string> {
  return run(Deno.execPath(), ["run", "-A", MAIN, "--log-level", "warn", "--home", home, ...args]);
}

/** The peak resident set (VmHWM) of a live process, in MiB. */
async function peakRssMib(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`Cannot read VmHWM of process ${pid}`);
  return Number(kib) / 1024;
}

/** A mount over the pool, remounted with its local chunk cache deleted; tracks peak RSS. */
async function startPoolMount(home: string, dir: string) {
  const mount = () =>
    startProcessServer("qsfs mount", [], {
      command: Deno.execPath(),
      args: [
        "run",
        "-A",
        MAIN,
        "--log-level",
        "warn",
        "--home",
        home,
        "mount",
        dir,
        "--foreground",
      ],
      readyPattern: /qsfs mounted /,
      port: 0,
    });
  let server = await mount();
  let peakMib = 0;
  const notePeak = async () => {
    peakMib = Math.max(peakMib, await peakRssMib(server.process.pid));
  };
  const target: Target & { peakMib(): Promise<number> } = {
    name: "qsfs",
    dir,
    async remount() {
      await notePeak();
      await server.stop();
      await Deno.remove(join(home, "fs", "cache"), { recursive: true });
      await dropCaches();
      server = await mount();
    },
    async stop() {
      await notePeak();
      await server.stop();
    },
    async peakMib() {
      await notePeak();
      return peakMib;
    },
  };
  return target;
}

async function measure(target: Target, source: string): Promise<Figures> {
  const log = (what: string) => console.error(`bench e2e: ${target.name}: ${what}`);
  const file = `${target.dir}/big.bin`;
  await ddMbps(source, "/dev/null"); // The source comes from the page cache.
  log("sequential write, 1 GiB, conv=fsync");
  const writeMbps = await ddMbps(source, file, ["conv=fsync"]);
  await target.remount();
  log("sequential read after dropping the caches");
  const readMbps = await ddMbps(file, "/dev/null");
  return { writeMbps, readMbps };
}

async function measureOn(target: Target, source: string): Promise<Figures> {
  try {
    return await measure(target, source);
  } finally {
    await target.stop();
  }
}

async function measureQsfs(work: string, source: string) {
  const home = `${work}/qsfs-home`;
  await qsfs(home, ["init"]);
  try {
    console.error(`bench e2e: qsfs: ${NODES} local storage nodes`);
    await qsfs(home, ["nodes", "create", "--count", String(NODES), "--size", NODE_SIZE]);
    const target = await startPoolMount(home, `${work}/qsfs`);
    let figures: Figures;
    try {
      figures = await measure(target, source);
    } catch (error) {
      await target.stop().catch(() => {});
      throw error;
    }
    const peakMib = await target.peakMib();
    await target.stop();
    return { figures, peakMib };
  } finally {
    await qsfs(home, ["stop"]).catch((error) => console.error(`bench e2e: ${error}`));
  }
}

export async function benchE2e(): Promise<BenchResult> {
  const parent = Deno.env.get("QSFS_BENCH_DIR");
  const work = await Deno.makeTempDir({ prefix: "qsfs-bench-e2e-", dir: parent });
  try {
    for (const dir of ["qsfs", "cipher", "gocryptfs", "plain"]) await Deno.mkdir(`${work}/${dir}`);
    const source = `${work}/source.bin`;
    await writeRandomFile(source, FILE_BYTES);
    const qsfsRun = await measureQsfs(work, source);
    const gocryptfsTarget = await startGocryptfs(`${work}/cipher`, `${work}/gocryptfs`);
    const gocryptfs = await measureOn(gocryptfsTarget, source);
    const fsType = await fsTypeOf(work);
    const plain = await measureOn(plainDirectory(`${work}/plain`, fsType), source);
    const reference = (value: number) => ({ name: gocryptfsTarget.name, value });
    const metrics = [
      metric("e2e_write_mbps", "MB/s", qsfsRun.figures.writeMbps, reference(gocryptfs.writeMbps)),
      metric("e2e_read_mbps", "MB/s", qsfsRun.figures.readMbps, reference(gocryptfs.readMbps)),
      metric("e2e_peak_rss_mib", "MiB", qsfsRun.peakMib, { name: "none", value: 0 }),
    ];
    const context: BenchContext[] = [
      contextFigure("e2e_write_mbps", fsType, plain.writeMbps),
      contextFigure("e2e_read_mbps", fsType, plain.readMbps),
    ];
    return { name: "e2e", machine: describeMachine(), metrics, context };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
