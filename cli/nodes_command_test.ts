import assert from "node:assert/strict";
import { recordingDeps } from "./_testing.ts";
import { parseSize } from "./size_flags.ts";
import { runCli } from "./run.ts";

function fakeDeps(home: string) {
  return recordingDeps({ qsfsHome: home });
}

Deno.test("parseSize() reads bytes and decimal or binary units", () => {
  assert.equal(parseSize("100000000"), 100_000_000);
  assert.equal(parseSize("500MB"), 500_000_000);
  assert.equal(parseSize("1.5GiB"), 1.5 * 2 ** 30);
  assert.equal(parseSize("2 tib"), 2 * 2 ** 40);
  for (const bad of ["", "ten", "1XB", "-5", "1e9", "5 GB extra"]) {
    assert.throws(() => parseSize(bad), /Cannot parse --size/, bad);
  }
});

Deno.test("qsfs nodes, serve and stop refuse bad usage with exit 2, before any daemon starts", async () => {
  const cases: [string[], RegExp][] = [
    [["nodes"], /^qsfs: Cannot run nodes: give an action/],
    [["nodes", "frob"], /^qsfs: Cannot run nodes frob: no such action/],
    [["nodes", "list", "extra"], /^qsfs: Cannot run nodes list: unexpected argument "extra"/],
    [["nodes", "show"], /^qsfs: Cannot run nodes show: give the node id/],
    [["nodes", "list", "--force"], /^qsfs: Cannot use --force with nodes list/],
    [
      ["nodes", "create", "--size", "1GiB"],
      /^qsfs: Cannot run nodes create: --count N is required/,
    ],
    [["nodes", "create", "--count", "x", "--size", "1GiB"], /^qsfs: Cannot parse --count "x"/],
    [["nodes", "create", "--count", "1", "--size", "1XB"], /^qsfs: Cannot parse --size "1XB"/],
    [
      ["nodes", "create", "--count", "1", "--size", "1GiB", "--size-bytes", "5"],
      /^qsfs: Cannot use --size with --size-bytes/,
    ],
    [["nodes", "resize", "local-1"], /^qsfs: Cannot run nodes resize: --size SIZE/],
    [["serve", "--port", "70000"], /^qsfs: Cannot parse --port "70000"/],
    [["stop", "now"], /^qsfs: Cannot run stop: unexpected argument "now"/],
  ];
  const home = await Deno.makeTempDir({ prefix: "qsfs_nodes_cli_test_" });
  try {
    for (const [args, message] of cases) {
      const { deps, out } = fakeDeps(home);
      assert.equal(await runCli(args, deps), 2, args.join(" "));
      assert.match(out.stderr, message, args.join(" "));
    }
    assert.deepEqual([...Deno.readDirSync(home)], [], "nothing was started");
    const { deps, out } = fakeDeps(home);
    assert.equal(await runCli(["stop"], deps), 0);
    assert.equal(out.stdout, `qsfs: no daemon runs for ${home}\n`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("qsfs nodes and scrub with no home say how to name one, and start nothing", async () => {
  // No --home and neither QSFS_HOME, XDG_DATA_HOME nor HOME: connectHomeDaemon refuses.
  for (const args of [["nodes", "list"], ["scrub"]]) {
    const { deps, out } = recordingDeps({});
    assert.equal(await runCli(args, deps), 1, args.join(" "));
    assert.equal(
      out.stderr,
      "qsfs: Cannot reach the daemon: no home directory (give --home DIR or set QSFS_HOME)\n",
    );
    assert.equal(out.stdout, "");
  }
});
