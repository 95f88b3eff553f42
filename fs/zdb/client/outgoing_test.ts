import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { encodeCommand } from "../resp/encode.ts";
import { OutgoingCommands } from "./outgoing.ts";

Deno.test("queued commands write the same bytes as encodeCommand, large values by reference", () => {
  // Proves the pieces are exactly the RESP stream, and a large value is not copied.
  const large = new Uint8Array(200_000).map((_, i) => i * 7);
  const commands = [
    ["SET", "small", new Uint8Array([1, 2, 3])],
    ["SET", "big.0", large],
    ["GET", "x"],
    ["SET", new Uint8Array(70_000).fill(9), "value"],
  ];
  const queue = new OutgoingCommands();
  for (const args of commands) queue.add(args);
  assert.equal(queue.empty, false);
  const pieces = queue.take();
  assert.ok(pieces.includes(large), "the large value itself is a piece");
  const expected = Buffer.concat(commands.map((args) => encodeCommand(args)));
  assert.equal(Buffer.compare(Buffer.concat(pieces), expected), 0);
  assert.equal(queue.empty, true);
  assert.deepEqual(queue.take(), []);
});
