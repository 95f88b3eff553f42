import assert from "node:assert/strict";
import { ENOSYS, ERANGE, FsError } from "../errno.ts";
import * as abi from "./abi.ts";
import { dispatch } from "./dispatch.ts";
import type { RawFileSystem, RequestContext } from "./raw_fs.ts";
import type { FileHandle, FuseRequest, NodeId, RequestHeader } from "./types.ts";

const CTX: RequestContext = {
  unique: 2,
  uid: 0,
  gid: 0,
  pid: 1,
  signal: new AbortController().signal,
};

function header(opcode: number): RequestHeader {
  return { len: 0, opcode, unique: 2, nodeId: 5 as NodeId, uid: 0, gid: 0, pid: 1 };
}

function req<R extends FuseRequest>(opcode: R["opcode"], body: R["body"]): FuseRequest {
  return { opcode, header: header(opcode), body } as FuseRequest;
}

const isErrno = (errno: number) => (e: unknown) => e instanceof FsError && e.errno === errno;
const READ_IN = {
  nodeId: 5 as NodeId,
  fh: 1 as FileHandle,
  offset: 0,
  size: 4,
  readFlags: 0,
  flags: 0,
};

Deno.test("dispatch() replies ENOSYS for a method the filesystem lacks", async () => {
  await assert.rejects(
    dispatch({}, CTX, req(abi.Opcode.LOOKUP, { parent: 1 as NodeId, name: "x" })),
    isErrno(ENOSYS),
  );
  await assert.rejects(dispatch({}, CTX, req(abi.Opcode.READ, READ_IN)), isErrno(ENOSYS));
});

Deno.test("dispatch() gives libfuse's defaults for OPEN, RELEASE and STATFS", async () => {
  const open = await dispatch(
    {},
    CTX,
    req(abi.Opcode.OPEN, { nodeId: 5 as NodeId, flags: 0, openFlags: 0 }),
  );
  assert.equal(open?.length, abi.OpenOut.sizeBytes);
  const release = {
    nodeId: 5 as NodeId,
    fh: 0 as FileHandle,
    flags: 0,
    releaseFlags: 0,
    lockOwner: 0n,
  };
  assert.equal(await dispatch({}, CTX, req(abi.Opcode.RELEASE, release)), null);
  const statfs = await dispatch({}, CTX, req(abi.Opcode.STATFS, { nodeId: 1 as NodeId }));
  assert.equal(new DataView(statfs!.buffer).getUint32(abi.StatfsOut.namelen, true), 255);
});

Deno.test("dispatch() answers xattr size queries and ERANGE itself", async () => {
  const fs: RawFileSystem = {
    getxattr: () => Promise.resolve(Uint8Array.from([1, 2, 3])),
    listxattr: () => Promise.resolve(["user.a", "user.b"]),
  };
  const get = (size: number) =>
    dispatch(fs, CTX, req(abi.Opcode.GETXATTR, { nodeId: 5 as NodeId, name: "user.a", size }));
  assert.deepEqual([...(await get(0))!], [3, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...(await get(3))!], [1, 2, 3]);
  await assert.rejects(get(2), isErrno(ERANGE));
  const list = await dispatch(fs, CTX, req(abi.Opcode.LISTXATTR, { nodeId: 5 as NodeId, size: 0 }));
  assert.deepEqual([...list!], [14, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("dispatch() passes READ data through and trims it to the size asked", async () => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const fs: RawFileSystem = { read: () => Promise.resolve(data) };
  const body = await dispatch(fs, CTX, req(abi.Opcode.READ, READ_IN));
  assert.deepEqual([...body!], [1, 2, 3, 4]);
  assert.equal(body!.buffer, data.buffer);
});

Deno.test("dispatch() routes RENAME and RENAME2 to rename()", async () => {
  const seen: number[] = [];
  const fs: RawFileSystem = {
    rename: (_ctx, input) => {
      seen.push(input.flags);
      return Promise.resolve();
    },
  };
  const body = { parent: 1 as NodeId, name: "a", newParent: 1 as NodeId, newName: "b", flags: 0 };
  await dispatch(fs, CTX, req(abi.Opcode.RENAME, body));
  await dispatch(fs, CTX, req(abi.Opcode.RENAME2, { ...body, flags: abi.RENAME_NOREPLACE }));
  assert.deepEqual(seen, [0, abi.RENAME_NOREPLACE]);
});
