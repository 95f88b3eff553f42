/**
 * qsfs, the composition root: the only module that reads Deno.args and
 * Deno.env. It builds the CLI's dependencies and hands over.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import denoJson from "./deno.json" with { type: "json" };
import { runCli } from "./cli/run.ts";
import { waitForStopSignal } from "./cli/signals.ts";
import { createLogger } from "./lib/log.ts";

const encoder = new TextEncoder();

function writeAll(target: { writeSync(p: Uint8Array): number }, text: string) {
  const bytes = encoder.encode(text);
  let done = 0;
  while (done < bytes.length) done += target.writeSync(bytes.subarray(done));
}

/** Typed secrets are short; a pipe that sends more is cut here. */
const STDIN_BYTES_MAX = 64 * 1024;

/** One line from a terminal (after a prompt on stderr), or piped stdin up to end of file. */
async function readStdin(prompt: string): Promise<string> {
  const terminal = Deno.stdin.isTerminal();
  if (terminal) writeAll(Deno.stderr, prompt);
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  let total = 0;
  while (total < STDIN_BYTES_MAX && !(terminal && text.includes("\n"))) {
    const count = await Deno.stdin.read(buffer);
    if (count === null) break;
    total += count;
    text += decoder.decode(buffer.subarray(0, count), { stream: true });
  }
  return text + decoder.decode();
}

if (import.meta.main) {
  const code = await runCli(Deno.args, {
    version: denoJson.version,
    env: {
      qsfsHome: Deno.env.get("QSFS_HOME"),
      xdgDataHome: Deno.env.get("XDG_DATA_HOME"),
      homeDir: Deno.env.get("HOME"),
      zdbAdminPassword: Deno.env.get("QSFS_ZDB_ADMIN_PASSWORD"),
      mnemonic: Deno.env.get("QSFS_MNEMONIC"),
      passphrase: Deno.env.get("QSFS_PASSPHRASE"),
    },
    // How this program runs itself again: the background daemon, local storage nodes.
    selfCommand: [Deno.execPath(), "run", "-A", fileURLToPath(import.meta.url)],
    stdout: (text) => writeAll(Deno.stdout, text),
    stderr: (text) => writeAll(Deno.stderr, text),
    readSecretFile: (path) => Deno.readTextFileSync(path),
    readStdin: (prompt) => readStdin(prompt),
    isTerminal: () => Deno.stdin.isTerminal(),
    createLogger: (level, home) =>
      createLogger({
        level,
        stderr: true,
        filePath: home === undefined ? undefined : `${home}/logs/qsfs.log`,
      }),
    // Loaded on demand, so the rest of the CLI does not load the server.
    startZdbServer: async (options) => (await import("./fs/zdb/mod.ts")).startZdbServer(options),
    startDaemon: async (options) => (await import("./server/daemon.ts")).startDaemon(options),
    waitForStop: () => waitForStopSignal(),
  });
  Deno.exit(code);
}
