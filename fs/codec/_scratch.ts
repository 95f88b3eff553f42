/**
 * Reused scratch buffers for a chunk's temporaries (rebuilt shards, a decrypted body about
 * to be decompressed, the plaintext of a verification decode).
 *
 * A fresh 1 MiB Uint8Array costs ~0.15-0.2 ms here (page faults and GC of external
 * memory), as much as encrypting it, so temporaries come from this pool. A buffer belongs
 * to one caller between take() and give(), across awaits too; at most SCRATCH_IDLE_MAX idle
 * buffers are kept, which bounds the pool at SCRATCH_IDLE_MAX times the largest chunk.
 *
 * @module
 */

const SCRATCH_IDLE_MAX = 4;
const idle: ArrayBuffer[] = [];

/** A buffer of `bytes` bytes with unspecified contents; give it back when done. */
export function takeScratch(bytes: number): Uint8Array {
  const index = idle.findIndex((buffer) => buffer.byteLength >= bytes);
  if (index >= 0) {
    const [buffer] = idle.splice(index, 1);
    return new Uint8Array(buffer!, 0, bytes);
  }
  // Round up so chunks of slightly different sizes reuse one buffer.
  const size = Math.max(4096, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
  return new Uint8Array(new ArrayBuffer(size), 0, bytes);
}

/** Returns buffers from takeScratch(); the caller must not touch them afterwards. */
export function giveScratch(...buffers: Uint8Array[]) {
  for (const bytes of buffers) {
    const buffer = bytes.buffer as ArrayBuffer;
    if (idle.includes(buffer)) continue;
    idle.push(buffer);
    // Keep the largest: they serve every size.
    idle.sort((a, b) => a.byteLength - b.byteLength);
    if (idle.length > SCRATCH_IDLE_MAX) idle.shift();
  }
}
