/**
 * The few libc calls the FUSE layer makes, through Deno FFI (no C, no addon).
 *
 * /dev/fuse is read synchronously with O_NONBLOCK set (a read with nothing
 * queued returns EAGAIN at once); `pollWait` is poll(2) declared nonblocking:
 * it runs on its own thread and returns a promise, so the JS thread waits for
 * the next request without blocking. `ppoll` waits briefly on the JS thread
 * itself. Replies are short synchronous writes. `umount2` is nonblocking too:
 * unmounting flushes dirty pages through this very process, which must stay
 * free to answer.
 *
 * errno is thread-local: it is readable (via {@link lastErrno}) only right
 * after a synchronous call, never after a nonblocking one.
 *
 * @module
 */

const SYMBOLS = {
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  writev: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  pollWait: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  ppoll: { parameters: ["buffer", "u64", "buffer", "pointer"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  umount2: { parameters: ["buffer", "i32"], result: "i32", nonblocking: true },
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

export const O_RDWR = 0o2;
export const O_CLOEXEC = 0o2000000;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_NONBLOCK = 0o4000;
export const FD_CLOEXEC = 1;
export const POLLIN = 0x1;
export const POLL_GONE = 0x8 | 0x10 | 0x20; // POLLERR | POLLHUP | POLLNVAL
export const MNT_DETACH = 2;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_RDONLY = 1;
export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const MSG_DONTWAIT = 0x40;
export const SOL_SOCKET = 1;
export const SCM_RIGHTS = 1;

/** Opens libc; close it when done (each user opens its own handle). */
export function openLibc(): Libc {
  if (Deno.build.os !== "linux") throw new Error(`Cannot use FUSE on ${Deno.build.os}: Linux only`);
  return Deno.dlopen("libc.so.6", SYMBOLS);
}

/** errno of the last synchronous libc call on this thread. */
export function lastErrno(libc: Libc): number {
  const pointer = libc.symbols.__errno_location();
  return pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
}

/** A NUL-terminated C string. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Whether the fd's FUSE connection is gone (poll reports an error, not "no request yet"). */
export function deviceGone(libc: Libc, fd: number): boolean {
  const pollfd = new Uint8Array(new ArrayBuffer(8));
  const view = new DataView(pollfd.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, POLLIN, true);
  const ready = libc.symbols.poll(pollfd, 1n, 0);
  if (ready < 0) return true;
  return (view.getInt16(6, true) & POLL_GONE) !== 0;
}
