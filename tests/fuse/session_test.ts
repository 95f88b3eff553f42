/** Session behaviour over a real mount: INTERRUPT, FORGET, error mapping, concurrency. */

import assert from "node:assert/strict";
import { abi } from "../../fs/fuse/mod.ts";
import { takesLookup } from "../../fs/fuse/mod.ts";
import type {
  DirentPlusBuffer,
  NameIn,
  OpenIn,
  OpenReply,
  ReadIn,
  RequestContext,
} from "../../fs/fuse/mod.ts";
import { quietLogger, sh, shOk, waitFor, withMount } from "./_helpers.ts";
import { MemFs } from "./mem_fs.ts";

/** Reads of any file wait until the kernel interrupts them. */
class StuckReadFs extends MemFs {
  readonly started = Promise.withResolvers<void>();
  aborted = false;

  override async open(ctx: RequestContext, input: OpenIn): Promise<OpenReply> {
    // Direct I/O: the reader waits on the request itself, so a signal makes the kernel send INTERRUPT.
    return { ...await super.open(ctx, input), openFlags: abi.FOPEN_DIRECT_IO };
  }

  override read(ctx: RequestContext, _input: ReadIn): Promise<Uint8Array> {
    this.started.resolve();
    return new Promise((_resolve, reject) => {
      ctx.signal.addEventListener("abort", () => {
        this.aborted = true;
        reject(ctx.signal.reason);
      });
    });
  }
}

Deno.test("INTERRUPT aborts the signal of the request it targets", async () => {
  const fs = new StuckReadFs();
  await withMount(fs, async (dir) => {
    const child = new Deno.Command("cat", {
      args: [`${dir}/hello.txt`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await fs.started.promise;
    child.kill("SIGINT");
    const status = await child.status;
    assert.equal(status.success, false);
    await waitFor(() => fs.aborted);
  });
});

Deno.test("FORGET gives back the lookups of an unlinked file", async () => {
  const fs = new MemFs();
  await withMount(fs, async (dir) => {
    await shOk(`echo x > ${dir}/f && stat ${dir}/f >/dev/null`);
    const ino = Number(await shOk(`stat -c %i ${dir}/f`));
    assert.ok((fs.lookups.get(ino) ?? 0) > 0);
    await shOk(`rm ${dir}/f`);
    await waitFor(() => !fs.lookups.has(ino));
  });
});

Deno.test("a non-FsError becomes EIO and is logged with the opcode", async () => {
  class BrokenFs extends MemFs {
    override lookup(ctx: RequestContext, input: NameIn) {
      if (input.name === "boom") throw new TypeError("boom");
      return super.lookup(ctx, input);
    }
  }
  const logger = quietLogger();
  await withMount(new BrokenFs(), async (dir) => {
    assert.match((await sh(`stat ${dir}/boom`)).stderr, /Input\/output error/);
    assert.equal(await shOk(`cat ${dir}/hello.txt`), "hello, fuse\n");
  }, { logger });
  assert.ok(logger.messages.some((m) => m.includes("LOOKUP")), logger.messages.join("\n"));
});

Deno.test("many processes at once are served concurrently and correctly", async () => {
  await withMount(new MemFs(), async (dir) => {
    const count = 16;
    await shOk(
      `for i in $(seq ${count}); do head -c $((i * 100000)) /dev/zero | tr '\\0' x > ${dir}/f$i & done; wait`,
    );
    const sizes = await shOk(`for i in $(seq ${count}); do stat -c %s ${dir}/f$i & done; wait`);
    const expected = Array.from({ length: count }, (_, i) => (i + 1) * 100000).sort((a, b) =>
      a - b
    );
    assert.deepEqual(sizes.trim().split("\n").map(Number).sort((a, b) => a - b), expected);
    const counts = await shOk(`for i in $(seq ${count}); do tr -cd x < ${dir}/f$i | wc -c; done`);
    assert.deepEqual(counts.trim().split("\n").map(Number), expected.slice().sort((a, b) => a - b));
  });
});

/** MemFs with READDIRPLUS: entries come with their attributes. */
class PlusFs extends MemFs {
  plusCalls = 0;

  async readdirplus(_ctx: RequestContext, input: ReadIn, out: DirentPlusBuffer): Promise<void> {
    this.plusCalls++;
    const entries = this.listDir(input.nodeId);
    for (let i = input.offset; i < entries.length; i++) {
      const [name, node] = entries[i]!;
      const type = (node.mode & abi.S_IFMT) >> 12;
      const found = name === "." || name === ".." ? null : this.entryOf(node);
      if (!out.add({ ino: node.ino, offset: i + 1, name, type }, found)) {
        // Not sent: give back the lookup entryOf() counted.
        if (found !== null && takesLookup(name, found)) {
          this.forget({ nodeId: found.nodeId, nlookup: 1 });
        }
        break;
      }
    }
    await Promise.resolve();
  }
}

Deno.test("READDIRPLUS lists entries with attributes for ls -l", async () => {
  const fs = new PlusFs();
  await withMount(fs, async (dir) => {
    const listing = await shOk(`ls -l ${dir}`);
    assert.match(listing, /-rw-r--r-- 1 root root 12 .* hello\.txt/);
    assert.match(listing, /drwxr-xr-x 2 root root +0 .* sub/);
    assert.ok(fs.plusCalls > 0);
  }, { readdirplus: "always" });
});

Deno.test("the writeback cache keeps written bytes intact through unmount", async () => {
  await withMount(new MemFs(), async (dir, server) => {
    const info = await server.ready;
    assert.notEqual(info.reply.flags & abi.FUSE_WRITEBACK_CACHE, 0);
    const root = dir.slice(0, -"/mnt".length);
    await shOk(`head -c 3000000 /dev/urandom > ${root}/src && cp ${root}/src ${dir}/copy`);
    await shOk(`cmp ${root}/src ${dir}/copy && rm ${root}/src`);
  }, { writebackCache: true });
});
