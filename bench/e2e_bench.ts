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
 * - e2e_peak_rss_mib: the highest VmHWM (/proc/PID/status) of the qsfs mount processes
 *   over the whole run; no reference (ratio 0). Target: under 512 MiB.
 *
 * The three targets take turns (see measureAll), three rounds, medians reported.
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
const NODE_SIZE = "4GiB";
/** Rounds of write-then-read per target; the median is reported. */
const ROUNDS = 3;

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

/**
 * ROUNDS rounds, each writing a new file on every target one after the other,
 * then remounting every target, then reading each file back: qsfs and its
 * reference are measured minutes apart at most, so a change in the machine's
 * load (it is shared) hits both alike. The median of the rounds is reported.
 */
async function measureAll(targets: Target[], source: string): Promise<Figures[]> {
  const writes: number[][] = targets.map(() => []);
  const reads: number[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    await ddMbps(source, "/dev/null"); // The source comes from the page cache.
    for (const [index, target] of targets.entries()) {
      console.error(`bench e2e: round ${round + 1}: ${target.name}: write 1 GiB, conv=fsync`);
      writes[index]!.push(await ddMbps(source, fileOf(target, round), ["conv=fsync"]));
    }
    for (const target of targets) await target.remount();
    for (const [index, target] of targets.entries()) {
      console.error(`bench e2e: round ${round + 1}: ${target.name}: read after dropping caches`);
      reads[index]!.push(await ddMbps(fileOf(target, round), "/dev/null"));
    }
  }
  return targets.map((_, index) => ({
    writeMbps: median(writes[index]!),
    readMbps: median(reads[index]!),
  }));
}

function fileOf(target: Target, round: number): string {
  return `${target.dir}/big-${round}.bin`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Creates the home's identity and nodes, runs `body` on a mount over them, stops everything. */
async function withPoolMount<T>(
  work: string,
  body: (target: Target & { peakMib(): Promise<number> }) => Promise<T>,
): Promise<T> {
  const home = `${work}/qsfs-home`;
  await qsfs(home, ["init"]);
  try {
    console.error(`bench e2e: qsfs: ${NODES} local storage nodes`);
    await qsfs(home, ["nodes", "create", "--count", String(NODES), "--size", NODE_SIZE]);
    const target = await startPoolMount(home, `${work}/qsfs`);
    try {
      return await body(target);
    } finally {
      await target.stop();
    }
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
    const fsType = await fsTypeOf(work);
    const run = await withPoolMount(work, async (qsfsTarget) => {
      const gocryptfsTarget = await startGocryptfs(`${work}/cipher`, `${work}/gocryptfs`);
      try {
        const targets = [qsfsTarget, gocryptfsTarget, plainDirectory(`${work}/plain`, fsType)];
        const [qsfs, gocryptfs, plain] = await measureAll(targets, source);
        const peakMib = await qsfsTarget.peakMib();
        return {
          qsfs: qsfs!,
          gocryptfs: gocryptfs!,
          plain: plain!,
          peakMib,
          reference: gocryptfsTarget.name,
        };
      } finally {
        await gocryptfsTarget.stop();
      }
    });
    const reference = (value: number) => ({ name: run.reference, value });
    const metrics = [
      metric("e2e_write_mbps", "MB/s", run.qsfs.writeMbps, reference(run.gocryptfs.writeMbps)),
      metric("e2e_read_mbps", "MB/s", run.qsfs.readMbps, reference(run.gocryptfs.readMbps)),
      metric("e2e_peak_rss_mib", "MiB", run.peakMib, { name: "none", value: 0 }),
    ];
    const context: BenchContext[] = [
      contextFigure("e2e_write_mbps", fsType, run.plain.writeMbps),
      contextFigure("e2e_read_mbps", fsType, run.plain.readMbps),
    ];
    return { name: "e2e", machine: describeMachine(), metrics, context };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
