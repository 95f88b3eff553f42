import assert from "node:assert/strict";
import * as abi from "./abi.ts";
import { DirentBuffer, DirentPlusBuffer, takesLookup } from "./dirent_buffer.ts";
import { assertEntry, ENTRY, u64 } from "./_test_fixtures.ts";

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

Deno.test("DirentBuffer packs 8-byte aligned records and refuses what does not fit", () => {
  const out = new DirentBuffer(64);
  assert.equal(out.add({ ino: 1, offset: 1, name: ".", type: abi.DT_DIR }), true); // 24 + 1 -> 32
  assert.equal(out.add({ ino: 9, offset: 2, name: "abcdefghi", type: abi.DT_REG }), false); // 24 + 9 -> 40
  assert.equal(out.add({ ino: 9, offset: 2, name: "abcdefgh", type: abi.DT_REG }), true); // 24 + 8 -> 32
  const bytes = out.bytes();
  assert.equal(bytes.length, 64);
  const view = viewOf(bytes);
  assert.deepEqual([u64(view, 0), u64(view, 8)], [1n, 1n]);
  assert.deepEqual([view.getUint32(16, true), view.getUint32(20, true)], [1, abi.DT_DIR]);
  assert.equal(bytes[24], ".".charCodeAt(0));
  assert.deepEqual([...bytes.subarray(25, 32)], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([u64(view, 32), u64(view, 40)], [9n, 2n]);
  assert.equal(new TextDecoder().decode(bytes.subarray(56, 64)), "abcdefgh");
});

Deno.test("DirentPlusBuffer writes fuse_entry_out before each dirent", () => {
  const out = new DirentPlusBuffer(4096);
  assert.equal(out.add({ ino: 7, offset: 3, name: "f", type: abi.DT_REG }, ENTRY), true);
  assert.equal(out.add({ ino: 8, offset: 4, name: "g", type: abi.DT_REG }, null), true);
  const bytes = out.bytes();
  assert.equal(bytes.length, 2 * 160); // 152 + 1 -> 160
  const view = viewOf(bytes);
  assertEntry(view, 0);
  assert.deepEqual([u64(view, 128), u64(view, 136), BigInt(view.getUint32(144, true))], [
    7n,
    3n,
    1n,
  ]);
  assert.equal(bytes[152], "f".charCodeAt(0));
  assert.equal(u64(view, 160), 0n); // no attributes: nodeid 0
  assert.equal(u64(view, 160 + 128), 8n);
  assert.equal(takesLookup("f", ENTRY), true);
  assert.equal(takesLookup("..", ENTRY), false);
  assert.equal(takesLookup("g", null), false);
});
