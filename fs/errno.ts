/**
 * POSIX errno values (Linux numbering, the same on x86_64 and aarch64) and
 * {@link FsError}, the one error type the filesystem layers throw.
 *
 * errno is the filesystem's vocabulary: vfs throws `new FsError(ENOENT, ...)`,
 * and the FUSE layer replies `-errno`. Anything else thrown is a bug and becomes EIO.
 *
 * @module
 */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const EPIPE = 32;
export const EDOM = 33;
export const ERANGE = 34;
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENOLCK = 37;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const ENOMSG = 42;
export const ENODATA = 61;
export const ETIME = 62;
export const ENOLINK = 67;
export const EPROTO = 71;
export const EBADMSG = 74;
export const EOVERFLOW = 75;
export const EILSEQ = 84;
export const EUSERS = 87;
export const ENOTSOCK = 88;
export const EMSGSIZE = 90;
export const EOPNOTSUPP = 95;
/** Linux uses the same value for ENOTSUP and EOPNOTSUPP. */
export const ENOTSUP = 95;
export const EADDRINUSE = 98;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const ENOTCONN = 107;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTUNREACH = 113;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ESTALE = 116;
export const EDQUOT = 122;
export const ECANCELED = 125;
/** The xattr does not exist: Linux spells ENOATTR as ENODATA. */
export const ENOATTR = ENODATA;

const NAMES: Record<number, string> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [ESRCH]: "ESRCH",
  [EINTR]: "EINTR",
  [EIO]: "EIO",
  [ENXIO]: "ENXIO",
  [E2BIG]: "E2BIG",
  [ENOEXEC]: "ENOEXEC",
  [EBADF]: "EBADF",
  [ECHILD]: "ECHILD",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
  [EXDEV]: "EXDEV",
  [ENODEV]: "ENODEV",
  [ENOTDIR]: "ENOTDIR",
  [EISDIR]: "EISDIR",
  [EINVAL]: "EINVAL",
  [ENFILE]: "ENFILE",
  [EMFILE]: "EMFILE",
  [ENOTTY]: "ENOTTY",
  [ETXTBSY]: "ETXTBSY",
  [EFBIG]: "EFBIG",
  [ENOSPC]: "ENOSPC",
  [ESPIPE]: "ESPIPE",
  [EROFS]: "EROFS",
  [EMLINK]: "EMLINK",
  [EPIPE]: "EPIPE",
  [EDOM]: "EDOM",
  [ERANGE]: "ERANGE",
  [EDEADLK]: "EDEADLK",
  [ENAMETOOLONG]: "ENAMETOOLONG",
  [ENOLCK]: "ENOLCK",
  [ENOSYS]: "ENOSYS",
  [ENOTEMPTY]: "ENOTEMPTY",
  [ELOOP]: "ELOOP",
  [ENOMSG]: "ENOMSG",
  [ENODATA]: "ENODATA",
  [ETIME]: "ETIME",
  [ENOLINK]: "ENOLINK",
  [EPROTO]: "EPROTO",
  [EBADMSG]: "EBADMSG",
  [EOVERFLOW]: "EOVERFLOW",
  [EILSEQ]: "EILSEQ",
  [EUSERS]: "EUSERS",
  [ENOTSOCK]: "ENOTSOCK",
  [EMSGSIZE]: "EMSGSIZE",
  [EOPNOTSUPP]: "EOPNOTSUPP",
  [EADDRINUSE]: "EADDRINUSE",
  [ENETDOWN]: "ENETDOWN",
  [ENETUNREACH]: "ENETUNREACH",
  [ECONNABORTED]: "ECONNABORTED",
  [ECONNRESET]: "ECONNRESET",
  [ENOBUFS]: "ENOBUFS",
  [ENOTCONN]: "ENOTCONN",
  [ETIMEDOUT]: "ETIMEDOUT",
  [ECONNREFUSED]: "ECONNREFUSED",
  [EHOSTUNREACH]: "EHOSTUNREACH",
  [EALREADY]: "EALREADY",
  [EINPROGRESS]: "EINPROGRESS",
  [ESTALE]: "ESTALE",
  [EDQUOT]: "EDQUOT",
  [ECANCELED]: "ECANCELED",
};

/** The symbolic name of an errno value (`errnoName(2) === "ENOENT"`), or `"E<n>"` if unknown. */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? `E${errno}`;
}

/**
 * An operating error with a POSIX errno: the filesystem layers throw it, the
 * FUSE layer replies `-errno`. Messages follow Deno style:
 * `Cannot look up entry "a.txt" in inode 42: no such entry`.
 */
export class FsError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
    this.name = "FsError";
  }

  /** The symbolic errno name, e.g. `"ENOENT"`. */
  get code(): string {
    return errnoName(this.errno);
  }
}
