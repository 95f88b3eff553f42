/**
 * Systematic Reed-Solomon over GF(2^8): k data shards, m parity shards, any k of the
 * n = k + m rebuild the others, for any k + m <= 255. The matrices are in gf256.ts; the
 * byte loop is a {@link RowMultiplier}: ISA-L when it loads, else the WASM SIMD kernel
 * (native.ts), or the plain table-lookup one (erasure_js.ts) for reference.
 *
 * All shards of one call have the same length. Outputs are written into arrays the caller
 * owns (encode) or freshly allocated (reconstruct); inputs are never modified.
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { assertGeometry, parityMatrix, reconstructionMatrix } from "./gf256.ts";
import { defaultMultiplier } from "./native.ts";

/** outputs[r] = XOR over i of coefficients[r * inputs.length + i] * inputs[i], bytewise. */
export interface RowMultiplier {
  readonly kind: string;
  mulRows(
    coefficients: Uint8Array,
    inputs: readonly Uint8Array[],
    outputs: readonly Uint8Array[],
    length: number,
  ): void;
}

export interface ErasureOptions {
  /** The byte loop. @default ISA-L when it loads, else the WASM kernel (native.ts) */
  multiplier?: RowMultiplier;
}

export type ReconstructResult =
  | { ok: true; shards: Uint8Array[] }
  | { ok: false; reason: "too_few_shards"; present: number; needed: number };

const MATRICES_CACHED_MAX = 64;
const matrices = new Map<string, Uint8Array>();

/** A small cache of matrices: geometries repeat, and inverting a k x k matrix is O(k^3). */
function cachedMatrix(key: string, build: () => Uint8Array): Uint8Array {
  let matrix = matrices.get(key);
  if (matrix === undefined) {
    if (matrices.size >= MATRICES_CACHED_MAX) matrices.delete(matrices.keys().next().value!);
    matrix = build();
    matrices.set(key, matrix);
  }
  return matrix;
}

function shardLength(shards: readonly (Uint8Array | null)[]): number {
  const length = shards.find((shard) => shard !== null)?.length ?? 0;
  for (const shard of shards) {
    assert(shard === null || shard.length === length, "every shard must have the same length");
  }
  return length;
}

/** Computes the m parity shards of the k data shards into `parity` (caller-allocated). */
export function encodeParity(
  data: readonly Uint8Array[],
  parity: readonly Uint8Array[],
  options: ErasureOptions = {},
) {
  assertGeometry(data.length, parity.length);
  const length = shardLength([...data, ...parity]);
  if (parity.length === 0) return;
  const k = data.length;
  const m = parity.length;
  const matrix = cachedMatrix(`p${k}+${m}`, () => parityMatrix(k, m));
  (options.multiplier ?? defaultMultiplier).mulRows(matrix, data, parity, length);
}

/**
 * Rebuilds the missing (null) shards of `shards` (n = dataShards + parity, in index order)
 * from the first k present ones. Returns all n shards (present ones as given), or only the
 * data shards with `dataOnly`; too_few_shards when fewer than k are present.
 */
export function reconstructShards(
  shards: readonly (Uint8Array | null)[],
  dataShards: number,
  options: ErasureOptions & {
    /** Rebuild only missing data shards (what a read needs). @default false */
    dataOnly?: boolean;
    /** Where the rebuilt shards' memory comes from. @default a new Uint8Array */
    allocate?: (bytes: number) => Uint8Array;
  } = {},
): ReconstructResult {
  const parityShards = shards.length - dataShards;
  assertGeometry(dataShards, parityShards);
  const length = shardLength(shards);
  const present: number[] = [];
  const wanted: number[] = [];
  const limit = options.dataOnly ? dataShards : shards.length;
  shards.forEach((shard, index) => {
    if (shard !== null && present.length < dataShards) present.push(index);
    if (shard === null && index < limit) wanted.push(index);
  });
  if (present.length < dataShards) {
    return { ok: false, reason: "too_few_shards", present: present.length, needed: dataShards };
  }
  const result = shards.slice(0, limit) as (Uint8Array | null)[];
  if (wanted.length > 0) {
    const key = `r${dataShards}+${parityShards}:${present.join(",")}>${wanted.join(",")}`;
    const matrix = cachedMatrix(
      key,
      () => reconstructionMatrix(dataShards, parityShards, present, wanted),
    );
    // One allocation for every rebuilt shard.
    const bytes = length * wanted.length;
    const backing = options.allocate?.(bytes) ?? new Uint8Array(bytes);
    const outputs = wanted.map((_, row) => backing.subarray(row * length, (row + 1) * length));
    const inputs = present.map((index) => shards[index]!);
    (options.multiplier ?? defaultMultiplier).mulRows(matrix, inputs, outputs, length);
    wanted.forEach((index, row) => result[index] = outputs[row]!);
  }
  return { ok: true, shards: result as Uint8Array[] };
}
