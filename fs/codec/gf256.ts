/**
 * Arithmetic in GF(2^8) and the Reed-Solomon matrices, in plain TypeScript.
 *
 * The field is GF(2)[x] / (x^8 + x^4 + x^3 + x^2 + 1) (0x11d) with generator 2, the field
 * of ISA-L, klauspost/reedsolomon and Backblaze. Addition is XOR.
 *
 * The code is systematic: shard i < k is data row i itself, parity row j is the Cauchy row
 * c[j][i] = 1 / ((k + j) XOR i). Every square submatrix of a Cauchy matrix is invertible,
 * so [identity; Cauchy] has every k x k row selection invertible: any k of the n shards
 * rebuild the rest, for any k + m <= 256 (we cap n at 255 so a shard index fits a byte
 * with room for "none"). This is ISA-L's gf_gen_cauchy1_matrix and klauspost's
 * WithCauchyMatrix, so their output is the same as ours; the matrix is part of the format
 * (FORMAT.md) and must never change within a version.
 *
 * @module
 */
import { assert } from "../_assert.ts";

export const SHARDS_MAX = 255;
const POLYNOMIAL = 0x11d;

/** exp[i] = 2^i for i in [0, 510), doubled so exp[log a + log b] needs no modulo. */
const EXP = new Uint8Array(510);
/** log[a] for a in [1, 256); log[0] is unused. */
const LOG = new Uint8Array(256);
/** MUL[a * 256 + b] = a * b: the 64 KiB table the reference implementation reads. */
export const MUL_TABLE = new Uint8Array(256 * 256);
/**
 * For each c, 32 bytes: c * n for n in [0, 16) then c * (n << 4): the split-nibble tables
 * the WASM kernel swizzles through.
 */
export const NIBBLE_TABLES = new Uint8Array(256 * 32);

function buildTables() {
  let value = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = value;
    EXP[i + 255] = value;
    LOG[value] = i;
    value <<= 1;
    if (value & 0x100) value ^= POLYNOMIAL;
  }
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) MUL_TABLE[a * 256 + b] = slowMultiply(a, b);
    for (let n = 0; n < 16; n++) {
      NIBBLE_TABLES[a * 32 + n] = MUL_TABLE[a * 256 + n]!;
      NIBBLE_TABLES[a * 32 + 16 + n] = MUL_TABLE[a * 256 + (n << 4)]!;
    }
  }
}

function slowMultiply(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

buildTables();

export function gfMultiply(a: number, b: number): number {
  return MUL_TABLE[(a << 8) | b]!;
}

export function gfInverse(a: number): number {
  assert(a !== 0, "Cannot invert 0 in GF(2^8)");
  return EXP[255 - LOG[a]!]!;
}

/** Checks a geometry: 1 <= k, 0 <= m, k + m <= 255. A bad one is a programmer error. */
export function assertGeometry(dataShards: number, parityShards: number) {
  assert(Number.isInteger(dataShards), `dataShards must be an integer: ${dataShards}`);
  assert(Number.isInteger(parityShards), `parityShards must be an integer: ${parityShards}`);
  assert(dataShards >= 1, `dataShards must be at least 1: ${dataShards}`);
  assert(parityShards >= 0, `parityShards must not be negative: ${parityShards}`);
  assert(
    dataShards + parityShards <= SHARDS_MAX,
    `dataShards + parityShards must be at most ${SHARDS_MAX}: ${dataShards + parityShards}`,
  );
}

/** The m x k parity rows (row-major): c[j][i] = 1 / ((k + j) XOR i). */
export function parityMatrix(dataShards: number, parityShards: number): Uint8Array {
  assertGeometry(dataShards, parityShards);
  const matrix = new Uint8Array(parityShards * dataShards);
  for (let j = 0; j < parityShards; j++) {
    for (let i = 0; i < dataShards; i++) {
      matrix[j * dataShards + i] = gfInverse((dataShards + j) ^ i);
    }
  }
  return matrix;
}

/** Row `index` of the n x k generator matrix: a unit row for data, a Cauchy row for parity. */
function generatorRow(parity: Uint8Array, dataShards: number, index: number): Uint8Array {
  if (index < dataShards) {
    const row = new Uint8Array(dataShards);
    row[index] = 1;
    return row;
  }
  const start = (index - dataShards) * dataShards;
  return parity.slice(start, start + dataShards);
}

/** Inverts a square matrix (row-major, size x size) by Gauss-Jordan elimination. */
export function invertMatrix(matrix: Uint8Array, size: number): Uint8Array {
  assert(matrix.length === size * size, "invertMatrix needs a square matrix");
  const work = matrix.slice();
  const inverse = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) inverse[i * size + i] = 1;
  for (let column = 0; column < size; column++) {
    let pivot = column;
    while (pivot < size && work[pivot * size + column] === 0) pivot++;
    assert(pivot < size, "invertMatrix was given a singular matrix");
    if (pivot !== column) {
      swapRows(work, size, pivot, column);
      swapRows(inverse, size, pivot, column);
    }
    const scale = gfInverse(work[column * size + column]!);
    scaleRow(work, size, column, scale);
    scaleRow(inverse, size, column, scale);
    for (let row = 0; row < size; row++) {
      const factor = work[row * size + column]!;
      if (row === column || factor === 0) continue;
      addScaledRow(work, size, row, column, factor);
      addScaledRow(inverse, size, row, column, factor);
    }
  }
  return inverse;
}

function swapRows(matrix: Uint8Array, size: number, a: number, b: number) {
  for (let i = 0; i < size; i++) {
    const t = matrix[a * size + i]!;
    matrix[a * size + i] = matrix[b * size + i]!;
    matrix[b * size + i] = t;
  }
}

function scaleRow(matrix: Uint8Array, size: number, row: number, factor: number) {
  for (let i = 0; i < size; i++) {
    matrix[row * size + i] = gfMultiply(matrix[row * size + i]!, factor);
  }
}

/** matrix[target] ^= factor * matrix[source]. */
function addScaledRow(
  matrix: Uint8Array,
  size: number,
  target: number,
  source: number,
  factor: number,
) {
  for (let i = 0; i < size; i++) {
    matrix[target * size + i]! ^= gfMultiply(matrix[source * size + i]!, factor);
  }
}

/**
 * The coefficients that rebuild shards `wanted` from the k shards `present` (indexes into
 * the n shards, each list ascending): a wanted.length x k matrix, row-major, whose column i
 * multiplies shard present[i].
 */
export function reconstructionMatrix(
  dataShards: number,
  parityShards: number,
  present: readonly number[],
  wanted: readonly number[],
): Uint8Array {
  assert(present.length === dataShards, "reconstruction needs exactly k present shards");
  const parity = parityMatrix(dataShards, parityShards);
  const chosen = new Uint8Array(dataShards * dataShards);
  present.forEach((index, row) => {
    chosen.set(generatorRow(parity, dataShards, index), row * dataShards);
  });
  // data = inverse * present; shard w = generatorRow(w) * data = (row(w) * inverse) * present.
  const inverse = invertMatrix(chosen, dataShards);
  const result = new Uint8Array(wanted.length * dataShards);
  wanted.forEach((index, row) => {
    const generator = generatorRow(parity, dataShards, index);
    for (let i = 0; i < dataShards; i++) {
      let sum = 0;
      for (let j = 0; j < dataShards; j++) {
        sum ^= gfMultiply(generator[j]!, inverse[j * dataShards + i]!);
      }
      result[row * dataShards + i] = sum;
    }
  });
  return result;
}
