import assert from "node:assert/strict";
import { formatScrub } from "./scrub_command.ts";

Deno.test("formatScrub() says what was checked, repaired and what cannot be read", () => {
  // Proves a person sees the counts, the nodes that lost their superblock and each unreadable
  // chunk with its reason.
  const text = formatScrub({
    chunksChecked: 5,
    chunksHealthy: 2,
    chunksRepaired: 2,
    shardsRebuilt: 3,
    chunksDegraded: 1,
    chunksUnreadable: [{ ref: "ab".repeat(16), reason: "Cannot read chunk x: too few shards" }],
    bytesChecked: 20 * 1024 ** 2,
    metadataChunksChecked: 2,
    metadataChunksBad: 1,
    superblocksMissing: ["local-1"],
    metadataShipped: true,
  });
  assert.equal(
    text,
    `Scrubbed 5 chunk(s), 20.0 MiB of file data:
  healthy     2
  repaired    2 (3 shard(s) rebuilt)
  unreadable  1
1 repaired chunk(s) are still short of shards: no healthy node was free to take them; bring the nodes that are down back (or add nodes) and scrub again
Metadata: 2 chunk(s) checked, 1 bad; no superblock on local-1; shipped again to the nodes
Unreadable chunks (fewer than k good shards; kept as they were, so bringing their nodes back and scrubbing again may repair them):
  ${"ab".repeat(16)}: Cannot read chunk x: too few shards
`,
  );
});
