import assert from "node:assert/strict";
import * as abi from "./abi.ts";
import {
  encodeAttrReply,
  encodeCreateReply,
  encodeEntry,
  encodeErrorReply,
  encodeInitReply,
  encodeLseekReply,
  encodeOpenReply,
  encodeStatfsReply,
  encodeWriteReply,
  encodeXattrNames,
  encodeXattrSizeReply,
} from "./encode.ts";
import type { FileHandle } from "./types.ts";
import { assertAttr, assertEntry, ATTR, ENTRY, u64 } from "./_test_fixtures.ts";

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

Deno.test("encodeErrorReply() writes a 16-byte header with -errno", () => {
  const bytes = encodeErrorReply(0x1_0000_0004, 2);
  assert.deepEqual([...bytes], [16, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 4, 0, 0, 0, 1, 0, 0, 0]);
});

Deno.test("encodeEntry() lays out fuse_entry_out with fuse_attr at 40", () => {
  const bytes = encodeEntry(ENTRY);
  assert.equal(bytes.length, 128);
  assertEntry(viewOf(bytes), 0);
});

Deno.test("encodeAttrReply() lays out fuse_attr_out with fuse_attr at 16", () => {
  const bytes = encodeAttrReply({ attr: ATTR, attrTimeoutMs: 2001 });
  assert.equal(bytes.length, 104);
  const view = viewOf(bytes);
  assert.equal(u64(view, 0), 2n);
  assert.equal(view.getUint32(8, true), 1_000_000);
  assertAttr(view, 16);
});

Deno.test("encodeCreateReply() is fuse_entry_out then fuse_open_out", () => {
  const bytes = encodeCreateReply({
    entry: ENTRY,
    open: { fh: 0x1_0000_0009 as FileHandle, openFlags: abi.FOPEN_KEEP_CACHE },
  });
  assert.equal(bytes.length, 144);
  const view = viewOf(bytes);
  assertEntry(view, 0);
  assert.equal(u64(view, 128), 0x1_0000_0009n);
  assert.equal(view.getUint32(136, true), abi.FOPEN_KEEP_CACHE);
  assert.deepEqual(
    [...encodeOpenReply({ fh: 5 as FileHandle })],
    [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  );
});

Deno.test("small replies have their fixed layouts", () => {
  assert.deepEqual([...encodeWriteReply(4096)], [0, 16, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeXattrSizeReply(7)], [7, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeLseekReply(0x1_0000_0000)], [0, 0, 0, 0, 1, 0, 0, 0]);
  assert.deepEqual([...encodeXattrNames(["user.a", "user.bc"])], [
    ...new TextEncoder().encode("user.a\0user.bc\0"),
  ]);
});

Deno.test("encodeStatfsReply() lays out fuse_kstatfs", () => {
  const bytes = encodeStatfsReply({
    blocks: 100,
    bfree: 50,
    bavail: 40,
    files: 30,
    ffree: 20,
    bsize: 4096,
    namelen: 255,
    frsize: 512,
  });
  assert.equal(bytes.length, 80);
  const view = viewOf(bytes);
  assert.deepEqual(
    [0, 8, 16, 24, 32].map((at) => u64(view, at)),
    [100n, 50n, 40n, 30n, 20n],
  );
  assert.deepEqual([40, 44, 48].map((at) => view.getUint32(at, true)), [4096, 255, 512]);
});

Deno.test("encodeInitReply() lays out fuse_init_out", () => {
  const bytes = encodeInitReply({
    major: 7,
    minor: 31,
    maxReadaheadBytes: 131072,
    flags: abi.FUSE_ASYNC_READ | abi.FUSE_MAX_PAGES,
    maxBackground: 64,
    congestionThreshold: 48,
    maxWriteBytes: 1 << 20,
    timeGranNs: 1,
    maxPages: 256,
  });
  assert.equal(bytes.length, 64);
  const view = viewOf(bytes);
  assert.deepEqual([0, 4, 8, 12].map((at) => view.getUint32(at, true)), [
    7,
    31,
    131072,
    abi.FUSE_ASYNC_READ | abi.FUSE_MAX_PAGES,
  ]);
  assert.equal(view.getUint16(16, true), 64);
  assert.equal(view.getUint16(18, true), 48);
  assert.equal(view.getUint32(20, true), 1 << 20);
  assert.equal(view.getUint32(24, true), 1);
  assert.equal(view.getUint16(28, true), 256);
});
