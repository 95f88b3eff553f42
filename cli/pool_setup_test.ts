/** --data-shards / --parity-shards: both or neither, whole numbers, at most 255 shards. */
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "./args.ts";
import { geometryFlags } from "./pool_setup.ts";

const SPEC = { "data-shards": { type: "string" }, "parity-shards": { type: "string" } } as const;

function geometryOf(...args: string[]) {
  return geometryFlags(parseArgs(args, SPEC));
}

Deno.test("geometryFlags() reads both flags, or none", () => {
  assert.equal(geometryOf(), undefined);
  assert.deepEqual(geometryOf("--data-shards", "4", "--parity-shards", "2"), {
    dataShards: 4,
    parityShards: 2,
  });
  assert.deepEqual(geometryOf("--data-shards=1", "--parity-shards=0"), {
    dataShards: 1,
    parityShards: 0,
  });
});

Deno.test("geometryFlags() refuses one flag alone, bad numbers and more than 255 shards", () => {
  const cases: [string[], string][] = [
    [["--parity-shards", "2"], "Cannot use --data-shards without --parity-shards: give both"],
    [["--data-shards", "0", "--parity-shards", "2"], 'Cannot parse --data-shards "0"'],
    [["--data-shards", "4", "--parity-shards", "-1"], 'Cannot parse --parity-shards "-1"'],
    [["--data-shards", "4.5", "--parity-shards", "1"], 'Cannot parse --data-shards "4.5"'],
    [["--data-shards", "200", "--parity-shards", "56"], "Cannot use more than 255 shards"],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => geometryOf(...args),
      (error: unknown) => error instanceof UsageError && error.message.startsWith(message),
      args.join(" "),
    );
  }
});
