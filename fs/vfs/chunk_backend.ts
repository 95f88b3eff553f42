/**
 * {@link ChunkBackend}: where the vfs keeps file data, one fixed-size chunk at
 * a time. The first implementation keeps chunks as files in a directory
 * (disk_chunk_backend.ts); the chunk store over ZDB nodes implements the same
 * interface, so the vfs does not change when data moves to the grid.
 *
 * @module
 */

/** How much a backend holds and may hold, for statfs. */
export interface ChunkBackendUsage {
  usedBytes: number;
  capacityBytes: number;
}

/**
 * Stores chunks: byte strings of at most the filesystem's chunk size. A chunk
 * is written once under a ref that is never reused, so a ref always names the
 * same bytes; the vfs replaces a chunk by writing a new one and deleting the
 * old one after the chunk map points at the new one.
 *
 * Errors are `FsError`s: ENOSPC when full, ENOENT from `get` for a ref it
 * does not hold, EIO when the storage fails.
 */
export interface ChunkBackend {
  /**
   * Stores `data` and returns the ref to keep in the chunk map. With
   * `chunkRef` (made by {@link newChunkRef} and recorded by the caller before
   * the call), the returned ref is `chunkRef` or embeds it, and `delete(chunkRef)`
   * finds what this put stored even if the caller never saw the result: that is
   * how the vfs cleans up after a crash between put and commit. A backend may keep `data`
   * itself (the write-back backend uploads it later): the caller never changes it afterwards.
   */
  put(data: Uint8Array, chunkRef?: string): Promise<string>;
  /** The bytes stored under `chunkRef`. The caller does not modify them. */
  get(chunkRef: string): Promise<Uint8Array>;
  /**
   * Optional: `lengthBytes` bytes of a chunk from `offset` (fewer at its end), for small
   * random reads that should not load a whole chunk. Backends that must decode whole
   * chunks (the chunk store) leave it out.
   */
  getRange?(chunkRef: string, offset: number, lengthBytes: number): Promise<Uint8Array>;
  /**
   * Optional: starts loading chunks a sequential reader is about to want, without waiting
   * (backends whose reads cross a network use it; local disks have the kernel's readahead).
   */
  prefetch?(chunkRefs: readonly string[]): void;
  /** Removes a chunk; removing one that is not there succeeds. */
  delete(chunkRef: string): Promise<void>;
  /** Returns when every chunk put so far survives a power loss. */
  sync(): Promise<void>;
  usage(): ChunkBackendUsage;
}

/** A fresh chunk ref: 32 random hex digits. */
export function newChunkRef(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
