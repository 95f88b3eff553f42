/**
 * Mounting and unmounting a FUSE filesystem, and cleaning up stale mounts.
 *
 * As root we open /dev/fuse ourselves and call mount(2) through FFI with
 * `fd=N,rootmode=40000,user_id=U,group_id=G`; otherwise (or if mount(2) says
 * EPERM) `fusermount3` mounts and hands the descriptor back (see
 * `_fusermount.ts`). A mount whose server died answers ENOTCONN to stat(2):
 * {@link isStaleMount} detects that and {@link cleanStaleMount} unmounts it.
 *
 * Everything here is async and never resolves the mountpoint itself
 * synchronously, so the process that serves a mount may call it safely.
 *
 * @module
 */

import { EBUSY, EIO, ENOTDIR, EPERM, errnoName, FsError } from "../errno.ts";
import { S_IFDIR } from "./abi.ts";
import { fusermountMount, fusermountUnmount } from "./_fusermount.ts";
import {
  cString,
  lastErrno,
  type Libc,
  MNT_DETACH,
  MS_NODEV,
  MS_NOSUID,
  MS_RDONLY,
  O_CLOEXEC,
  O_RDWR,
  openLibc,
} from "./_libc.ts";
import { canonicalMountpoint, findMount } from "./_mountinfo.ts";

export interface MountOptions {
  /** Shown as the mount's source in /proc/mounts. @default "qsfs" */
  fsName?: string;
  /** Shown as the type "fuse.<subtype>". @default "qsfs" */
  subtype?: string;
  /** Let other users in (needs user_allow_other in /etc/fuse.conf without root). @default false */
  allowOther?: boolean;
  /** Let the kernel check permissions from the mode bits. @default false */
  defaultPermissions?: boolean;
  /** @default false */
  readOnly?: boolean;
  /** "auto": mount(2) as root, fusermount3 otherwise or on EPERM. @default "auto" */
  method?: "auto" | "syscall" | "fusermount";
}

/** An open FUSE connection, mounted. Serve `fd` with a FuseSession. */
export interface FuseMount {
  readonly fd: number;
  /** Absolute path. */
  readonly mountpoint: string;
  readonly method: "syscall" | "fusermount";
}

/** Mounts a FUSE filesystem at `mountpoint` (cleaning a stale mount there first). */
export async function mountFuse(
  mountpoint: string,
  options: MountOptions = {},
): Promise<FuseMount> {
  const path = await canonicalMountpoint(mountpoint);
  if (await isFuseMounted(path) && !await cleanStaleMount(path)) {
    throw new FsError(EBUSY, `Cannot mount on ${path}: a live FUSE filesystem is mounted there`);
  }
  const info = await Deno.stat(path);
  if (!info.isDirectory) throw new FsError(ENOTDIR, `Cannot mount on ${path}: not a directory`);
  const method = options.method ?? "auto";
  const libc = openLibc();
  try {
    if (method === "syscall" || (method === "auto" && Deno.uid() === 0)) {
      const fd = mountSyscall(libc, path, options);
      if (fd >= 0) return { fd, mountpoint: path, method: "syscall" };
      if (method === "syscall" || -fd !== EPERM) {
        throw new FsError(-fd, `Cannot mount on ${path}: mount(2) failed with ${errnoName(-fd)}`);
      }
    }
    const fd = await fusermountMount(libc, path, fusermountOptions(options));
    return { fd, mountpoint: path, method: "fusermount" };
  } finally {
    libc.close();
  }
}

/** mount(2) with a fresh /dev/fuse descriptor; returns it, or -errno. */
function mountSyscall(libc: Libc, path: string, options: MountOptions): number {
  const fd = libc.symbols.open(cString("/dev/fuse"), O_RDWR | O_CLOEXEC);
  if (fd < 0) return -lastErrno(libc);
  const data = [
    `fd=${fd}`,
    `rootmode=${S_IFDIR.toString(8)}`,
    `user_id=${Deno.uid()}`,
    `group_id=${Deno.gid()}`,
  ];
  if (options.allowOther) data.push("allow_other");
  if (options.defaultPermissions) data.push("default_permissions");
  let flags = MS_NOSUID | MS_NODEV;
  if (options.readOnly) flags |= MS_RDONLY;
  const result = libc.symbols.mount(
    cString(options.fsName ?? "qsfs"),
    cString(path),
    cString(`fuse.${options.subtype ?? "qsfs"}`),
    BigInt(flags),
    cString(data.join(",")),
  );
  if (result === 0) return fd;
  const errno = lastErrno(libc);
  libc.symbols.close(fd);
  return -errno;
}

function fusermountOptions(options: MountOptions): string {
  const list = [
    "nosuid",
    "nodev",
    `fsname=${options.fsName ?? "qsfs"}`,
    `subtype=${options.subtype ?? "qsfs"}`,
  ];
  if (options.allowOther) list.push("allow_other");
  if (options.defaultPermissions) list.push("default_permissions");
  if (options.readOnly) list.push("ro");
  return list.join(",");
}

/**
 * Unmounts a FUSE mount: umount2(2) as root (falling back to MNT_DETACH when
 * busy), fusermount3 -u otherwise. Resolves false if nothing was mounted there.
 * The serving session then sees ENODEV and ends.
 */
export async function unmountFuse(
  mountpoint: string,
  options: { lazy?: boolean } = {},
): Promise<boolean> {
  const path = await canonicalMountpoint(mountpoint);
  if (await findMount(path) === null) return false;
  const lazy = options.lazy ?? false;
  let done: boolean;
  if (Deno.uid() === 0) {
    const libc = openLibc();
    try {
      // Nonblocking: unmounting may flush through this very process.
      done = await libc.symbols.umount2(cString(path), lazy ? MNT_DETACH : 0) === 0;
      if (!done && !lazy) done = await libc.symbols.umount2(cString(path), MNT_DETACH) === 0;
    } finally {
      libc.close();
    }
  } else {
    done = await fusermountUnmount(path, lazy) || (!lazy && await fusermountUnmount(path, true));
  }
  if (!done && await findMount(path) !== null) throw new FsError(EIO, `Cannot unmount ${path}`);
  return true;
}

/** Whether a FUSE filesystem is mounted at `mountpoint` (live or stale). */
export async function isFuseMounted(mountpoint: string): Promise<boolean> {
  const mount = await findMount(await canonicalMountpoint(mountpoint));
  return mount !== null && (mount.fstype === "fuse" || mount.fstype.startsWith("fuse."));
}

/**
 * Whether `mountpoint` holds a FUSE mount whose server is gone. stat(2) alone
 * can succeed from cached attributes, so the directory is also opened, which
 * always asks the server (OPENDIR) and fails with ENOTCONN when it is gone.
 */
export async function isStaleMount(mountpoint: string): Promise<boolean> {
  if (!await isFuseMounted(mountpoint)) return false;
  try {
    await Deno.stat(mountpoint);
    const dir = await Deno.open(mountpoint, { read: true });
    dir.close();
    return false;
  } catch (error) {
    return (error as { code?: string }).code === "ENOTCONN";
  }
}

/** Unmounts a stale FUSE mount at `mountpoint`; true if there was one. */
export async function cleanStaleMount(mountpoint: string): Promise<boolean> {
  if (!await isStaleMount(mountpoint)) return false;
  return await unmountFuse(mountpoint, { lazy: false });
}
