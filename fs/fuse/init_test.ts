import assert from "node:assert/strict";
import { EPROTO } from "../errno.ts";
import * as abi from "./abi.ts";
import { effectiveMaxWriteBytes, type InitSettings, negotiateInit } from "./init.ts";

const SETTINGS: InitSettings = {
  maxWriteBytes: 1 << 20,
  maxReadaheadBytes: 1 << 20,
  maxBackground: 64,
  maxPagesLimit: 256,
  writebackCache: false,
  readdirplus: "auto",
  cacheSymlinks: true,
  atomicOTrunc: false,
  handleKillpriv: false,
};

const ALL_FLAGS = 0x7fff_ffff;

Deno.test("negotiateInit() enables the wanted flags the kernel offers, and no others", () => {
  const offered = abi.FUSE_ASYNC_READ | abi.FUSE_BIG_WRITES | abi.FUSE_WRITEBACK_CACHE |
    abi.FUSE_POSIX_LOCKS;
  const outcome = negotiateInit(
    { major: 7, minor: 45, maxReadaheadBytes: 131072, flags: offered, flags2: 0 },
    SETTINGS,
  );
  assert.equal(outcome.kind, "accept");
  if (outcome.kind !== "accept") return;
  assert.equal(outcome.reply.flags, abi.FUSE_ASYNC_READ | abi.FUSE_BIG_WRITES);
  assert.equal(outcome.reply.minor, abi.FUSE_MINOR_VERSION);
  assert.equal(outcome.reply.maxReadaheadBytes, 131072);
  assert.equal(outcome.reply.maxWriteBytes, 1 << 20);
  assert.equal(outcome.reply.maxPages, 256);
  assert.equal(outcome.reply.congestionThreshold, 48);
});

Deno.test("negotiateInit() asks for the writeback cache, readdirplus and killpriv only as configured", () => {
  const kernel = { major: 7, minor: 45, maxReadaheadBytes: 1 << 20, flags: ALL_FLAGS, flags2: 0 };
  const plain = negotiateInit(kernel, { ...SETTINGS, readdirplus: "never" });
  assert.ok(plain.kind === "accept");
  assert.equal(plain.reply.flags & abi.FUSE_WRITEBACK_CACHE, 0);
  assert.equal(plain.reply.flags & abi.FUSE_DO_READDIRPLUS, 0);
  assert.equal(plain.reply.flags & abi.FUSE_HANDLE_KILLPRIV, 0);
  assert.equal(plain.reply.flags & abi.FUSE_HANDLE_KILLPRIV_V2, 0);
  assert.notEqual(plain.reply.flags & abi.FUSE_PARALLEL_DIROPS, 0);
  assert.notEqual(plain.reply.flags & abi.FUSE_AUTO_INVAL_DATA, 0);
  const cached = negotiateInit(kernel, {
    ...SETTINGS,
    writebackCache: true,
    readdirplus: "always",
    handleKillpriv: true,
  });
  assert.ok(cached.kind === "accept");
  assert.notEqual(cached.reply.flags & abi.FUSE_WRITEBACK_CACHE, 0);
  assert.notEqual(cached.reply.flags & abi.FUSE_DO_READDIRPLUS, 0);
  assert.equal(cached.reply.flags & abi.FUSE_READDIRPLUS_AUTO, 0);
  assert.notEqual(cached.reply.flags & abi.FUSE_HANDLE_KILLPRIV, 0);
  assert.notEqual(cached.reply.flags & abi.FUSE_HANDLE_KILLPRIV_V2, 0);
});

Deno.test("negotiateInit() answers a newer major with ours and refuses an old minor", () => {
  const newer = negotiateInit(
    { major: 8, minor: 0, maxReadaheadBytes: 0, flags: 0, flags2: 0 },
    SETTINGS,
  );
  assert.equal(newer.kind, "retry");
  assert.equal(newer.kind === "retry" && newer.reply.major, 7);
  const old = negotiateInit(
    { major: 7, minor: 30, maxReadaheadBytes: 0, flags: 0, flags2: 0 },
    SETTINGS,
  );
  assert.equal(old.kind === "refuse" && old.errno, EPROTO);
});

Deno.test("effectiveMaxWriteBytes() is capped by the kernel's page limit", () => {
  assert.equal(effectiveMaxWriteBytes({ ...SETTINGS, maxWriteBytes: 4 << 20 }), 1 << 20);
  assert.equal(effectiveMaxWriteBytes({ ...SETTINGS, maxPagesLimit: 32 }), 128 << 10);
  assert.equal(effectiveMaxWriteBytes({ ...SETTINGS, maxWriteBytes: 100 }), 4096);
});
