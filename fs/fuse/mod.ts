/**
 * fs/fuse: the FUSE kernel protocol, nothing else. No libfuse and no native
 * addon: we read and write /dev/fuse through Deno FFI, as go-fuse and fuser
 * do in Go and Rust. This module knows no storage; a filesystem plugs in by
 * implementing {@link RawFileSystem} (fs/bridge.ts does, over fs/vfs).
 *
 * The process serving a mount must never touch that mount with a synchronous
 * call: the call would wait for a reply only this process's JS thread can
 * write. Use async calls or other processes.
 *
 * ```ts
 * const server = await serveFuse(myFs, "/mnt/qsfs");
 * await server.ready;
 * // ... later
 * await server.unmount();
 * ```
 *
 * @module
 */

export * as abi from "./abi.ts";
export { decodeHeader, decodeRequest } from "./decode.ts";
export { DirentBuffer, DirentPlusBuffer, takesLookup } from "./dirent_buffer.ts";
export { decodeName, encodeName } from "./names.ts";
export type { InitInfo, RawFileSystem, RequestContext } from "./raw_fs.ts";
export { type FuseLogger, FuseSession, type SessionOptions } from "./session.ts";
export {
  cleanStaleMount,
  type FuseMount,
  isFuseMounted,
  isStaleMount,
  mountFuse,
  type MountOptions,
  unmountFuse,
} from "./mount.ts";
export { type FuseServer, serveFuse, type ServeOptions } from "./serve.ts";
export { setReadahead } from "./_mountinfo.ts";
export type * from "./types.ts";
