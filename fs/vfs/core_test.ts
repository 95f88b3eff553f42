import assert from "node:assert/strict";
import { defaultDirtyBytesMax } from "./_core.ts";

Deno.test("the default dirty bound is 1/32 of the memory, within 64..512 MiB", () => {
  const mib = 1024 * 1024;
  const bytes = defaultDirtyBytesMax();
  const expected = Math.floor(Deno.systemMemoryInfo().total / 32 / mib) * mib;
  assert.equal(bytes, Math.min(512 * mib, Math.max(64 * mib, expected)));
  assert.equal(bytes % mib, 0);
});
