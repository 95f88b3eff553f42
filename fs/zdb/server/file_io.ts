/** Small synchronous file helpers shared by the segment log and the namespace store. */

/** Reads into `into` from `offset` until it is full or the file ends; returns bytes read. */
export function readFully(file: Deno.FsFile, offset: number, into: Uint8Array): number {
  file.seekSync(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < into.length) {
    const read = file.readSync(into.subarray(filled));
    if (read === null || read === 0) break;
    filled += read;
  }
  return filled;
}

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
