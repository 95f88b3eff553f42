/**
 * The writer of tests/fs/crash_test.ts, run as its own process:
 *
 *     deno run -A tests/fs/_crash_writer.ts DIR
 *
 * Writes files under DIR without end (until an error, such as ENOTCONN once
 * the mount's server is killed), each with the content {@link fileBytes}
 * gives its name. A file counts as durable once it and its directory were
 * fsynced; only then is it printed as `synced NAME`. Every fourth file is only
 * written and closed, without fsync (`closed NAME`). Some files are written
 * under a temporary name and renamed into place (`tmp/` then `dN/`), and some
 * older durable files are unlinked (`unlinking NAME` before, `unlinked NAME`
 * after the directory's fsync). Every line goes to stdout as it happens.
 */

const SIZES = [0, 1, 4095, 4096, 65_537, 300_000, 1_048_579, 4_194_304 + 7, 5_000_000];
const RENAME_DIRS = 3;

/** The content of the file called `name` (relative to DIR): a pseudo-random function of it. */
export function fileBytes(name: string): Uint8Array {
  const index = Number(/f(\d+)$/.exec(name)?.[1] ?? "0");
  const bytes = new Uint8Array(SIZES[(index * 7) % SIZES.length]!);
  let state = (index + 1) * 2654435761 >>> 0;
  const words = new Uint32Array(bytes.buffer, 0, bytes.length >>> 2);
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  for (let i = words.length * 4; i < bytes.length; i++) bytes[i] = i & 0xff;
  return bytes;
}

async function fsyncPath(path: string): Promise<void> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.sync();
  } finally {
    file.close();
  }
}

async function writeFile(path: string, bytes: Uint8Array, sync: boolean): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let done = 0; done < bytes.length;) {
      done += await file.write(bytes.subarray(done, done + 1024 * 1024));
    }
    if (sync) await file.sync();
  } finally {
    file.close();
  }
}

async function main(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/tmp`, { recursive: true });
  for (let d = 0; d < RENAME_DIRS; d++) await Deno.mkdir(`${dir}/d${d}`, { recursive: true });
  await fsyncPath(dir);
  const durable: string[] = [];
  for (let i = 0;; i++) {
    const renamed = i % 3 === 0;
    const name = renamed ? `d${i % RENAME_DIRS}/f${i}` : `f${i}`;
    console.log(`writing ${name}`);
    if (renamed) {
      await writeFile(`${dir}/tmp/f${i}`, fileBytes(name), true);
      await Deno.rename(`${dir}/tmp/f${i}`, `${dir}/${name}`);
      await fsyncPath(`${dir}/tmp`);
      await fsyncPath(`${dir}/d${i % RENAME_DIRS}`);
    } else if (i % 4 === 1) {
      await writeFile(`${dir}/${name}`, fileBytes(name), false);
      // Deno's close() cannot report a failed close(2) (the file is dropped): when the server
      // died during the FLUSH, close "succeeds" without the data. The connection is gone for
      // good then, so an open after it (always asked of the server, never cached) fails
      // (ENOTCONN): the file counts as closed only once the server answered that open.
      (await Deno.open(`${dir}/${name}`, { read: true })).close();
      console.log(`closed ${name}`);
      continue;
    } else {
      await writeFile(`${dir}/${name}`, fileBytes(name), true);
      await fsyncPath(dir);
    }
    console.log(`synced ${name}`);
    durable.push(name);
    if (i % 5 === 4) {
      const victim = durable.splice(durable.length >> 1, 1)[0]!;
      console.log(`unlinking ${victim}`);
      await Deno.remove(`${dir}/${victim}`);
      await fsyncPath(`${dir}/${victim.includes("/") ? victim.split("/")[0] : ""}`);
      console.log(`unlinked ${victim}`);
    }
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args[0]!);
  } catch (error) {
    console.log(`stopped ${(error as { code?: string }).code ?? String(error)}`);
    Deno.exit(3);
  }
}
