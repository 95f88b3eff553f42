/** Shared fixtures for the encode and dirent tests: an entry and its byte-level check. */

import assert from "node:assert/strict";
import * as abi from "./abi.ts";
import type { Entry, FuseAttr, NodeId } from "./types.ts";

export const ATTR: FuseAttr = {
  ino: 0x1_0000_0002,
  size: 5_000_000_000,
  blocks: 9_765_625,
  atimeSec: -1,
  atimeNsec: 1,
  mtimeSec: 1_700_000_000,
  mtimeNsec: 999_999_999,
  ctimeSec: 1_700_000_001,
  ctimeNsec: 3,
  mode: abi.S_IFREG | 0o640,
  nlink: 2,
  uid: 1000,
  gid: 100,
  rdev: 0,
  blksize: 4096,
};

export const ENTRY: Entry = {
  nodeId: 7 as NodeId,
  generation: 3,
  entryTimeoutMs: 1500,
  attrTimeoutMs: 250.5,
  attr: ATTR,
};

export function u64(view: DataView, at: number): bigint {
  return view.getBigUint64(at, true);
}

/** Checks a fuse_attr at `at` field by field, offsets written out by hand. */
export function assertAttr(view: DataView, at: number): void {
  assert.equal(u64(view, at + 0), 0x1_0000_0002n); // ino
  assert.equal(u64(view, at + 8), 5_000_000_000n); // size
  assert.equal(u64(view, at + 16), 9_765_625n); // blocks
  assert.equal(view.getBigInt64(at + 24, true), -1n); // atime, before the epoch
  assert.equal(u64(view, at + 32), 1_700_000_000n); // mtime
  assert.equal(u64(view, at + 40), 1_700_000_001n); // ctime
  assert.equal(view.getUint32(at + 48, true), 1); // atimensec
  assert.equal(view.getUint32(at + 52, true), 999_999_999); // mtimensec
  assert.equal(view.getUint32(at + 56, true), 3); // ctimensec
  assert.equal(view.getUint32(at + 60, true), abi.S_IFREG | 0o640); // mode
  assert.equal(view.getUint32(at + 64, true), 2); // nlink
  assert.equal(view.getUint32(at + 68, true), 1000); // uid
  assert.equal(view.getUint32(at + 72, true), 100); // gid
  assert.equal(view.getUint32(at + 76, true), 0); // rdev
  assert.equal(view.getUint32(at + 80, true), 4096); // blksize
  assert.equal(view.getUint32(at + 84, true), 0); // flags
}

export function assertEntry(view: DataView, at: number): void {
  assert.equal(u64(view, at + 0), 7n); // nodeid
  assert.equal(u64(view, at + 8), 3n); // generation
  assert.equal(u64(view, at + 16), 1n); // entry_valid
  assert.equal(u64(view, at + 24), 0n); // attr_valid
  assert.equal(view.getUint32(at + 32, true), 500_000_000); // entry_valid_nsec
  assert.equal(view.getUint32(at + 36, true), 250_500_000); // attr_valid_nsec
  assertAttr(view, at + 40);
}
