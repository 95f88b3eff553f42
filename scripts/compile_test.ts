import assert from "node:assert/strict";
import { isRuntimeDownloadFailure } from "./compile.ts";

// What deno compile 2.9.6 printed on a machine that cannot reach its download host.
const OFFLINE_STDERR =
  `Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file '/tmp/qsfs_try.tmp-5bef2c740c020c41'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known
`;

Deno.test("isRuntimeDownloadFailure() recognises an offline runtime download", () => {
  assert.equal(isRuntimeDownloadFailure(OFFLINE_STDERR), true);
});

Deno.test("isRuntimeDownloadFailure() does not blame the network for other errors", () => {
  assert.equal(
    isRuntimeDownloadFailure('error: Module not found "file:///work/main/nope.ts".'),
    false,
  );
  assert.equal(
    isRuntimeDownloadFailure("0: Setting up base binary.\n0: Could not find denort at '/x'"),
    false,
  );
});
