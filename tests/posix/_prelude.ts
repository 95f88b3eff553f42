/**
 * The Python prelude every POSIX-case snippet runs after: exact syscalls (including
 * renameat2, utimensat with UTIME_NOW/UTIME_OMIT and fallocate through ctypes) and
 * helpers that turn OSError into errno names. argv[1] is the case directory; the
 * snippet runs with its cwd there and umask 022, and reports with `out(value)`.
 */

export const PYTHON_PRELUDE = String.raw`
import ctypes, errno, json, os, stat, sys
os.chdir(sys.argv[1])
os.umask(0o022)
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
FALLOC_FL_KEEP_SIZE = 1

def _check(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

def renameat2(old, new, flags):
    libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    _check(libc.renameat2(AT_FDCWD, os.fsencode(old), AT_FDCWD, os.fsencode(new), flags))

class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

def utimensat(path, atime, mtime, nofollow=False):
    """atime/mtime: ns since the epoch, or UTIME_NOW / UTIME_OMIT (as tv_nsec)."""
    def ts(v):
        return _Timespec(0, v) if v in (UTIME_NOW, UTIME_OMIT) else _Timespec(v // 10**9, v % 10**9)
    times = (_Timespec * 2)(ts(atime), ts(mtime))
    libc.utimensat.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
    _check(libc.utimensat(AT_FDCWD, os.fsencode(path), times, 0x100 if nofollow else 0))

def fallocate(fd, mode, offset, length):
    libc.fallocate64.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    _check(libc.fallocate64(fd, mode, offset, length))

def E(f, *a, **k):
    """Calls f; returns "OK" or the errno name it failed with."""
    try:
        f(*a, **k)
        return "OK"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def V(f, *a, **k):
    """Calls f; returns its result, or the errno name it failed with."""
    try:
        return f(*a, **k)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))

def st(path, follow=False):
    s = os.stat(path, follow_symlinks=follow)
    kinds = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket"}
    return {"type": kinds.get(stat.S_IFMT(s.st_mode), "other"), "mode": stat.S_IMODE(s.st_mode),
            "size": s.st_size, "nlink": s.st_nlink, "uid": s.st_uid, "gid": s.st_gid, "ino": s.st_ino,
            "blocks": s.st_blocks, "atime": s.st_atime_ns, "mtime": s.st_mtime_ns, "ctime": s.st_ctime_ns}

def put(path, data, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)

def pub(name, mode=0o777, owner=None):
    """A directory with exactly mode (umask ignored), optionally chowned to (uid, gid)."""
    os.mkdir(name)
    if owner is not None:
        os.chown(name, *owner)
    os.chmod(name, mode)

def get(path):
    with open(path, "rb") as f:
        return f.read()

def _jsonable(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return str(v) if abs(v) > 2**53 else v
    if isinstance(v, (bytes, bytearray)):
        return v.decode("latin-1")
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v

def out(v):
    sys.stdout.write("\n@@" + json.dumps(_jsonable(v)) + "\n")
    sys.stdout.flush()
`;
