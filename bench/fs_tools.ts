/**
 * What `deno task bench fs` drives: the filesystems under test (a qsfs mount
 * served by a child process, a gocryptfs mount, a plain directory), and the
 * programs that measure them (dd and fio from Debian, and the metadata child
 * bench/fs_meta_child.ts), each run as its own process.
 */

import { startProcessServer } from "./process_server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const META_CHILD = new URL("./fs_meta_child.ts", import.meta.url).pathname;
const GOCRYPTFS_PASSWORD = "echo qsfs-bench";

/** A directory to measure, which can be unmounted and mounted again to empty its caches. */
export interface Target {
  /** What the figures are labelled with: "qsfs", "gocryptfs 2.3", "ext4". */
  name: string;
  /** Where the workloads run. */
  dir: string;
  /** Unmounts and mounts again (a plain directory only drops the caches). */
  remount(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs a program to completion; throws with its stderr unless it exits 0. */
export async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdin: "null" }).output();
  const decoder = new TextDecoder();
  if (output.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${output.code}: ${decoder.decode(output.stderr)}`,
    );
  }
  return decoder.decode(output.stdout) + decoder.decode(output.stderr);
}

let dropWarned = false;

/** Writes dirty data back, then drops the page, dentry and inode caches (needs root). */
export async function dropCaches(): Promise<void> {
  await run("sync", []);
  try {
    await Deno.writeTextFile("/proc/sys/vm/drop_caches", "3");
  } catch (error) {
    if (!dropWarned) console.error(`bench fs: cannot drop caches, reads may be warm: ${error}`);
    dropWarned = true;
  }
}

/** `qsfs --home HOME mount DIR --foreground` in a child process. */
export async function startQsfs(home: string, dir: string): Promise<Target> {
  const args = ["run", "-A", MAIN, "--log-level", "warn", "--home", home, "mount", dir];
  const mount = () =>
    startProcessServer("qsfs mount", [], {
      command: Deno.execPath(),
      args: [...args, "--foreground", "--local-only"],
      readyPattern: /qsfs mounted /,
      port: 0,
    });
  // SIGTERM makes `qsfs mount` unmount, flush and exit; stop() waits for that.
  let server = await mount();
  return {
    name: "qsfs",
    dir,
    async remount() {
      await server.stop();
      await dropCaches();
      server = await mount();
    },
    stop: () => server.stop(),
  };
}

/**
 * A fresh gocryptfs filesystem: cipher directory `cipher`, mounted at `dir`.
 * `allowOther` mounts it the way qsfs mounts as root, open to every user as
 * the permission bits allow (gocryptfs then asks the kernel to check them:
 * /proc/mounts shows default_permissions,allow_other); its name says so.
 */
export async function startGocryptfs(
  cipher: string,
  dir: string,
  { allowOther = false }: { allowOther?: boolean } = {},
): Promise<Target> {
  await run("gocryptfs", ["-init", "-q", "-extpass", GOCRYPTFS_PASSWORD, cipher]);
  // gocryptfs forks into the background once the mount is usable. The
  // background process keeps the descriptors it was given, so none is piped.
  const mount = async () => {
    const { code } = await new Deno.Command("gocryptfs", {
      args: [
        "-q",
        "-nosyslog",
        ...(allowOther ? ["-allow_other"] : []),
        "-extpass",
        GOCRYPTFS_PASSWORD,
        cipher,
        dir,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error(`gocryptfs could not mount ${cipher} at ${dir}: exit ${code}`);
  };
  const unmount = () => run("fusermount3", ["-u", dir]);
  await mount();
  const version = /gocryptfs v?([\d.]+)/.exec(await run("gocryptfs", ["-version"]))?.[1] ?? "";
  return {
    name: `gocryptfs ${version}`.trim() + (allowOther ? " -allow_other" : ""),
    dir,
    async remount() {
      await unmount();
      await dropCaches();
      await mount();
    },
    async stop() {
      await unmount();
    },
  };
}

/** A plain directory on the disk under test. */
export function plainDirectory(dir: string, fsType: string): Target {
  return { name: fsType, dir, remount: dropCaches, stop: () => Promise.resolve() };
}

/** The filesystem type of the directory `dir` (from df), e.g. "ext4". */
export async function fsTypeOf(dir: string): Promise<string> {
  const lines = (await run("df", ["--output=fstype", dir])).trim().split("\n");
  return lines.at(-1)?.trim() || "native";
}

/** Writes `bytes` random bytes (a multiple of 1 MiB) to a new file at `path`. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const block = new Uint8Array(1024 * 1024);
    for (let done = 0; done < bytes; done += block.length) {
      // getRandomValues fills at most 64 KiB per call.
      for (let at = 0; at < block.length; at += 65536) {
        crypto.getRandomValues(block.subarray(at, at + 65536));
      }
      await file.write(block);
    }
  } finally {
    file.close();
  }
}

/** `dd` from `from` to `to` with 1 MiB blocks; the rate dd reports, in MB/s. */
export async function ddMbps(from: string, to: string, extra: string[] = []): Promise<number> {
  const out = await run("dd", [`if=${from}`, `of=${to}`, "bs=1M", ...extra]);
  const match = /^(\d+) bytes .* copied, ([\d.]+) s/m.exec(out);
  if (match === null) throw new Error(`cannot read dd's summary: ${out}`);
  return Number(match[1]) / Number(match[2]) / 1e6;
}

/** IOPS of a fio job of 4 KiB random `rw` ("randread" | "randwrite") on an existing file. */
export async function fioRandom4kIops(
  file: string,
  rw: "randread" | "randwrite",
  runtimeSeconds: number,
): Promise<number> {
  const out = await run("fio", [
    "--name=rand4k",
    `--filename=${file}`,
    `--rw=${rw}`,
    "--bs=4k",
    "--size=1G",
    "--ioengine=psync",
    "--iodepth=1",
    "--invalidate=1",
    "--time_based",
    `--runtime=${runtimeSeconds}`,
    ...(rw === "randwrite" ? ["--end_fsync=1"] : []),
    "--output-format=json",
  ]);
  const job = JSON.parse(out.slice(out.indexOf("{"))).jobs[0];
  return rw === "randread" ? job.read.iops : job.write.iops;
}

/** Operations per second of each phase of the metadata child. */
export interface MetaRates {
  create: number;
  stat: number;
  unlink: number;
}

/** Creates, stats (after dropping caches) and unlinks `count` files in `dir`, in one process. */
export async function metaRates(dir: string, count: number): Promise<MetaRates> {
  const out = await run(Deno.execPath(), ["run", "-A", META_CHILD, dir, String(count)]);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

/** Files per second of `tar -x` of `tarball` (holding `files` files) into `dir`. */
export async function untarPerSecond(tarball: string, files: number, dir: string): Promise<number> {
  await Deno.mkdir(dir);
  const started = performance.now();
  await run("tar", ["-x", "-f", tarball, "-C", dir]);
  return files / ((performance.now() - started) / 1000);
}

/**
 * Writes a tree of `dirs` x `perDir` small files (1-8 KiB of random bytes)
 * under `root/tree` and returns the tarball of it, `root/tree.tar`.
 */
export async function makeTarball(root: string, dirs: number, perDir: number): Promise<string> {
  for (let d = 0; d < dirs; d++) {
    const dir = `${root}/tree/d${d}`;
    await Deno.mkdir(dir, { recursive: true });
    for (let f = 0; f < perDir; f++) {
      const bytes = crypto.getRandomValues(new Uint8Array(1024 * (1 + ((d * perDir + f) % 8))));
      await Deno.writeFile(`${dir}/f${f}.txt`, bytes);
    }
  }
  await run("tar", ["-c", "-f", `${root}/tree.tar`, "-C", root, "tree"]);
  return `${root}/tree.tar`;
}
