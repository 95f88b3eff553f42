/** unlockQsfsKeys() gives the same keys as unlockIdentity(), and refuses the same way. */
import assert from "node:assert/strict";
import { IdentityLockedError, IdentityNotFoundError } from "./errors.ts";
import { createIdentity, unlockIdentity } from "./identity_service.ts";
import { unlockQsfsKeys } from "./qsfs_unlock.ts";

const FAST = { scrypt: { N: 2 ** 10, r: 8, p: 1 } };

Deno.test("unlockQsfsKeys(): the keys of unlockIdentity(), a passphrase needed when sealed", async () => {
  const home = await Deno.makeTempDir({ prefix: "qsfs_unlock_" });
  try {
    await assert.rejects(unlockQsfsKeys(home), IdentityNotFoundError);
    await createIdentity(home, { passphrase: "pass phrase", ...FAST });
    const full = await unlockIdentity(home, { passphrase: "pass phrase" });
    assert.deepEqual(await unlockQsfsKeys(home, { passphrase: "pass phrase" }), full.keys);
    await assert.rejects(unlockQsfsKeys(home), IdentityLockedError);
    await assert.rejects(unlockQsfsKeys(home, { passphrase: "wrong" }), IdentityLockedError);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
