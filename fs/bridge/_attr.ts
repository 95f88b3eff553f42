/**
 * vfs attributes -> FUSE attributes and entries. Node ids are inode numbers
 * (the root is 1 on both sides), so no table is needed: the vfs never reuses
 * an inode number, so a node id the kernel still remembers can never name
 * another file.
 *
 * @module
 */

import type { Entry, FuseAttr, NodeId } from "../fuse/types.ts";
import type { Attr, Ino } from "../vfs/types.ts";

/** How long the kernel may trust names and attributes, and remember missing names. */
export interface Timeouts {
  entryTimeoutMs: number;
  attrTimeoutMs: number;
  negativeTimeoutMs: number;
}

/** struct fuse_attr of a vfs attribute record. */
export function fuseAttr(attr: Attr): FuseAttr {
  return {
    ino: attr.ino,
    size: attr.sizeBytes,
    blocks: attr.blocks,
    atimeSec: attr.atime.sec,
    atimeNsec: attr.atime.nsec,
    mtimeSec: attr.mtime.sec,
    mtimeNsec: attr.mtime.nsec,
    ctimeSec: attr.ctime.sec,
    ctimeNsec: attr.ctime.nsec,
    mode: attr.mode,
    nlink: attr.nlink,
    uid: attr.uid,
    gid: attr.gid,
    rdev: attr.rdev,
    blksize: attr.blksizeBytes,
  };
}

/** The entry reply for a found or created node. */
export function entryOf(attr: Attr, timeouts: Timeouts): Entry {
  return {
    nodeId: nodeIdOf(attr.ino),
    generation: attr.generation,
    entryTimeoutMs: timeouts.entryTimeoutMs,
    attrTimeoutMs: timeouts.attrTimeoutMs,
    attr: fuseAttr(attr),
  };
}

const NO_ATTR: FuseAttr = {
  ino: 0,
  size: 0,
  blocks: 0,
  atimeSec: 0,
  atimeNsec: 0,
  mtimeSec: 0,
  mtimeNsec: 0,
  ctimeSec: 0,
  ctimeNsec: 0,
  mode: 0,
  nlink: 0,
  uid: 0,
  gid: 0,
  rdev: 0,
  blksize: 0,
};

/**
 * A negative entry: node id 0 tells the kernel the name does not exist and
 * may be remembered so for `negativeTimeoutMs`. Safe because every change of
 * the tree passes through this kernel, which drops the negative entry itself
 * when it creates the name.
 */
export function negativeEntry(timeouts: Timeouts): Entry {
  return {
    nodeId: 0 as NodeId,
    generation: 0,
    entryTimeoutMs: timeouts.negativeTimeoutMs,
    attrTimeoutMs: 0,
    attr: NO_ATTR,
  };
}

/** The node id of an inode: the same number. */
export function nodeIdOf(ino: Ino): NodeId {
  return ino as NodeId;
}
