/**
 * Mounting without privileges: `fusermount3` (setuid root) opens /dev/fuse,
 * mounts, and sends the descriptor back over a Unix socket as SCM_RIGHTS
 * ancillary data with one byte of payload. The socket's number reaches it in
 * `_FUSE_COMMFD`; the child inherits it because we create it without CLOEXEC.
 *
 * @module
 */

import { EIO, FsError } from "../errno.ts";
import {
  AF_UNIX,
  F_SETFD,
  FD_CLOEXEC,
  type Libc,
  MSG_DONTWAIT,
  SCM_RIGHTS,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./_libc.ts";

const FUSERMOUNT = "fusermount3";

/** Runs fusermount3 to mount `mountpoint` with `-o options`; returns the FUSE descriptor. */
export async function fusermountMount(
  libc: Libc,
  mountpoint: string,
  options: string,
): Promise<number> {
  const pair = new Int32Array(new ArrayBuffer(8));
  if (libc.symbols.socketpair(AF_UNIX, SOCK_STREAM, 0, pair) !== 0) {
    throw new FsError(EIO, "Cannot create a socketpair for fusermount3");
  }
  const [ours, theirs] = [pair[0]!, pair[1]!];
  libc.symbols.fcntl(ours, F_SETFD, FD_CLOEXEC);
  try {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(FUSERMOUNT, {
        args: ["-o", options, "--", mountpoint],
        env: { _FUSE_COMMFD: String(theirs) },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
    } finally {
      libc.symbols.close(theirs);
    }
    if (!output.success) {
      const message = new TextDecoder().decode(output.stderr).trim();
      throw new FsError(
        EIO,
        `Cannot mount ${mountpoint} with ${FUSERMOUNT}: ${message || `exit ${output.code}`}`,
      );
    }
    const fd = receiveFd(libc, ours);
    libc.symbols.fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
  } finally {
    libc.symbols.close(ours);
  }
}

/** Runs `fusermount3 -u [-z] mountpoint`; true on success. */
export async function fusermountUnmount(mountpoint: string, lazy: boolean): Promise<boolean> {
  const args = lazy ? ["-u", "-z", "--", mountpoint] : ["-u", "--", mountpoint];
  const output = await new Deno.Command(FUSERMOUNT, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  })
    .output();
  return output.success;
}

/** recvmsg(2) of one byte plus one SCM_RIGHTS descriptor (LP64 struct layouts). */
function receiveFd(libc: Libc, socket: number): number {
  const payload = new Uint8Array(new ArrayBuffer(8));
  const iovec = new DataView(new ArrayBuffer(16));
  const control = new DataView(new ArrayBuffer(64));
  const msghdr = new DataView(new ArrayBuffer(56));
  iovec.setBigUint64(0, pointerOf(payload), true);
  iovec.setBigUint64(8, 1n, true);
  msghdr.setBigUint64(16, pointerOf(iovec), true); // msg_iov
  msghdr.setBigUint64(24, 1n, true); // msg_iovlen
  msghdr.setBigUint64(32, pointerOf(control), true); // msg_control
  msghdr.setBigUint64(40, BigInt(control.byteLength), true); // msg_controllen
  const received = Number(
    libc.symbols.recvmsg(socket, new Uint8Array(msghdr.buffer), MSG_DONTWAIT),
  );
  if (received < 0) throw new FsError(EIO, `${FUSERMOUNT} exited without sending a descriptor`);
  const controlBytes = Number(msghdr.getBigUint64(40, true));
  // struct cmsghdr: size_t cmsg_len; int cmsg_level; int cmsg_type; then the fd.
  if (
    controlBytes < 20 || control.getInt32(8, true) !== SOL_SOCKET ||
    control.getInt32(12, true) !== SCM_RIGHTS
  ) {
    throw new FsError(EIO, `${FUSERMOUNT} sent no SCM_RIGHTS descriptor`);
  }
  return control.getInt32(16, true);
}

function pointerOf(view: ArrayBufferView<ArrayBuffer>): bigint {
  return BigInt(
    Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(view.buffer, view.byteOffset))),
  );
}
