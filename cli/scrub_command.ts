/**
 * `qsfs scrub`: checks every shard of the home's pool through the daemon
 * (which asks the mount when the filesystem is mounted) and prints what it
 * found and rebuilt. Exits 1 when chunks cannot be read, or when the
 * metadata could not be shipped again after a repair.
 *
 * @module
 */
import type { ScrubSummary } from "../fs/mod.ts";
import { formatBytes } from "../lib/bytes.ts";
import { booleanFlag, type ParsedArgs, UsageError } from "./args.ts";
import type { Command, CommandContext } from "./command.ts";
import { connectHomeDaemon } from "./daemon_launch.ts";
import { GRID_FLAGS, GRID_FLAGS_USAGE, gridServeArgs } from "./grid_flags.ts";

const USAGE = `Usage: qsfs scrub [--json]

Checks every shard of every chunk of the filesystem on the storage nodes
against its hash, rebuilds the missing and corrupt ones on healthy nodes and
rewrites their locations; then, after any repair, ships the metadata (and the
superblock) to the nodes again. A node that came back empty gets its shards
back. Chunks with fewer than k good shards cannot be read now: they are
listed and left as they were (bring their nodes back and scrub again).

Run it after a node was down or replaced, after a disk error, or from time to
time. While the filesystem is mounted, the mount does the scrub and keeps
serving files; otherwise the daemon opens the filesystem for it. The daemon
is started in the background when none runs.

Exit codes: 0 every chunk readable; 1 chunks unreadable (listed), or the
metadata could not be shipped, or the scrub could not run.

Flags:
  --json                Print the summary as JSON
${GRID_FLAGS_USAGE}
  -h, --help            Show this help
`;

export const scrubCommand: Command = {
  name: "scrub",
  summary: "Check every shard on the nodes and rebuild missing or corrupt ones",
  usage: USAGE,
  flags: { json: { type: "boolean" }, ...GRID_FLAGS },
  run: runScrub,
};

async function runScrub(parsed: ParsedArgs, context: CommandContext): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`Cannot run scrub: unexpected argument "${parsed.positionals[0]}"`);
  }
  const { deps } = context;
  const client = await connectHomeDaemon(context, gridServeArgs(parsed));
  const summary = await client.scrub();
  deps.stdout(
    booleanFlag(parsed, "json") ? `${JSON.stringify(summary, null, 2)}\n` : formatScrub(summary),
  );
  return summary.chunksUnreadable.length > 0 || summary.metadataShipError !== undefined ? 1 : 0;
}

/** The summary for a person. */
export function formatScrub(summary: ScrubSummary): string {
  const lines = [
    `Scrubbed ${summary.chunksChecked} chunk(s), ${
      formatBytes(summary.bytesChecked)
    } of file data:`,
    `  healthy     ${summary.chunksHealthy}`,
    `  repaired    ${summary.chunksRepaired} (${summary.shardsRebuilt} shard(s) rebuilt)`,
    `  unreadable  ${summary.chunksUnreadable.length}`,
  ];
  if (summary.chunksDegraded > 0) {
    lines.push(
      `${summary.chunksDegraded} repaired chunk(s) are still short of shards: no healthy node ` +
        "was free to take them; bring the nodes that are down back (or add nodes) and scrub again",
    );
  }
  const missing = summary.superblocksMissing;
  lines.push(
    `Metadata: ${summary.metadataChunksChecked} chunk(s) checked, ${summary.metadataChunksBad} ` +
      `bad${missing.length > 0 ? `; no superblock on ${missing.join(", ")}` : ""}` +
      (summary.metadataShipped ? "; shipped again to the nodes" : ""),
  );
  if (summary.metadataShipError !== undefined) {
    lines.push(
      `The metadata could not be shipped again (${summary.metadataShipError}); it will be ` +
        "retried, or scrub again once the nodes answer",
    );
  }
  if (summary.chunksUnreadable.length > 0) {
    lines.push(
      "Unreadable chunks (fewer than k good shards; kept as they were, so bringing their " +
        "nodes back and scrubbing again may repair them):",
    );
    for (const chunk of summary.chunksUnreadable) lines.push(`  ${chunk.ref}: ${chunk.reason}`);
  }
  return `${lines.join("\n")}\n`;
}
