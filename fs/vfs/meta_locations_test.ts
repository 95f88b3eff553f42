import assert from "node:assert/strict";
import { MetaStore } from "./meta_store.ts";

Deno.test("ChunkLocationTable.page() walks every located chunk once, in ref order", async () => {
  // Proves the keyset paging a pool scrub walks the table with: pages of any size cover every
  // row exactly once, and the walk ends on a short page.
  const directory = await Deno.makeTempDir({ prefix: "qsfs-meta-" });
  const store = MetaStore.open(`${directory}/m.sqlite`);
  try {
    const refs = Array.from({ length: 7 }, (_, i) => `${i}`.padStart(32, "a"));
    store.transaction(() => {
      for (const ref of [...refs].reverse()) store.locations.set(ref, `{"c":"${ref}"}`);
    });
    for (const limit of [1, 3, 7, 10]) {
      const seen: string[] = [];
      let page = store.locations.page("", limit);
      while (page.length > 0) {
        assert.ok(page.length <= limit);
        seen.push(...page.map((row) => row.ref));
        assert.equal(page[0]!.location, `{"c":"${page[0]!.ref}"}`);
        page = store.locations.page(page.at(-1)!.ref, limit);
      }
      assert.deepEqual(seen, refs, `pages of ${limit}`);
    }
  } finally {
    store.close();
    await Deno.remove(directory, { recursive: true });
  }
});
