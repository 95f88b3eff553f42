/**
 * Test support: CliDeps that record what a command prints and start nothing (a test that
 * needs a daemon starts its own), with the parts a test changes given as overrides.
 */
import { nullLogger } from "../lib/log.ts";
import type { CliDeps } from "./command.ts";

export interface RecordedOutput {
  stdout: string;
  stderr: string;
}

export function recordingDeps(
  env: CliDeps["env"] = {},
  overrides: Partial<CliDeps> = {},
): { deps: CliDeps; out: RecordedOutput } {
  const out: RecordedOutput = { stdout: "", stderr: "" };
  const deps: CliDeps = {
    version: "9.9.9",
    env,
    selfCommand: ["/nonexistent/qsfs"],
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    readSecretFile: (path) => Deno.readTextFileSync(path),
    createLogger: () => nullLogger,
    startDaemon: () => Promise.reject(new Error("not in this test")),
    startZdbServer: () => Promise.reject(new Error("not in this test")),
    waitForStop: () => ({ signal: new Promise(() => {}), dispose: () => {} }),
    ...overrides,
  };
  return { deps, out };
}
