/**
 * The plain table-lookup Reed-Solomon multiplier: one 64 KiB product table, one byte at a
 * time. It is what a straightforward JS implementation does (~0.15-0.3 GB/s here), kept as
 * the benchmark's reference and as an independent cross-check of the WASM kernel in tests.
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { MUL_TABLE } from "./gf256.ts";
import type { RowMultiplier } from "./erasure.ts";

function mulRows(
  coefficients: Uint8Array,
  inputs: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
  length: number,
) {
  const count = inputs.length;
  assert(
    coefficients.length === outputs.length * count,
    "mulRows needs rows x inputs coefficients",
  );
  outputs.forEach((output, r) => {
    output.fill(0, 0, length);
    for (let i = 0; i < count; i++) {
      const c = coefficients[r * count + i]!;
      if (c === 0) continue;
      const products = MUL_TABLE.subarray(c * 256, c * 256 + 256);
      const input = inputs[i]!;
      for (let x = 0; x < length; x++) output[x]! ^= products[input[x]!]!;
    }
  });
}

/** The table-lookup multiplier, for `encodeParity(..., { multiplier: tableMultiplier })`. */
export const tableMultiplier: RowMultiplier = { kind: "table", mulRows };
