import assert from "node:assert/strict";
import {
  FRAME_HEADER_BYTES,
  frameRuns,
  gather,
  readFrameHeader,
  readShardHeader,
  scatterInto,
  sealShard,
  shardHashOk,
  shardPayload,
  shardPayloadLength,
  storedShardHash,
  writeFrameHeader,
  writeShardHeader,
} from "./frame.ts";
import { mulberry32, randomBytes, randomInt } from "./_testing.ts";

Deno.test("writeFrameHeader() and readFrameHeader() round-trip, little-endian at fixed offsets", () => {
  const header = {
    version: 1,
    compression: 1,
    cipher: 1,
    hash: 1,
    plainLength: 0x01020304,
    storedLength: 0xfffffffe,
    nonce: new Uint8Array(12).map((_, i) => 0xa0 + i),
  };
  const bytes = new Uint8Array(FRAME_HEADER_BYTES);
  writeFrameHeader(bytes, header);
  assert.deepEqual([...bytes.subarray(0, 8)], [1, 1, 1, 1, 4, 3, 2, 1]);
  assert.deepEqual(readFrameHeader(bytes), header);
});

Deno.test("a shard's trailer hash catches any flipped bit of its header or payload", () => {
  const random = mulberry32(61);
  const shard = new Uint8Array(16 + 40 + 8);
  writeShardHeader(shard, {
    version: 1,
    dataShards: 4,
    parityShards: 2,
    index: 5,
    frameLength: 150,
    chunkTag: randomBytes(random, 8),
  });
  shardPayload(shard).set(randomBytes(random, 40));
  sealShard(shard);
  assert.ok(shardHashOk(shard));
  assert.equal(readShardHeader(shard)!.index, 5);
  assert.equal(readShardHeader(shard)!.frameLength, 150);
  for (let byte = 0; byte < shard.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      shard[byte]! ^= 1 << bit;
      assert.ok(!shardHashOk(shard), `byte ${byte} bit ${bit}`);
      shard[byte]! ^= 1 << bit;
    }
  }
  assert.notEqual(storedShardHash(shard), 0n);
  assert.equal(readShardHeader(new Uint8Array(23)), null);
  assert.ok(!shardHashOk(new Uint8Array(10)));
});

Deno.test("frameRuns() lays a frame over the payloads in order", () => {
  const random = mulberry32(62);
  for (let round = 0; round < 200; round++) {
    const k = randomInt(random, 1, 9);
    const frame = randomBytes(random, randomInt(random, 1, 300));
    const payloadLength = shardPayloadLength(frame.length, k);
    const payloads = Array.from({ length: k }, () => new Uint8Array(payloadLength));
    scatterInto(frame, frameRuns(payloads, payloadLength, 0, frame.length));
    const start = randomInt(random, 0, frame.length);
    const end = randomInt(random, start, frame.length);
    assert.deepEqual(
      gather(frameRuns(payloads, payloadLength, start, end)),
      frame.slice(start, end),
    );
    assert.equal(frameRuns(payloads, payloadLength, start, start).length, 0);
  }
  assert.throws(() => frameRuns([new Uint8Array(4)], 4, 0, 5), /past the payloads/);
});
