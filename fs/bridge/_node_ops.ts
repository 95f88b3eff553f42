/**
 * The bridge's operations on names and nodes: lookup, attributes, making and
 * removing entries, rename, statfs, access and xattrs.
 *
 * @module
 */

import { ENODATA, ENOENT, FsError } from "../errno.ts";
import { decodeName, encodeName, type RawFileSystem } from "../fuse/mod.ts";
import type { Attr, SetattrChanges } from "../vfs/mod.ts";
import { entryOf, fuseAttr, negativeEntry } from "./_attr.ts";
import type { BridgeCore } from "./_core.ts";

type NodeOps = Required<
  Pick<
    RawFileSystem,
    | "lookup"
    | "getattr"
    | "setattr"
    | "readlink"
    | "symlink"
    | "mknod"
    | "mkdir"
    | "link"
    | "unlink"
    | "rmdir"
    | "rename"
    | "statfs"
    | "access"
    | "getxattr"
    | "setxattr"
    | "listxattr"
    | "removexattr"
  >
>;

/**
 * The replies to a missing name or attribute, made once: only their errno goes
 * on the wire, and making an Error per miss cost ~5-25 us (the kernel looks a
 * name up before every create, and asks for security.capability at every
 * chown and before writes).
 */
const NO_ENTRY = new FsError(ENOENT, "Cannot look up the name: no such entry");
const NO_ATTRIBUTE = new FsError(ENODATA, "Cannot get the attribute: no such attribute");

export function nodeOps(core: BridgeCore): NodeOps {
  const { vfs, timeouts } = core;
  const entry = (opcode: string, work: () => Promise<Attr>) =>
    core.call(opcode, work).then((attr) => entryOf(attr, timeouts));
  const attrReply = (opcode: string, work: Promise<Attr>) =>
    core.guard(opcode, work).then((attr) => ({
      attr: fuseAttr(attr),
      attrTimeoutMs: timeouts.attrTimeoutMs,
    }));
  return {
    lookup: (ctx, { parent, name }) =>
      core.guard("LOOKUP", vfs.tryLookup(core.caller(ctx), parent, encodeName(name)))
        .then((attr) => {
          if (attr !== undefined) return entryOf(attr, timeouts);
          if (timeouts.negativeTimeoutMs > 0) return negativeEntry(timeouts);
          throw NO_ENTRY;
        }),
    getattr: (ctx, { nodeId }) => attrReply("GETATTR", vfs.getattr(core.caller(ctx), nodeId)),
    setattr: (ctx, input) =>
      attrReply("SETATTR", vfs.setattr(core.caller(ctx), input.nodeId, setattrChanges(input))),
    readlink: (ctx, { nodeId }) =>
      core.guard("READLINK", vfs.readlink(core.caller(ctx), nodeId)).then(decodeName),
    symlink: (ctx, { parent, name, target }) =>
      entry("SYMLINK", () =>
        vfs.symlink(core.caller(ctx), {
          parent,
          name: encodeName(name),
          target: encodeName(target),
        })),
    mknod: (ctx, { parent, name, mode, rdev, umask }) =>
      entry(
        "MKNOD",
        () => vfs.mknod(core.caller(ctx), { parent, name: encodeName(name), mode, rdev, umask }),
      ),
    mkdir: (ctx, { parent, name, mode, umask }) =>
      entry(
        "MKDIR",
        () => vfs.mkdir(core.caller(ctx), { parent, name: encodeName(name), mode, umask }),
      ),
    link: (ctx, { nodeId, newParent, newName }) =>
      entry(
        "LINK",
        () => vfs.link(core.caller(ctx), { ino: nodeId, newParent, newName: encodeName(newName) }),
      ),
    unlink: (ctx, { parent, name }) =>
      core.call("UNLINK", () => vfs.unlink(core.caller(ctx), parent, encodeName(name))),
    rmdir: (ctx, { parent, name }) =>
      core.call("RMDIR", () => vfs.rmdir(core.caller(ctx), parent, encodeName(name))),
    rename: (ctx, { parent, name, newParent, newName, flags }) =>
      core.call("RENAME", () =>
        vfs.rename(core.caller(ctx), {
          parent,
          name: encodeName(name),
          newParent,
          newName: encodeName(newName),
          flags,
        })),
    statfs: (ctx) =>
      core.guard("STATFS", vfs.statfs(core.caller(ctx))).then((st) => ({
        blocks: st.blocks,
        bfree: st.blocksFree,
        bavail: st.blocksAvailable,
        files: st.files,
        ffree: st.filesFree,
        bsize: st.blockSizeBytes,
        namelen: st.nameBytesMax,
        frsize: st.blockSizeBytes,
      })),
    access: (ctx, { nodeId, mask }) =>
      core.guard("ACCESS", vfs.access(core.caller(ctx), nodeId, mask)),
    getxattr: (ctx, { nodeId, name }) =>
      core.guard("GETXATTR", vfs.tryGetxattr(core.caller(ctx), nodeId, name)).then((value) => {
        if (value === undefined) throw NO_ATTRIBUTE;
        return value;
      }),
    setxattr: (ctx, { nodeId, name, value, flags }) =>
      core.guard("SETXATTR", vfs.setxattr(core.caller(ctx), { ino: nodeId, name, value, flags })),
    listxattr: (ctx, { nodeId }) =>
      core.guard("LISTXATTR", vfs.listxattr(core.caller(ctx), nodeId)),
    removexattr: (ctx, { nodeId, name }) =>
      core.guard("REMOVEXATTR", vfs.removexattr(core.caller(ctx), nodeId, name)),
  };
}

/** SETATTR's fields as vfs changes: only those present. */
function setattrChanges(input: Parameters<NodeOps["setattr"]>[1]): SetattrChanges {
  const changes: SetattrChanges = { killSuidgid: input.killSuidgid };
  if (input.mode !== undefined) changes.mode = input.mode;
  if (input.uid !== undefined) changes.uid = input.uid;
  if (input.gid !== undefined) changes.gid = input.gid;
  if (input.size !== undefined) changes.sizeBytes = input.size;
  if (input.atime !== undefined) changes.atime = input.atime;
  if (input.mtime !== undefined) changes.mtime = input.mtime;
  if (input.fh !== null) changes.fh = input.fh;
  return changes;
}
