import assert from "node:assert/strict";
import { startTestServer, text, utf8 } from "../_testing.ts";
import { ZdbReplyError } from "../mod.ts";

function rejectsWith(message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ZdbReplyError, `not a ZdbReplyError: ${error}`);
    assert.equal(error.message, message);
    return true;
  };
}

Deno.test("ZdbClient.nsnew(), nslist(), nsinfo() and nsdel() manage namespaces", async () => {
  // Proves the namespace lifecycle and NSINFO parsed into typed fields.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.nsnew("photos");
  assert.deepEqual(await admin.nslist(), ["default", "photos"]);
  await assert.rejects(admin.nsnew("photos"), rejectsWith("This namespace is not available"));
  const user = zdb.client({ namespace: "photos" });
  await user.set("k", utf8("12345"));
  const info = await admin.nsinfo("photos");
  assert.equal(info.name, "photos");
  assert.equal(info.entries, 1);
  assert.equal(info.public, true);
  assert.equal(info.worm, false);
  assert.equal(info.locked, false);
  assert.equal(info.passwordProtected, false);
  assert.equal(info.dataSizeBytes, 5);
  assert.equal(info.dataLimitsBytes, 0);
  assert.equal(info.mode, "userkey");
  assert.equal(info.spaceAvailableBytes, undefined);
  assert.ok(info.dataDiskFreespaceBytes! > 0);
  assert.equal(info.raw["next_internal_id"], "0x00000000");
  user.close();
  await admin.nsdel("photos");
  assert.deepEqual(await admin.nslist(), ["default"]);
  await assert.rejects(admin.nsinfo("photos"), rejectsWith("Namespace not found"));
  await assert.rejects(admin.nsdel("default"), rejectsWith("Cannot remove default namespace"));
});

Deno.test("ZdbClient.nsset() maxsize refuses writes past the limit", async () => {
  // Proves "No space left on this namespace" and the space_available line.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.nsnew("small");
  await admin.nsset("small", "maxsize", 100);
  const user = zdb.client({ namespace: "small" });
  await user.set("a", new Uint8Array(60));
  await assert.rejects(
    user.set("b", new Uint8Array(60)),
    rejectsWith("No space left on this namespace"),
  );
  assert.equal(await user.exists("b"), false);
  const info = await admin.nsinfo("small");
  assert.equal(info.dataLimitsBytes, 100);
  assert.equal(info.spaceAvailableBytes, 40);
  // Replacing a value counts only the difference.
  assert.equal(text(await user.set("a", new Uint8Array(100).fill(1))), "a");
});

Deno.test("ZdbClient.select() needs the password of a private namespace", async () => {
  // Proves password + public 0: no password fails, a wrong one is denied, plain and SECURE work.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.nsnew("vault");
  await admin.nsset("vault", "password", "s3cret");
  await admin.nsset("vault", "public", 0);
  const info = await admin.nsinfo("vault");
  assert.equal(info.passwordProtected, true);
  assert.equal(info.public, false);
  await assert.rejects(
    zdb.client({ namespace: "vault" }).ping(),
    rejectsWith("Namespace protected and private"),
  );
  await assert.rejects(
    zdb.client({ namespace: "vault", password: "wrong", secure: false }).ping(),
    rejectsWith("Access denied"),
  );
  await assert.rejects(
    zdb.client({ namespace: "vault", password: "wrong" }).ping(),
    rejectsWith("Access denied"),
  );
  const plain = zdb.client({ namespace: "vault", password: "s3cret", secure: false });
  assert.equal(text(await plain.set("k", utf8("plain"))), "k");
  const secure = zdb.client({ namespace: "vault", password: "s3cret" });
  assert.equal(text(await secure.get("k")), "plain");
  await assert.rejects(
    admin.select("vault", "nope"),
    rejectsWith("Access denied"),
  );
  await admin.select("vault", "s3cret");
  assert.equal(admin.namespace, "vault");
  assert.equal(await admin.dbsize(), 1);
});

Deno.test("ZdbClient.select() without password opens a protected public namespace read-only", async () => {
  // Proves a public namespace with a password serves reads to anyone and writes only with it.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.nsnew("shared");
  await admin.nsset("shared", "password", "pw");
  await zdb.client({ namespace: "shared", password: "pw" }).set("k", utf8("v"));
  const reader = zdb.client({ namespace: "shared" });
  assert.equal(text(await reader.get("k")), "v");
  await assert.rejects(reader.set("x", utf8("y")), rejectsWith("Namespace is in read-only mode"));
  await assert.rejects(reader.call(["SELECT", "nowhere"]), rejectsWith("Namespace not found"));
});

Deno.test("ZdbClient.nsset() worm refuses overwrites and deletes", async () => {
  // Proves write-once mode: new keys are accepted, existing ones cannot change or go.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.nsnew("archive");
  await admin.nsset("archive", "worm", 1);
  assert.equal((await admin.nsinfo("archive")).worm, true);
  const user = zdb.client({ namespace: "archive" });
  await user.set("k", utf8("first"));
  await assert.rejects(
    user.set("k", utf8("second")),
    rejectsWith("Namespace is protected by worm mode"),
  );
  await assert.rejects(
    user.del("k"),
    rejectsWith("Cannot delete a key when namespace is in worm mode"),
  );
  assert.equal(text(await user.get("k")), "first");
});

Deno.test("ZdbClient.nsset() lock makes a namespace read-only until unlocked", async () => {
  // Proves "Namespace is temporarily locked (read-only)" and that reads still work.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.set("k", utf8("v"));
  await admin.nsset("default", "lock", 1);
  assert.equal((await admin.nsinfo("default")).locked, true);
  await assert.rejects(
    admin.set("x", utf8("y")),
    rejectsWith("Namespace is temporarily locked (read-only)"),
  );
  await assert.rejects(admin.del("k"), rejectsWith("Namespace is temporarily locked (read-only)"));
  assert.equal(text(await admin.get("k")), "v");
  await admin.nsset("default", "lock", 0);
  assert.equal(text(await admin.set("x", utf8("y"))), "x");
  await assert.rejects(
    admin.nsset("default", "maxsize", 10),
    rejectsWith("Cannot update default namespace"),
  );
});

Deno.test("ZdbClient.nsset() mode seq applies to a fresh namespace only", async () => {
  // Proves a namespace can switch to sequential mode before its first write, never after.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.nsnew("seq");
  await admin.nsset("seq", "mode", "seq");
  assert.equal((await admin.nsinfo("seq")).mode, "sequential");
  const user = zdb.client({ namespace: "seq" });
  assert.equal(await user.setSeq(utf8("a")), 0n);
  await assert.rejects(
    admin.nsset("seq", "mode", "user"),
    rejectsWith("Cannot change mode of used namespace"),
  );
  assert.equal((await admin.nsinfo("seq")).raw["next_internal_id"], "0x100000000000000");
});

Deno.test("ZdbClient.auth() is needed for admin commands when the server has an admin password", async () => {
  // Proves "Permission denied" before AUTH, and that plain and SECURE AUTH both grant admin.
  await using zdb = await startTestServer({ adminPassword: "root-pw" });
  const anonymous = zdb.client();
  assert.equal(await anonymous.ping(), "PONG");
  await assert.rejects(anonymous.nsnew("x"), rejectsWith("Permission denied"));
  await assert.rejects(anonymous.nsset("default", "lock", 1), rejectsWith("Permission denied"));
  await assert.rejects(anonymous.auth("wrong"), rejectsWith("Access denied"));
  await anonymous.auth("root-pw");
  await anonymous.nsnew("x");
  const plain = zdb.client({ adminPassword: "root-pw", secure: false });
  await plain.nsnew("y");
  const secure = zdb.client({ adminPassword: "root-pw" });
  await secure.nsdel("y");
  assert.deepEqual(await secure.nslist(), ["default", "x"]);
  await assert.rejects(
    anonymous.callRaw(["AUTH", "SECURE", "0".repeat(40)]).then((reply) => {
      throw new ZdbReplyError("AUTH", (reply as { message: string }).message);
    }),
    rejectsWith("No CHALLENGE requested, secure authentication not available"),
  );
});

Deno.test("ZdbClient.auth() on a server without an admin password says so", async () => {
  // Proves 0-db's reply when there is nothing to authenticate against.
  await using zdb = await startTestServer();
  await assert.rejects(zdb.client().auth("x"), rejectsWith("Authentication disabled"));
});

Deno.test("ZdbClient.flush() is refused on a public namespace and empties a private one", async () => {
  // Proves FLUSH's rule and that a flush survives a server restart.
  await using zdb = await startTestServer();
  const admin = zdb.client();
  await admin.set("kept", utf8("v"));
  await assert.rejects(admin.flush(), rejectsWith("Flushing public namespace denied"));
  assert.equal(await admin.dbsize(), 1);
  await admin.nsnew("priv");
  await admin.nsset("priv", "password", "pw");
  await admin.nsset("priv", "public", 0);
  const user = zdb.client({ namespace: "priv", password: "pw" });
  for (let i = 0; i < 10; i++) await user.set(`k${i}`, utf8(`v${i}`));
  await user.flush();
  assert.equal(await user.dbsize(), 0);
  assert.equal(await user.get("k1"), null);
  assert.equal(await user.scan(), null);
  await user.set("after", utf8("flush"));
  await zdb.restart();
  const userAgain = zdb.client({ namespace: "priv", password: "pw" });
  assert.equal(await userAgain.dbsize(), 1);
  assert.equal(text(await userAgain.get("after")), "flush");
  assert.equal(await userAgain.get("k1"), null);
  assert.equal(text(await zdb.client().get("kept")), "v");
});
