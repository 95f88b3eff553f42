/**
 * READDIR and READDIRPLUS over vfs readdir: entries from the kernel's offset
 * on, as many as fit the kernel's buffer. The vfs is asked for about as many
 * entries as the smallest records would fill; whatever does not fit is asked
 * for again by the kernel from the last offset it got.
 *
 * @module
 */

import { abi, decodeName, type DirentBuffer, type DirentPlusBuffer } from "../fuse/mod.ts";
import type { ReadIn } from "../fuse/types.ts";
import type { CallContext, DirEntry, Vfs } from "../vfs/mod.ts";
import { entryOf, type Timeouts } from "./_attr.ts";

/** The buffer to fill: plain names, or names with their attributes. */
export type ListingOut = { plain: DirentBuffer; plus?: undefined } | {
  plain?: undefined;
  plus: DirentPlusBuffer;
};

/** The smallest record with a name of up to 8 bytes. */
const DIRENT_BYTES_MIN = abi.Dirent.sizeBytes + 8;
const DIRENTPLUS_BYTES_MIN = abi.Direntplus.dirent + DIRENT_BYTES_MIN;
/** Entries asked of the vfs per call, at most (a kernel buffer is usually one page). */
const ENTRIES_PER_CALL_MAX = 1024;

/** Fills `out` with the entries of directory handle `input.fh` after `input.offset`. */
export async function listDirectory(
  vfs: Vfs,
  caller: CallContext,
  input: ReadIn,
  out: ListingOut,
  timeouts: Timeouts,
): Promise<void> {
  const recordBytesMin = out.plus === undefined ? DIRENT_BYTES_MIN : DIRENTPLUS_BYTES_MIN;
  const limit = Math.max(1, Math.min(ENTRIES_PER_CALL_MAX, Math.ceil(input.size / recordBytesMin)));
  const entries = await vfs.readdir(caller, { fh: input.fh, offset: input.offset, limit });
  for (const entry of entries) {
    if (!add(entry, out, timeouts)) break;
  }
}

function add(entry: DirEntry, out: ListingOut, timeouts: Timeouts): boolean {
  const wire = {
    ino: entry.ino,
    offset: entry.offset,
    name: decodeName(entry.name),
    type: entry.type,
  };
  if (out.plus === undefined) return out.plain.add(wire);
  // The kernel takes no lookup reference for "." and "..", so they need no attributes.
  const dots = wire.name === "." || wire.name === "..";
  return out.plus.add(wire, dots ? null : entryOf(entry.attr, timeouts));
}
