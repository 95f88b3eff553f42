/**
 * The metadata workload of `deno task bench fs`, run as its own process:
 *
 *     deno run -A bench/fs_meta_child.ts DIR COUNT
 *
 * creates COUNT empty files in DIR/meta, stats each of them once the caches
 * are dropped (so every stat asks the filesystem), then unlinks them all, with
 * synchronous calls one after another. Prints one JSON line of operations per
 * second: {"create": N, "stat": N, "unlink": N}.
 */

function timed(count: number, each: (i: number) => void): number {
  const started = performance.now();
  for (let i = 0; i < count; i++) each(i);
  return count / ((performance.now() - started) / 1000);
}

function dropCaches(): void {
  new Deno.Command("sync").outputSync();
  try {
    Deno.writeTextFileSync("/proc/sys/vm/drop_caches", "3");
  } catch {
    // Not root: the stats may be served from the kernel's caches.
  }
}

function main(dir: string, count: number): void {
  const base = `${dir}/meta`;
  Deno.mkdirSync(base);
  const path = (i: number) => `${base}/file-${i}`;
  const create = timed(
    count,
    (i) => Deno.openSync(path(i), { write: true, createNew: true }).close(),
  );
  dropCaches();
  const stat = timed(count, (i) => Deno.statSync(path(i)));
  const unlink = timed(count, (i) => Deno.removeSync(path(i)));
  Deno.removeSync(base);
  console.log(JSON.stringify({ create, stat, unlink }));
}

if (import.meta.main) main(Deno.args[0]!, Number(Deno.args[1]));
