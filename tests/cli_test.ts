/**
 * The qsfs command line as a person runs it: `deno run -A main.ts ...` in a
 * child process, with a fresh temporary home.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

function qsfsCommand(args: string[], home: string, stdout: "piped" | "null" = "piped") {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { QSFS_HOME: home, NO_COLOR: "1" },
    stdin: "null",
    stdout,
    stderr: "piped",
  });
}

async function runQsfs(args: string[]) {
  const home = await Deno.makeTempDir({ prefix: "qsfs_cli_test_" });
  try {
    const output = await qsfsCommand(args, home).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("qsfs --version prints the version from deno.json", async () => {
  const result = await runQsfs(["--version"]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `qsfs ${denoJson.version}\n`);
  assert.equal(result.stderr, "");
});

Deno.test("qsfs --help lists the subcommands and the global flags", async () => {
  const result = await runQsfs(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^qsfs \S+: /);
  assert.match(result.stdout, /\n {2}zdb +Run a 0-db compatible storage node/);
  assert.match(result.stdout, /--home DIR/);
  assert.match(result.stdout, /--log-level LEVEL/);
});

Deno.test("qsfs zdb --help shows the zdb flags", async () => {
  const result = await runQsfs(["zdb", "--help"]);
  assert.equal(result.code, 0);
  for (
    const flag of ["--listen", "--data", "--mode", "--admin-password", "--sync", "--unix-socket"]
  ) {
    assert.ok(result.stdout.includes(flag), `${flag} is documented`);
  }
});

Deno.test("qsfs exits 2 with a one-line error and the usage on bad usage", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["nonsense"],
      /^qsfs: Cannot run subcommand "nonsense": no such subcommand\n\nqsfs \S+: [^]*Usage: qsfs /,
    ],
    [["--frob"], /^qsfs: Cannot parse flag --frob: unknown flag\n\nqsfs \S+: [^]*Usage: qsfs /],
    [["zdb", "--frob"], /^qsfs: Cannot parse flag --frob: unknown flag\n\nUsage: qsfs zdb /],
    [["zdb", "--listen", "127.0.0.1:0"], /^qsfs: Cannot run zdb: --data DIR is required\n\n/],
    [["zdb", "--data", "d", "--listen", "nowhere"], /^qsfs: Cannot parse --listen "nowhere"/],
    [["zdb", "--data", "d", "--mode", "fast"], /^qsfs: Cannot parse --mode "fast"/],
  ];
  const results = await Promise.all(cases.map(([args]) => runQsfs(args)));
  for (const [index, [args, stderr]] of cases.entries()) {
    const result = results[index]!;
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, stderr, args.join(" "));
    assert.equal(result.stdout, "");
  }
});

Deno.test("qsfs zdb serves on a free port, answers PING, and stops cleanly on SIGTERM", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_cli_test_" });
  const args = ["zdb", "--listen", "127.0.0.1:0", "--data", `${home}/zdb`];
  const child = qsfsCommand(args, home).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).values();
    const first = await readLine(lines);
    const match = /^zdb listening on 127\.0\.0\.1:(\d+)$/.exec(first);
    assert.ok(match, `unexpected first line: ${first}`);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(match[1]) });
    try {
      await conn.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
      const reply = new Uint8Array(7);
      let got = 0;
      while (got < reply.length) {
        const count = await conn.read(reply.subarray(got));
        if (count === null) break;
        got += count;
      }
      assert.equal(new TextDecoder().decode(reply.subarray(0, got)), "+PONG\r\n");
    } finally {
      conn.close();
    }
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 0, await stderr);
    assert.match(await stderr, /INFO stopping zdb signal=SIGTERM\n.* INFO zdb stopped\n$/);
    await lines.return?.();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // It has exited already.
    }
    await child.status;
    await stderr;
    await Deno.remove(home, { recursive: true });
  }
});

/** Reads text chunks until the first newline and returns the line without it. */
async function readLine(chunks: AsyncIterator<string>): Promise<string> {
  let text = "";
  while (!text.includes("\n")) {
    const next = await chunks.next();
    if (next.done) {
      throw new Error(`Cannot read a line: stdout ended after ${JSON.stringify(text)}`);
    }
    text += next.value;
  }
  return text.slice(0, text.indexOf("\n"));
}
