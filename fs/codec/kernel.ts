/**
 * Loads the WASM kernel (kernel.wat, embedded as _kernel_wasm.ts) and runs its loops over
 * ordinary Uint8Arrays.
 *
 * WASM reads only its own memory, so inputs are copied in and outputs copied out, a block
 * at a time. The blocks are sized so one round (every input block and every output block)
 * stays within ~256 KiB, in the core's L2 cache: a copy then costs ~0.03 ns per byte
 * (measured 33 GB/s), against ~0.2 ns per byte for the multiplication itself. The memory
 * grows to the largest round seen and is never shared across an `await`: every method here
 * is synchronous, so two callers cannot interleave inside it.
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { KERNEL_PORTABLE_WASM_BASE64, KERNEL_RELAXED_WASM_BASE64 } from "./_kernel_wasm.ts";
import { NIBBLE_TABLES } from "./gf256.ts";

export type KernelKind = "relaxed" | "portable";

interface KernelExports {
  memory: WebAssembly.Memory;
  mul_rows(
    tables: number,
    tableStride: number,
    inputs: number,
    inputStride: number,
    count: number,
    outputs: number,
    outputStride: number,
    rows: number,
    length: number,
  ): void;
  xxh64_reset(state: number, seed: bigint): void;
  xxh64_stripes(state: number, pointer: number, length: number): void;
  xxh64_digest(state: number, seed: bigint, pointer: number, tail: number, total: bigint): bigint;
}

const PAGE_BYTES = 65536;
const HASH_STATE_AT = 0;
const TABLES_AT = 64;
/** Bytes of one round of the Reed-Solomon loop (inputs plus outputs) we aim to stay under. */
const ROUND_BYTES_TARGET = 256 * 1024;
const BLOCK_BYTES_MIN = 1024;
/** The window XXH64 reads through; a multiple of its 32-byte stripe. */
const HASH_WINDOW_BYTES = 64 * 1024;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

export class Kernel {
  readonly kind: KernelKind;
  #exports: KernelExports;
  #view: Uint8Array;

  constructor(kind: KernelKind) {
    const text = kind === "relaxed" ? KERNEL_RELAXED_WASM_BASE64 : KERNEL_PORTABLE_WASM_BASE64;
    const module = new WebAssembly.Module(decodeBase64(text));
    this.kind = kind;
    this.#exports = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    this.#view = new Uint8Array(this.#exports.memory.buffer);
  }

  /** Grows the memory to at least `bytes` and returns a current view of all of it. */
  #reserve(bytes: number): Uint8Array {
    const memory = this.#exports.memory;
    if (memory.buffer.byteLength < bytes) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE_BYTES));
    }
    if (this.#view.buffer !== memory.buffer) this.#view = new Uint8Array(memory.buffer);
    return this.#view;
  }

  /**
   * outputs[r][0, length) = XOR over i of coefficients[r * count + i] * inputs[i][0, length),
   * in GF(2^8), for r < rows. Inputs and outputs must not overlap.
   */
  mulRows(
    coefficients: Uint8Array,
    inputs: readonly Uint8Array[],
    outputs: readonly Uint8Array[],
    length: number,
  ) {
    const count = inputs.length;
    const rows = outputs.length;
    assert(count >= 1, "mulRows needs at least one input");
    assert(coefficients.length === rows * count, "mulRows needs rows x inputs coefficients");
    for (const row of [...inputs, ...outputs]) {
      assert(row.length >= length, "mulRows needs every row at least `length` bytes long");
    }
    if (rows === 0 || length === 0) return;
    const tableStride = rows * 32;
    const inputsAt = roundUp(TABLES_AT + count * tableStride, 64);
    const block = Math.min(
      roundUp(length, 64),
      Math.max(BLOCK_BYTES_MIN, Math.floor(ROUND_BYTES_TARGET / (count + rows) / 64) * 64),
    );
    const outputsAt = inputsAt + count * block;
    const view = this.#reserve(outputsAt + rows * block);
    for (let i = 0; i < count; i++) {
      for (let r = 0; r < rows; r++) {
        const c = coefficients[r * count + i]!;
        view.set(NIBBLE_TABLES.subarray(c * 32, c * 32 + 32), TABLES_AT + i * tableStride + r * 32);
      }
    }
    for (let offset = 0; offset < length; offset += block) {
      const bytes = Math.min(block, length - offset);
      for (let i = 0; i < count; i++) {
        view.set(inputs[i]!.subarray(offset, offset + bytes), inputsAt + i * block);
      }
      // The kernel steps 64 bytes at a time. Bytes past `bytes` in the last block are stale;
      // they only reach output bytes past `bytes`, which are not copied out.
      const length64 = roundUp(bytes, 64);
      this.#exports.mul_rows(
        TABLES_AT,
        tableStride,
        inputsAt,
        block,
        count,
        outputsAt,
        block,
        rows,
        length64,
      );
      for (let r = 0; r < rows; r++) {
        const at = outputsAt + r * block;
        outputs[r]!.set(view.subarray(at, at + bytes), offset);
      }
    }
  }

  /** XXH64 of `bytes` with `seed` (both as unsigned 64-bit). */
  xxh64(bytes: Uint8Array, seed: bigint): bigint {
    const windowAt = 64;
    const view = this.#reserve(windowAt + HASH_WINDOW_BYTES);
    const exports = this.#exports;
    exports.xxh64_reset(HASH_STATE_AT, seed);
    let offset = 0;
    // Whole windows first; the last (partial) window also holds the tail under 32 bytes.
    while (bytes.length - offset > HASH_WINDOW_BYTES) {
      view.set(bytes.subarray(offset, offset + HASH_WINDOW_BYTES), windowAt);
      exports.xxh64_stripes(HASH_STATE_AT, windowAt, HASH_WINDOW_BYTES);
      offset += HASH_WINDOW_BYTES;
    }
    const rest = bytes.length - offset;
    view.set(bytes.subarray(offset), windowAt);
    const stripes = rest - (rest % 32);
    exports.xxh64_stripes(HASH_STATE_AT, windowAt, stripes);
    const hash = exports.xxh64_digest(
      HASH_STATE_AT,
      seed,
      windowAt + stripes,
      rest - stripes,
      BigInt(bytes.length),
    );
    return BigInt.asUintN(64, hash);
  }
}

let shared: Kernel | undefined;

/** The kernel this process uses: relaxed SIMD where the runtime has it, else portable. */
export function defaultKernel(): Kernel {
  if (shared === undefined) {
    try {
      shared = new Kernel("relaxed");
    } catch {
      shared = new Kernel("portable");
    }
  }
  return shared;
}
