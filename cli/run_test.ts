import assert from "node:assert/strict";
import type { ZdbServer, ZdbServerOptions } from "../fs/zdb/mod.ts";
import { nullLogger } from "../lib/log.ts";
import type { CliDeps } from "./command.ts";
import { runCli } from "./run.ts";

interface FakeWorld {
  deps: CliDeps;
  stdout: string[];
  stderr: string[];
  started: ZdbServerOptions[];
  closed: number;
  /** Delivers a stop signal, as SIGTERM would. */
  signal(): void;
  /** Ends the fake server on its own, with an error when given one. */
  crash(error?: Error): void;
  disposed: number;
}

function fakeWorld(options: { startError?: Error } = {}): FakeWorld {
  let deliver: (signal: Deno.Signal) => void = () => {};
  let endFinished: (error?: Error) => void = () => {};
  const world: FakeWorld = {
    stdout: [],
    stderr: [],
    started: [],
    closed: 0,
    disposed: 0,
    signal: () => deliver("SIGTERM"),
    crash: (error) => endFinished(error),
    deps: {
      version: "9.9.9",
      env: { homeDir: "/home/test" },
      stdout: (text) => world.stdout.push(text),
      stderr: (text) => world.stderr.push(text),
      readSecretFile: () => {
        throw new Error("not in this test");
      },
      createLogger: () => nullLogger,
      selfCommand: ["qsfs"],
      startDaemon: () => Promise.reject(new Error("no daemon in these tests")),
      startZdbServer: (serverOptions) => {
        if (options.startError) return Promise.reject(options.startError);
        world.started.push(serverOptions);
        const finished = new Promise<void>((resolve, reject) => {
          endFinished = (error) => error ? reject(error) : resolve();
        });
        const server: ZdbServer = {
          hostname: "hostname" in serverOptions.listen ? serverOptions.listen.hostname : undefined,
          port: "port" in serverOptions.listen ? 40123 : undefined,
          path: "path" in serverOptions.listen ? serverOptions.listen.path : undefined,
          finished,
          close: () => {
            world.closed++;
            endFinished();
            return finished.catch(() => {});
          },
        };
        return Promise.resolve(server);
      },
      waitForStop: () => ({
        signal: new Promise<Deno.Signal>((resolve) => deliver = resolve),
        dispose: () => world.disposed++,
      }),
    },
  };
  return world;
}

Deno.test("runCli() --version and --help print to stdout and exit 0", async () => {
  const world = fakeWorld();
  assert.equal(await runCli(["--version"], world.deps), 0);
  assert.equal(world.stdout.join(""), "qsfs 9.9.9\n");
  for (const args of [["--help"], ["-h"], [], ["help"]]) {
    world.stdout.length = 0;
    assert.equal(await runCli(args, world.deps), 0);
    assert.match(
      world.stdout.join(""),
      /Usage: qsfs .*\n[\s\S]*Subcommands:\n(?: {2}\w+ .*\n)* {2}zdb /,
    );
  }
  for (const args of [["help", "zdb"], ["zdb", "--help"], ["--help", "zdb"]]) {
    world.stdout.length = 0;
    assert.equal(await runCli(args, world.deps), 0);
    assert.match(world.stdout.join(""), /^Usage: qsfs zdb /);
  }
  assert.deepEqual(world.stderr, []);
});

Deno.test("runCli() exits 2 with one error line and the usage on bad usage", async () => {
  const cases: [string[], string][] = [
    [["frobnicate"], 'qsfs: Cannot run subcommand "frobnicate": no such subcommand'],
    [["--bogus"], "qsfs: Cannot parse flag --bogus: unknown flag"],
    [["zdb", "--data", "/d", "--bogus"], "qsfs: Cannot parse flag --bogus: unknown flag"],
    [["zdb"], "qsfs: Cannot run zdb: --data DIR is required"],
    [
      ["zdb", "--data", "/d", "--mode", "fast"],
      'qsfs: Cannot parse --mode "fast": use user, seq, mix',
    ],
    [["zdb", "--data", "/d", "--listen", "9900"], 'qsfs: Cannot parse --listen "9900"'],
    [["zdb", "--data", "/d", "--listen", "h:99999"], 'qsfs: Cannot parse --listen "h:99999"'],
    [["zdb", "--data", "/d", "--listen", "::1:9900"], 'qsfs: Cannot parse --listen "::1:9900"'],
    [["zdb", "--data", "/d", "--sync", "never"], 'qsfs: Cannot parse --sync "never"'],
    [["zdb", "--data", "/d", "--sync-interval-ms", "5"], "qsfs: Cannot use --sync-interval-ms"],
    [
      ["zdb", "--data", "/d", "--sync=interval", "--sync-interval-ms=0"],
      "qsfs: Cannot parse --sync-interval-ms",
    ],
    [
      ["zdb", "--data", "/d", "--listen", "h:1", "--unix-socket", "/s"],
      "qsfs: Cannot use --listen with",
    ],
    [["zdb", "--data", "/d", "extra"], 'qsfs: Cannot run zdb: unexpected argument "extra"'],
    [["--log-level", "loud", "zdb", "--data", "/d"], 'qsfs: Cannot parse --log-level "loud"'],
    [["help", "nope"], 'qsfs: Cannot show help for "nope": no such subcommand'],
  ];
  for (const [args, firstLine] of cases) {
    const world = fakeWorld();
    assert.equal(await runCli(args, world.deps), 2, args.join(" "));
    const lines = world.stderr.join("").split("\n");
    assert.ok(lines[0]!.startsWith(firstLine), `${args.join(" ")}: ${lines[0]}`);
    assert.equal(lines[1], "");
    assert.match(lines[2]!, /^(Usage: qsfs|qsfs 9\.9\.9)/);
    assert.deepEqual(world.started, [], "no server starts on bad usage");
  }
});

Deno.test("runCli() zdb passes the flags to the server, announces it and stops on a signal", async () => {
  const world = fakeWorld();
  const running = runCli([
    "--log-level=debug",
    "zdb",
    "--listen",
    "127.0.0.1:0",
    "--data",
    "/var/zdb",
    "--mode",
    "seq",
    "--admin-password",
    "pw",
    "--sync",
    "interval",
    "--sync-interval-ms",
    "250",
  ], world.deps);
  await waitFor(() => world.stdout.length > 0);
  const { logger, ...options } = world.started[0]!;
  assert.ok(logger);
  assert.deepEqual(options, {
    listen: { hostname: "127.0.0.1", port: 0 },
    dataDir: "/var/zdb",
    mode: "seq",
    adminPassword: "pw",
    sync: "interval",
    syncIntervalMs: 250,
  });
  assert.deepEqual(world.stdout, ["zdb listening on 127.0.0.1:40123\n"]);
  assert.equal(world.closed, 0);
  world.signal();
  assert.equal(await running, 0);
  assert.equal(world.closed, 1);
  assert.equal(world.disposed, 1);
  assert.deepEqual(world.stderr, []);
});

Deno.test("runCli() zdb defaults to 127.0.0.1:9900 and takes --unix-socket and IPv6", async () => {
  for (
    const [args, listen, line] of [
      [[], { hostname: "127.0.0.1", port: 9900 }, "127.0.0.1:40123"],
      [["--unix-socket", "/run/z.sock"], { path: "/run/z.sock" }, "unix:/run/z.sock"],
      [["--listen", "[::1]:0"], { hostname: "::1", port: 0 }, "[::1]:40123"],
    ] as const
  ) {
    const world = fakeWorld();
    const running = runCli(["zdb", "--data", "/d", ...args], world.deps);
    await waitFor(() => world.stdout.length > 0);
    assert.deepEqual(world.started[0]!.listen, listen);
    assert.equal(world.started[0]!.mode, undefined, "the server picks its default mode");
    assert.deepEqual(world.stdout, [`zdb listening on ${line}\n`]);
    world.signal();
    assert.equal(await running, 0);
  }
});

Deno.test("runCli() zdb exits 1 with the reason when the server cannot start", async () => {
  const world = fakeWorld({ startError: new Error("Address already in use") });
  assert.equal(await runCli(["zdb", "--data", "/d"], world.deps), 1);
  assert.deepEqual(world.stderr, ["qsfs: Cannot start zdb: Address already in use\n"]);
  assert.deepEqual(world.stdout, []);
  assert.equal(world.disposed, 1, "signal listeners are removed");
});

Deno.test("runCli() zdb exits 1 when the server fails on its own", async () => {
  const world = fakeWorld();
  const running = runCli(["zdb", "--data", "/d"], world.deps);
  await waitFor(() => world.stdout.length > 0);
  world.crash(new Error("disk gone"));
  assert.equal(await running, 1);
  assert.deepEqual(world.stderr, ["qsfs: zdb stopped: disk gone\n"]);
  assert.equal(world.closed, 1);
});

/** Polls a condition on the event loop (no timers): the fakes settle within a few turns. */
async function waitFor(condition: () => boolean) {
  for (let turn = 0; turn < 1000; turn++) {
    if (condition()) return;
    await Promise.resolve();
  }
  throw new Error("Cannot wait: the condition never became true");
}

Deno.test("runCli() zdb takes its admin password from QSFS_ZDB_ADMIN_PASSWORD, the flag first", async () => {
  for (
    const [args, expected] of [
      [[], "from-env"],
      [["--admin-password", "from-flag"], "from-flag"],
    ] as const
  ) {
    const world = fakeWorld();
    world.deps.env.zdbAdminPassword = "from-env";
    const running = runCli(["zdb", "--data", "/d", ...args], world.deps);
    await waitFor(() => world.stdout.length > 0);
    assert.equal(world.started[0]!.adminPassword, expected);
    world.signal();
    assert.equal(await running, 0);
  }
});
