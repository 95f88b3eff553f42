import assert from "node:assert/strict";
import { EIO, ENOENT, ENOSPC } from "../errno.ts";
import { isErrno, pattern } from "./_testing.ts";
import { newChunkRef } from "./chunk_backend.ts";
import { DiskChunkBackend } from "./disk_chunk_backend.ts";

Deno.test("DiskChunkBackend put(), get(), delete() and sync() round-trip chunks", async () => {
  const directory = await Deno.makeTempDir({ prefix: "qsfs-chunks-" });
  try {
    const backend = await DiskChunkBackend.open(directory, { capacityBytes: 10_000 });
    const given = newChunkRef();
    assert.equal(await backend.put(pattern(3000), given), given);
    const made = await backend.put(pattern(4000, 2));
    assert.match(made, /^[0-9a-f]{32}$/);
    assert.deepEqual(await backend.get(given), pattern(3000));
    assert.deepEqual(backend.usage(), { usedBytes: 7000, capacityBytes: 10_000 });
    await assert.rejects(backend.put(pattern(3001)), isErrno(ENOSPC));
    await backend.sync();
    await backend.delete(given);
    await backend.delete(given);
    await assert.rejects(backend.get(given), isErrno(ENOENT));
    await assert.rejects(backend.get("../../etc/passwd"), isErrno(EIO));
    const reopened = await DiskChunkBackend.open(directory);
    assert.equal(reopened.usage().usedBytes, 4000, "usage is counted from the directory");
    assert.deepEqual(await reopened.get(made), pattern(4000, 2));
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
