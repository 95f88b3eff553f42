import assert from "node:assert/strict";
import { EFBIG, EPROTO, FsError } from "../errno.ts";
import * as abi from "./abi.ts";
import { decodeHeader, decodeRequest } from "./decode.ts";
import type { FuseRequest, KnownOpcode, RequestBodies, UnknownRequest } from "./types.ts";

/** Builds a request the way the kernel lays it out, with offsets written out by hand. */
function request(
  opcode: number,
  nodeId: number,
  body: number[] | Uint8Array,
  unique = 42,
): Uint8Array {
  const bytes = new Uint8Array(40 + body.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true); // len
  view.setUint32(4, opcode, true); // opcode
  view.setBigUint64(8, BigInt(unique), true); // unique
  view.setBigUint64(16, BigInt(nodeId), true); // nodeid
  view.setUint32(24, 1000, true); // uid
  view.setUint32(28, 100, true); // gid
  view.setUint32(32, 4321, true); // pid
  bytes.set(body, 40);
  return bytes;
}

/** Little-endian struct builder for request bodies. */
class Body {
  readonly bytes: number[] = [];
  u32(value: number): this {
    for (let i = 0; i < 4; i++) this.bytes.push((value >>> (8 * i)) & 0xff);
    return this;
  }
  u64(value: bigint): this {
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((value >> (8n * i)) & 0xffn));
    return this;
  }
  str(text: string): this {
    this.bytes.push(...new TextEncoder().encode(text), 0);
    return this;
  }
  raw(data: number[]): this {
    this.bytes.push(...data);
    return this;
  }
}

function decoded<K extends KnownOpcode>(bytes: Uint8Array, opcode: K): RequestBodies[K] {
  const result: FuseRequest | UnknownRequest = decodeRequest(bytes);
  assert.equal(result.opcode, opcode);
  return (result as FuseRequest).body as RequestBodies[K];
}

Deno.test("decodeHeader() reads fuse_in_header fields at their offsets", () => {
  const header = decodeHeader(request(abi.Opcode.GETATTR, 0x1_0000_0007, [], 0x2_0000_0010));
  assert.deepEqual(header, {
    len: 40,
    opcode: 3,
    unique: 0x2_0000_0010,
    nodeId: 0x1_0000_0007,
    uid: 1000,
    gid: 100,
    pid: 4321,
  });
});

Deno.test("decodeRequest() decodes LOOKUP as a name in the header's node", () => {
  const body = decoded(
    request(abi.Opcode.LOOKUP, 5, new Body().str("a.txt").bytes),
    abi.Opcode.LOOKUP,
  );
  assert.deepEqual(body, { parent: 5, name: "a.txt" });
});

Deno.test("decodeRequest() decodes SETATTR fields by their valid bits", () => {
  const valid = abi.FATTR_MODE | abi.FATTR_SIZE | abi.FATTR_ATIME | abi.FATTR_ATIME_NOW |
    abi.FATTR_MTIME |
    abi.FATTR_FH;
  const b = new Body().u32(valid).u32(0).u64(9n).u64(4096n).u64(0n)
    .u64(BigInt.asUintN(64, -5n)).u64(BigInt.asUintN(64, -86400n)).u64(0n) // atime, mtime (before 1970), ctime
    .u32(0).u32(123_456_789).u32(0) // nsecs
    .u32(0o100600).u32(0).u32(7).u32(8).u32(0);
  assert.equal(b.bytes.length, abi.SetattrIn.sizeBytes);
  const body = decoded(request(abi.Opcode.SETATTR, 3, b.bytes), abi.Opcode.SETATTR);
  assert.deepEqual(body, {
    nodeId: 3,
    valid,
    fh: 9,
    killSuidgid: false,
    mode: 0o100600,
    size: 4096,
    atime: "now",
    mtime: { sec: -86400, nsec: 123_456_789 },
  });
});

Deno.test("decodeRequest() keeps WRITE data as a view into the request", () => {
  const b = new Body().u64(7n).u64(8192n).u32(3).u32(abi.FUSE_WRITE_CACHE).u64(0n).u32(abi.O_RDWR)
    .u32(0)
    .raw([1, 2, 3]);
  const bytes = request(abi.Opcode.WRITE, 4, b.bytes);
  const body = decoded(bytes, abi.Opcode.WRITE);
  assert.equal(body.fh, 7);
  assert.equal(body.offset, 8192);
  assert.equal(body.writeFlags, abi.FUSE_WRITE_CACHE);
  assert.deepEqual([...body.data], [1, 2, 3]);
  assert.equal(body.data.buffer, bytes.buffer);
});

Deno.test("decodeRequest() refuses a WRITE past 2^53 with EFBIG and clamps a READ there", () => {
  const huge = 1n << 60n;
  const write = new Body().u64(1n).u64(huge).u32(0).u32(0).u64(0n).u32(0).u32(0);
  assert.throws(
    () => decodeRequest(request(abi.Opcode.WRITE, 4, write.bytes)),
    (e) => (e as FsError).errno === EFBIG,
  );
  const read = new Body().u64(1n).u64(huge).u32(4096).u32(0).u64(0n).u32(0).u32(0);
  const body = decoded(request(abi.Opcode.READ, 4, read.bytes), abi.Opcode.READ);
  assert.equal(body.offset, Number.MAX_SAFE_INTEGER);
  assert.equal(body.size, 4096);
});

Deno.test("decodeRequest() decodes RENAME and RENAME2 with both names", () => {
  const rename = decoded(
    request(abi.Opcode.RENAME, 2, new Body().u64(9n).str("old").str("new").bytes),
    abi.Opcode.RENAME,
  );
  assert.deepEqual(rename, { parent: 2, name: "old", newParent: 9, newName: "new", flags: 0 });
  const rename2 = decoded(
    request(
      abi.Opcode.RENAME2,
      2,
      new Body().u64(9n).u32(abi.RENAME_EXCHANGE).u32(0).str("a").str("b").bytes,
    ),
    abi.Opcode.RENAME2,
  );
  assert.deepEqual(rename2, {
    parent: 2,
    name: "a",
    newParent: 9,
    newName: "b",
    flags: abi.RENAME_EXCHANGE,
  });
});

Deno.test("decodeRequest() decodes SYMLINK, LINK, MKNOD, MKDIR and CREATE", () => {
  const symlink = decoded(
    request(abi.Opcode.SYMLINK, 1, new Body().str("l").str("../t").bytes),
    abi.Opcode.SYMLINK,
  );
  assert.deepEqual(symlink, { parent: 1, name: "l", target: "../t" });
  const link = decoded(
    request(abi.Opcode.LINK, 1, new Body().u64(12n).str("h").bytes),
    abi.Opcode.LINK,
  );
  assert.deepEqual(link, { nodeId: 12, newParent: 1, newName: "h" });
  const mknod = decoded(
    request(
      abi.Opcode.MKNOD,
      1,
      new Body().u32(abi.S_IFIFO | 0o644).u32(0).u32(0o022).u32(0).str("p").bytes,
    ),
    abi.Opcode.MKNOD,
  );
  assert.deepEqual(mknod, {
    parent: 1,
    name: "p",
    mode: abi.S_IFIFO | 0o644,
    rdev: 0,
    umask: 0o022,
  });
  const mkdir = decoded(
    request(abi.Opcode.MKDIR, 1, new Body().u32(0o755).u32(0o022).str("d").bytes),
    abi.Opcode.MKDIR,
  );
  assert.deepEqual(mkdir, { parent: 1, name: "d", mode: 0o755, umask: 0o022 });
  const flags = abi.O_WRONLY | abi.O_CREAT | abi.O_EXCL;
  const create = decoded(
    request(
      abi.Opcode.CREATE,
      1,
      new Body().u32(flags).u32(0o100644).u32(0o022).u32(0).str("f").bytes,
    ),
    abi.Opcode.CREATE,
  );
  assert.deepEqual(create, {
    parent: 1,
    name: "f",
    flags,
    mode: 0o100644,
    umask: 0o022,
    openFlags: 0,
  });
});

Deno.test("decodeRequest() decodes BATCH_FORGET records", () => {
  const b = new Body().u32(2).u32(0).u64(5n).u64(1n).u64(6n).u64(3n);
  const body = decoded(request(abi.Opcode.BATCH_FORGET, 0, b.bytes), abi.Opcode.BATCH_FORGET);
  assert.deepEqual(body.items, [{ nodeId: 5, nlookup: 1 }, { nodeId: 6, nlookup: 3 }]);
});

Deno.test("decodeRequest() decodes SETXATTR (8-byte form), GETXATTR and LISTXATTR", () => {
  const set = decoded(
    request(
      abi.Opcode.SETXATTR,
      3,
      new Body().u32(3).u32(abi.XATTR_CREATE).str("user.k").raw([9, 8, 7]).bytes,
    ),
    abi.Opcode.SETXATTR,
  );
  assert.deepEqual({ ...set, value: [...set.value] }, {
    nodeId: 3,
    name: "user.k",
    value: [9, 8, 7],
    flags: abi.XATTR_CREATE,
  });
  const get = decoded(
    request(abi.Opcode.GETXATTR, 3, new Body().u32(64).u32(0).str("user.k").bytes),
    abi.Opcode.GETXATTR,
  );
  assert.deepEqual(get, { nodeId: 3, name: "user.k", size: 64 });
  const list = decoded(
    request(abi.Opcode.LISTXATTR, 3, new Body().u32(0).u32(0).bytes),
    abi.Opcode.LISTXATTR,
  );
  assert.deepEqual(list, { nodeId: 3, size: 0 });
});

Deno.test("decodeRequest() decodes INIT in its 16-byte and 64-byte forms", () => {
  const short = new Body().u32(7).u32(31).u32(131072).u32(abi.FUSE_ASYNC_READ);
  assert.deepEqual(decoded(request(abi.Opcode.INIT, 0, short.bytes), abi.Opcode.INIT), {
    major: 7,
    minor: 31,
    maxReadaheadBytes: 131072,
    flags: abi.FUSE_ASYNC_READ,
    flags2: 0,
  });
  const long = new Body().u32(7).u32(45).u32(131072).u32(abi.FUSE_INIT_EXT).u32(5).raw(
    new Array(44).fill(0),
  );
  assert.equal(long.bytes.length, abi.InitIn.sizeBytes);
  assert.equal(decoded(request(abi.Opcode.INIT, 0, long.bytes), abi.Opcode.INIT).flags2, 5);
});

Deno.test("decodeRequest() decodes LSEEK, FALLOCATE, COPY_FILE_RANGE and INTERRUPT", () => {
  const lseek = decoded(
    request(abi.Opcode.LSEEK, 4, new Body().u64(2n).u64(100n).u32(abi.SEEK_HOLE).u32(0).bytes),
    abi.Opcode.LSEEK,
  );
  assert.deepEqual(lseek, { nodeId: 4, fh: 2, offset: 100, whence: abi.SEEK_HOLE });
  const fallocate = decoded(
    request(
      abi.Opcode.FALLOCATE,
      4,
      new Body().u64(2n).u64(0n).u64(1n << 20n).u32(abi.FALLOC_FL_KEEP_SIZE).u32(0).bytes,
    ),
    abi.Opcode.FALLOCATE,
  );
  assert.deepEqual(fallocate, {
    nodeId: 4,
    fh: 2,
    offset: 0,
    length: 1 << 20,
    mode: abi.FALLOC_FL_KEEP_SIZE,
  });
  const b = new Body().u64(2n).u64(10n).u64(8n).u64(3n).u64(20n).u64(BigInt.asUintN(64, -1n)).u64(
    0n,
  );
  const copy = decoded(request(abi.Opcode.COPY_FILE_RANGE, 4, b.bytes), abi.Opcode.COPY_FILE_RANGE);
  assert.deepEqual(copy, {
    nodeIdIn: 4,
    fhIn: 2,
    offsetIn: 10,
    nodeIdOut: 8,
    fhOut: 3,
    offsetOut: 20,
    length: Number.MAX_SAFE_INTEGER,
    flags: 0,
  });
  const interrupt = decoded(
    request(abi.Opcode.INTERRUPT, 0, new Body().u64(40n).bytes, 41),
    abi.Opcode.INTERRUPT,
  );
  assert.deepEqual(interrupt, { unique: 40 });
});

Deno.test("decodeRequest() refuses a truncated body and a length mismatch with EPROTO", () => {
  const isProto = (e: unknown) => e instanceof FsError && e.errno === EPROTO;
  assert.throws(() => decodeRequest(request(abi.Opcode.READ, 4, [1, 2, 3])), isProto);
  assert.throws(() => decodeRequest(request(abi.Opcode.LOOKUP, 4, [0x61, 0x62])), isProto);
  assert.throws(
    () =>
      decodeRequest(
        request(abi.Opcode.GETATTR, 4, new Body().u32(0).u32(0).u64(0n).bytes).subarray(0, 48),
      ),
    isProto,
  );
  assert.throws(() => decodeRequest(new Uint8Array(10)), isProto);
});

Deno.test("decodeRequest() ignores request extensions after the body", () => {
  const bytes = request(
    abi.Opcode.LOOKUP,
    5,
    new Body().str("x").raw([0, 0, 0, 0, 0, 0, 0, 0xff, 1, 2, 3, 4, 5, 6, 7, 8]).bytes,
  );
  new DataView(bytes.buffer).setUint16(36, 2, true); // total_extlen: 2 * 8 bytes
  assert.deepEqual(decoded(bytes, abi.Opcode.LOOKUP), { parent: 5, name: "x" });
});

Deno.test("decodeRequest() marks opcodes it does not decode as unknown", () => {
  const result = decodeRequest(request(abi.Opcode.GETLK, 4, new Array(48).fill(0)));
  assert.equal(result.opcode, "unknown");
  assert.equal(result.header.opcode, abi.Opcode.GETLK);
});
