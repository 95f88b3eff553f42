import assert from "node:assert/strict";
import { createBridge, type VfsBridge } from "./bridge.ts";
import { EEXIST, EIO, ENODATA, ENOENT, FsError } from "./errno.ts";
import { openFilesystem } from "./filesystem.ts";
import {
  abi,
  DirentBuffer,
  DirentPlusBuffer,
  type FileHandle,
  type NodeId,
  type RequestContext,
} from "./fuse/mod.ts";
import type { Vfs } from "./vfs/mod.ts";

const ROOT_ID = abi.FUSE_ROOT_ID as NodeId;
const CTX: RequestContext = {
  unique: 1,
  uid: 0,
  gid: 0,
  pid: Deno.pid,
  signal: new AbortController().signal,
};
const READ_FLAGS = { readFlags: 0, flags: 0 };

interface Harness {
  bridge: VfsBridge;
  vfs: Vfs;
  messages: string[];
}

/** A bridge over a real filesystem in a temporary state directory. */
async function withBridge(
  body: (h: Harness) => Promise<void>,
  options: { negativeTimeoutMs?: number; wrap?: (vfs: Vfs) => Vfs } = {},
): Promise<void> {
  const stateDir = await Deno.makeTempDir({ prefix: "qsfs_bridge_" });
  const fs = await openFilesystem({ stateDir, logger: { info() {}, warn() {}, error() {} } });
  const messages: string[] = [];
  const vfs = options.wrap?.(fs.vfs) ?? fs.vfs;
  const harness: Harness = { bridge: null!, vfs: fs.vfs, messages };
  harness.bridge = createBridge({ vfs, close: () => fs.close() }, {
    negativeTimeoutMs: options.negativeTimeoutMs,
    logger: { warn: (m) => messages.push(m), error: (m, f) => messages.push(`${m} ${f?.error}`) },
  });
  try {
    await body(harness);
  } finally {
    await harness.bridge.destroy!();
    await Deno.remove(stateDir, { recursive: true });
  }
}

/** Decodes READDIR (or READDIRPLUS) records: [name, ino, offset, nodeId of the entry]. */
function records(bytes: Uint8Array, plus: boolean): [string, number, number, number][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: [string, number, number, number][] = [];
  let at = 0;
  while (at < bytes.length) {
    const dirent = at + (plus ? abi.Direntplus.dirent : 0);
    const nameBytes = view.getUint32(dirent + abi.Dirent.namelen, true);
    const name = new TextDecoder().decode(
      bytes.subarray(dirent + abi.Dirent.name, dirent + abi.Dirent.name + nameBytes),
    );
    const nodeId = plus ? Number(view.getBigUint64(at + abi.EntryOut.nodeid, true)) : 0;
    out.push([
      name,
      Number(view.getBigUint64(dirent + abi.Dirent.ino, true)),
      Number(view.getBigUint64(dirent + abi.Dirent.off, true)),
      nodeId,
    ]);
    at = dirent + ((abi.Dirent.sizeBytes + nameBytes + 7) & ~7);
  }
  return out;
}

Deno.test("bridge: node ids are inode numbers, entries carry timeouts, missing names are negative", async () => {
  await withBridge(async ({ bridge }) => {
    const made = await bridge.mkdir!(CTX, { parent: ROOT_ID, name: "d", mode: 0o755, umask: 0 });
    assert.equal(made.nodeId, made.attr.ino);
    assert.equal(made.entryTimeoutMs, 10_000);
    assert.equal(made.attrTimeoutMs, 10_000);
    const found = await bridge.lookup!(CTX, { parent: ROOT_ID, name: "d" });
    assert.equal(found.nodeId, made.nodeId);
    assert.equal(found.attr.mode, abi.S_IFDIR | 0o755);
    const missing = await bridge.lookup!(CTX, { parent: ROOT_ID, name: "nope" });
    assert.equal(missing.nodeId, 0);
    assert.equal(missing.entryTimeoutMs, 1000);
    const attr = await bridge.getattr!(CTX, { nodeId: made.nodeId, fh: null });
    assert.equal(attr.attr.ino, made.nodeId);
    await assert.rejects(
      bridge.getxattr!(CTX, { nodeId: made.nodeId, name: "security.capability", size: 0 }),
      (error) => error instanceof FsError && error.errno === ENODATA,
    );
    // Errors other than a missing name are not negative entries.
    await assert.rejects(
      bridge.lookup!(CTX, { parent: 999_999 as NodeId, name: "nope" }),
      (error) => error instanceof FsError && error.errno === ENOENT,
    );
  });
  await withBridge(async ({ bridge }) => {
    await assert.rejects(
      bridge.lookup!(CTX, { parent: ROOT_ID, name: "nope" }),
      (error) => error instanceof FsError && error.errno === ENOENT,
    );
  }, { negativeTimeoutMs: 0 });
});

Deno.test("bridge: FsError keeps its errno; any other error is EIO, logged once per opcode", async () => {
  let failures = 0;
  const wrap = (vfs: Vfs) =>
    new Proxy(vfs, {
      get(target, key) {
        if (key === "statfs") {
          return () => {
            failures++;
            return Promise.reject(new TypeError("a bug in statfs"));
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  await withBridge(async ({ bridge, messages }) => {
    await bridge.mkdir!(CTX, { parent: ROOT_ID, name: "d", mode: 0o755, umask: 0 });
    await assert.rejects(
      bridge.mkdir!(CTX, { parent: ROOT_ID, name: "d", mode: 0o755, umask: 0 }),
      (error) => error instanceof FsError && error.errno === EEXIST,
    );
    await assert.rejects(
      bridge.getattr!(CTX, { nodeId: 999 as NodeId, fh: null }),
      (error) => error instanceof FsError && error.errno === ENOENT,
    );
    assert.deepEqual(messages, []);
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        bridge.statfs!(CTX, { nodeId: ROOT_ID }),
        (error) => error instanceof FsError && error.errno === EIO,
      );
    }
    assert.equal(failures, 3);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /^FUSE STATFS failed with an unexpected error; replying EIO/);
    assert.match(messages[0]!, /TypeError: a bug in statfs\n\s+at /);
    assert.deepEqual(bridge.unexpectedOpcodes(), ["STATFS"]);
  }, { wrap });
});

Deno.test("bridge: names are bytes end to end, also when they are not UTF-8", async () => {
  await withBridge(async ({ bridge, vfs }) => {
    const name = "caf\u00e9-\udcff"; // "café-" then the byte 0xff, escaped by fs/fuse/names.ts
    const created = await bridge.create!(CTX, {
      parent: ROOT_ID,
      name,
      mode: 0o644,
      flags: 2,
      umask: 0,
      openFlags: 0,
    });
    await bridge.release!(CTX, { nodeId: created.entry.nodeId, ...release(created.open.fh) });
    const fh = await vfs.opendir({ uid: 0, gid: 0 }, abi.FUSE_ROOT_ID);
    const names = (await vfs.readdir({ uid: 0, gid: 0 }, { fh, offset: 2 })).map((e) => e.name);
    assert.deepEqual(names, [new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x2d, 0xff])]);
    const found = await bridge.lookup!(CTX, { parent: ROOT_ID, name });
    assert.equal(found.nodeId, created.entry.nodeId);
    await bridge.symlink!(CTX, { parent: ROOT_ID, name: "l", target: name });
    const link = await bridge.lookup!(CTX, { parent: ROOT_ID, name: "l" });
    assert.equal(await bridge.readlink!(CTX, { nodeId: link.nodeId }), name);
  });
});

function release(fh: FileHandle) {
  return { fh, flags: 0, releaseFlags: 0, lockOwner: 0n };
}

Deno.test("bridge: READDIR fills the kernel's buffer and resumes; READDIRPLUS adds entries", async () => {
  await withBridge(async ({ bridge }) => {
    const names = Array.from({ length: 40 }, (_, i) => `file_${String(i).padStart(2, "0")}`);
    for (const name of names) {
      await bridge.mknod!(CTX, {
        parent: ROOT_ID,
        name,
        mode: abi.S_IFREG | 0o644,
        rdev: 0,
        umask: 0,
      });
    }
    const { fh } = await bridge.opendir!(CTX, { nodeId: ROOT_ID, flags: 0, openFlags: 0 });
    const seen: string[] = [];
    let offset = 0;
    for (let round = 0; round < 20; round++) {
      const out = new DirentBuffer(256);
      await bridge.readdir!(CTX, { nodeId: ROOT_ID, fh, offset, size: 256, ...READ_FLAGS }, out);
      const page = records(out.bytes(), false);
      if (page.length === 0) break;
      assert.ok(page.length <= 256 / 32, `a page of ${page.length} entries overflows 256 bytes`);
      seen.push(...page.map(([name]) => name));
      offset = page[page.length - 1]![2];
    }
    assert.deepEqual(seen, [".", "..", ...names]);
    const plus = new DirentPlusBuffer(4096);
    await bridge.readdirplus!(
      CTX,
      { nodeId: ROOT_ID, fh, offset: 0, size: 4096, ...READ_FLAGS },
      plus,
    );
    const page = records(plus.bytes(), true);
    assert.deepEqual(page.slice(0, 2).map(([name, , , nodeId]) => [name, nodeId]), [[".", 0], [
      "..",
      0,
    ]]);
    // Every record here takes 160 bytes (128 of entry_out, 32 of dirent): 25 fit 4 KiB.
    assert.equal(page.length, 25);
    for (const [, ino, , nodeId] of page.slice(2)) assert.equal(nodeId, ino);
    await bridge.releasedir!(CTX, { nodeId: ROOT_ID, ...release(fh) });
  });
});

Deno.test("bridge: WRITE and READ round-trip; DESTROY flushes and closes the filesystem once", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "qsfs_bridge_" });
  const quiet = { info() {}, warn() {}, error() {} };
  try {
    const fs = await openFilesystem({ stateDir, logger: quiet });
    let closes = 0;
    const bridge = createBridge({ vfs: fs.vfs, close: () => (closes++, fs.close()) });
    const created = await bridge.create!(CTX, {
      parent: ROOT_ID,
      name: "f",
      mode: 0o644,
      flags: 2,
      umask: 0,
      openFlags: 0,
    });
    assert.equal(created.open.openFlags, abi.FOPEN_KEEP_CACHE);
    const { fh } = created.open;
    const nodeId = created.entry.nodeId;
    const data = new TextEncoder().encode("hello, bridge");
    const written = await bridge.write!(CTX, {
      nodeId,
      fh,
      offset: 3,
      data,
      writeFlags: 0,
      flags: 2,
    });
    assert.equal(written, data.length);
    const read = await bridge.read!(CTX, { nodeId, fh, offset: 0, size: 100, ...READ_FLAGS });
    assert.deepEqual(read, new Uint8Array([0, 0, 0, ...data]));
    // A read-only handle is closed without a FLUSH; a writable one is flushed.
    const reader = await bridge.open!(CTX, { nodeId, flags: 0, openFlags: 0 });
    assert.equal(reader.openFlags, abi.FOPEN_KEEP_CACHE | abi.FOPEN_NOFLUSH);
    const writer = await bridge.open!(CTX, { nodeId, flags: 1, openFlags: 0 });
    assert.equal(writer.openFlags, abi.FOPEN_KEEP_CACHE);
    await bridge.release!(CTX, { nodeId, fh: reader.fh, flags: 0, releaseFlags: 0, lockOwner: 0n });
    await bridge.release!(CTX, { nodeId, fh: writer.fh, flags: 1, releaseFlags: 0, lockOwner: 0n });
    await Promise.all([bridge.destroy!(), bridge.destroy!()]);
    assert.equal(closes, 1);
    const again = await openFilesystem({ stateDir, logger: quiet });
    try {
      const attr = await again.vfs.lookup({ uid: 0, gid: 0 }, abi.FUSE_ROOT_ID, "f");
      assert.equal(attr.sizeBytes, 3 + data.length);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});
