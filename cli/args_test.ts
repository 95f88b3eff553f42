import assert from "node:assert/strict";
import { booleanFlag, type FlagSpec, parseArgs, stringFlag, UsageError } from "./args.ts";

const SPEC: FlagSpec = {
  data: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  peer: { type: "string", multiple: true },
};

Deno.test("parseArgs() reads --x value, --x=value, booleans and positionals", () => {
  const parsed = parseArgs(["a", "--data", "/d", "b", "--json", "--peer=p1", "--peer", "p2"], SPEC);
  assert.deepEqual(parsed.flags, { data: "/d", json: true, peer: ["p1", "p2"] });
  assert.deepEqual(parsed.positionals, ["a", "b"]);
  assert.equal(stringFlag(parsed, "data"), "/d");
  assert.equal(booleanFlag(parsed, "json"), true);
  assert.equal(booleanFlag(parsed, "help"), false);
});

Deno.test("parseArgs() keeps '=' inside values and accepts an empty --x=", () => {
  const parsed = parseArgs(["--data=a=b"], SPEC);
  assert.equal(stringFlag(parsed, "data"), "a=b");
  assert.equal(stringFlag(parseArgs(["--data="], SPEC), "data"), "");
});

Deno.test("parseArgs() accepts =true / =false on booleans and short aliases", () => {
  assert.equal(parseArgs(["--json=false"], SPEC).flags.json, false);
  assert.equal(parseArgs(["--json=true"], SPEC).flags.json, true);
  assert.equal(parseArgs(["-h"], SPEC).flags.help, true);
});

Deno.test("parseArgs() treats everything after -- and a lone - as positional", () => {
  const parsed = parseArgs(["-", "--", "--data", "-h"], SPEC);
  assert.deepEqual(parsed.positionals, ["-", "--data", "-h"]);
  assert.deepEqual(parsed.flags, {});
});

Deno.test("parseArgs() rejects unknown flags, missing values and repeats with UsageError", () => {
  const cases: [string[], RegExp][] = [
    [["--nope"], /^Cannot parse flag --nope: unknown flag$/],
    [["--nope=1"], /^Cannot parse flag --nope: unknown flag$/],
    [["-x"], /^Cannot parse flag -x: unknown flag$/],
    [["--data"], /^Cannot parse flag --data: it needs a value$/],
    [["--data", "--json"], /^Cannot parse flag --data: it needs a value$/],
    [["--data", "a", "--data", "b"], /^Cannot parse flag --data: it is given more than once$/],
    [["--json=yes"], /^Cannot parse flag --json: it takes no value/],
    [["--constructor"], /unknown flag/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseArgs(args, SPEC), (error: unknown) => {
      assert.ok(error instanceof UsageError, `${args.join(" ")} threw ${error}`);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parseArgs() with stopAtPositional returns the subcommand and what follows", () => {
  const parsed = parseArgs(["--json", "zdb", "--data", "/d", "--unknown"], SPEC, {
    stopAtPositional: true,
  });
  assert.deepEqual(parsed.flags, { json: true });
  assert.deepEqual(parsed.positionals, []);
  assert.deepEqual(parsed.rest, ["zdb", "--data", "/d", "--unknown"]);
  assert.deepEqual(parseArgs(["--", "x"], SPEC, { stopAtPositional: true }).rest, ["x"]);
});
