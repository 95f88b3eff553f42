/** Small synchronous file helpers shared by the segment log and the namespace store. */
// Reading at an offset is fs/positional_file.ts (readFully), shared with the vfs.

/** Writes all of `bytes` at the file's current position. */
export function writeFully(file: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}

/** Makes a directory's entries (new, renamed or removed files) durable. */
export function fsyncDirectory(path: string): void {
  const dir = Deno.openSync(path, { read: true });
  try {
    dir.syncSync();
  } finally {
    dir.close();
  }
}

/** Replaces a file atomically: write a temporary file, fsync it, rename it over, fsync the directory. */
export function writeFileAtomically(dir: string, name: string, bytes: Uint8Array): void {
  const temporary = `${dir}/${name}.tmp`;
  const file = Deno.openSync(temporary, { write: true, create: true, truncate: true, mode: 0o600 });
  try {
    writeFully(file, bytes);
    file.syncSync();
  } finally {
    file.close();
  }
  Deno.renameSync(temporary, `${dir}/${name}`);
  fsyncDirectory(dir);
}
