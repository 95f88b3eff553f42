/**
 * Mount and serve in one call: what `qsfs mount` and the tests use.
 *
 * @module
 */

import { mountFuse, type MountOptions, unmountFuse } from "./mount.ts";
import type { InitInfo, RawFileSystem } from "./raw_fs.ts";
import { FuseSession, type SessionOptions } from "./session.ts";

export interface ServeOptions extends MountOptions, SessionOptions {}

/** A mounted, served filesystem. */
export interface FuseServer {
  /** Absolute path of the mount. */
  readonly mountpoint: string;
  /** Resolves once the kernel's INIT is answered: the mount is usable. */
  readonly ready: Promise<InitInfo>;
  /** Resolves when serving has ended (after an unmount, from here or outside). */
  readonly done: Promise<void>;
  /** Unmounts and waits until serving has ended. */
  unmount(options?: { lazy?: boolean }): Promise<void>;
}

/** Mounts `fs` at `mountpoint` (cleaning a stale mount first) and serves it until unmounted. */
export async function serveFuse(
  fs: RawFileSystem,
  mountpoint: string,
  options: ServeOptions = {},
): Promise<FuseServer> {
  const mount = await mountFuse(mountpoint, options);
  const session = new FuseSession(mount.fd, fs, options);
  const done = session.serve();
  const ended = done.then(
    () =>
      Promise.reject(new Error(`Cannot serve ${mount.mountpoint}: the session ended before INIT`)),
    (error) => Promise.reject(error),
  );
  ended.catch(() => {});
  const ready = Promise.race([session.initialized, ended]);
  return {
    mountpoint: mount.mountpoint,
    ready,
    done,
    async unmount(unmountOptions = {}) {
      await unmountFuse(mount.mountpoint, unmountOptions);
      await done;
    },
  };
}
