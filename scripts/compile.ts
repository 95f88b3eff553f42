/**
 * Builds the one-file binary: `deno compile -A --output dist/qsfs main.ts`.
 *
 * deno compile downloads its runtime (denort) for the running Deno version the
 * first time; where that host cannot be reached, this says so plainly instead
 * of leaving a stack of network errors. DENORT_BIN may point at a local denort.
 *
 *     deno task compile
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const OUTPUT_PATH = "dist/qsfs";

/** Whether deno compile's error output says it could not download its runtime. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  const mentionsRuntime = /denort|Setting up base binary|dl\.deno\.land/i.test(stderr);
  const networkFailed =
    /error sending request|dns error|failed to lookup address|Connection refused|timed out|Download/i
      .test(stderr);
  return mentionsRuntime && networkFailed && !/Could not find denort at/.test(stderr);
}

async function main(): Promise<number> {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["compile", "-A", "--output", OUTPUT_PATH, "main.ts"],
    cwd: root,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  await Deno.stderr.write(output.stderr);
  if (output.success) {
    console.log(`compiled ${OUTPUT_PATH}`);
    return 0;
  }
  if (isRuntimeDownloadFailure(stderr)) {
    console.error(
      `\nCannot compile qsfs: deno compile must download its runtime (denort) for Deno ${Deno.version.deno}, ` +
        "and this machine cannot reach the download host.\n" +
        "Nothing is wrong with the code: `deno task start` runs the same program. To build the binary, " +
        "run `deno task compile` on a machine that can download, or set DENORT_BIN to a local denort " +
        `of Deno ${Deno.version.deno}.`,
    );
  } else {
    console.error(`\nCannot compile qsfs: deno compile exited with code ${output.code}`);
  }
  return 1;
}

if (import.meta.main) Deno.exit(await main());
