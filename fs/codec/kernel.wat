;; The codec's hot loops, as WebAssembly (SIMD128). Assembled by scripts/build_wasm.ts
;; into fs/codec/_kernel_wasm.ts; nothing needs wabt at run time.
;;
;; 1. GF(2^8) multiply-accumulate for Reed-Solomon ("split nibble"): for each output row r,
;;      out[r] = XOR over inputs i of c[r][i] * in[i]
;;    A product c * x is linear in x, so c * x = c * (x & 0x0f) ^ c * (x & 0xf0): two 16-entry
;;    tables per coefficient and two swizzles do 16 multiplications at once
;;    (klauspost/reedsolomon galois_amd64.go does the same with pshufb).
;;    The swizzle is i8x16.relaxed_swizzle: its indices here are always below 16, where it is
;;    exactly i8x16.swizzle, and V8 then emits a bare pshufb instead of pshufb plus a
;;    saturating add (measured: 16+4 encode 3.3 -> 4.8 GB/s). scripts/build_wasm.ts also
;;    builds a copy with plain i8x16.swizzle for runtimes without relaxed SIMD.
;;    Tables: for input i and row r, 32 bytes at tables + i * table_stride + r * 32:
;;    16 bytes of c * n (n = 0..15), then 16 bytes of c * (n << 4).
;;    Input rows are `input_stride` bytes apart, output rows `output_stride`; `length` is a
;;    multiple of 64 (the caller pads), and every row must have `length` bytes readable or
;;    writable from its start.
;;    Each step keeps up to 16 accumulators (4 rows x 4 vectors) in registers and reads every
;;    input once per group of 4 rows, so the memory traffic is (inputs + outputs) per 4 rows.
;;
;; 2. XXH64 (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md), split in
;;    reset / stripes / digest so a caller can hash a long buffer through a small window.
(module
  (memory (export "memory") 1)

  ;; ---------------------------------------------------------------- Reed-Solomon

  ;; Computes rows [0, rows) of the product, in groups of 4, then 2, then 1.
  (func (export "mul_rows")
    (param $tables i32) (param $table_stride i32) (param $inputs i32) (param $input_stride i32)
    (param $count i32) (param $outputs i32) (param $output_stride i32) (param $rows i32)
    (param $length i32)
    (block $done
      (loop $groups
        (br_if $done (i32.lt_u (local.get $rows) (i32.const 4)))
        (call $rows4 (local.get $tables) (local.get $table_stride) (local.get $inputs)
          (local.get $input_stride) (local.get $count) (local.get $outputs)
          (local.get $output_stride) (local.get $length))
        (local.set $tables (i32.add (local.get $tables) (i32.const 128)))
        (local.set $outputs
          (i32.add (local.get $outputs) (i32.shl (local.get $output_stride) (i32.const 2))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 4)))
        (br $groups)))
    (if (i32.ge_u (local.get $rows) (i32.const 2))
      (then
        (call $rows2 (local.get $tables) (local.get $table_stride) (local.get $inputs)
          (local.get $input_stride) (local.get $count) (local.get $outputs)
          (local.get $output_stride) (local.get $length))
        (local.set $tables (i32.add (local.get $tables) (i32.const 64)))
        (local.set $outputs
          (i32.add (local.get $outputs) (i32.shl (local.get $output_stride) (i32.const 1))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 2)))))
    (if (local.get $rows)
      (then
        (call $rows1 (local.get $tables) (local.get $table_stride) (local.get $inputs)
          (local.get $input_stride) (local.get $count) (local.get $outputs)
          (local.get $output_stride) (local.get $length)))))

  ;; Rows r of the product for one group of 4, 2 or 1 rows, 64 bytes (4 vectors) per step: the
  ;; two table vectors of a coefficient are loaded once and used on 4 vectors of input, and
  ;; the accumulators stay in registers across all the inputs (measured, 16+4 in memory:
  ;; 16 bytes per step 4.9 GB/s, 32 bytes 6.9 GB/s, 64 bytes 7.6 GB/s).
  (func $rows4
    (param $tables i32) (param $table_stride i32) (param $inputs i32) (param $input_stride i32)
    (param $count i32) (param $outputs i32) (param $output_stride i32) (param $length i32)
    (local $position i32) (local $source i32) (local $target i32) (local $table i32)
    (local $left i32) (local $mask v128) (local $low v128) (local $high v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $l0 v128) (local $h0 v128) (local $l1 v128) (local $h1 v128)
    (local $l2 v128) (local $h2 v128) (local $l3 v128) (local $h3 v128)
    (local $a0_0 v128) (local $a0_1 v128) (local $a0_2 v128) (local $a0_3 v128)
    (local $a1_0 v128) (local $a1_1 v128) (local $a1_2 v128) (local $a1_3 v128)
    (local $a2_0 v128) (local $a2_1 v128) (local $a2_2 v128) (local $a2_3 v128)
    (local $a3_0 v128) (local $a3_1 v128) (local $a3_2 v128) (local $a3_3 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $position) (local.get $length)))
        (local.set $a0_0 (v128.const i64x2 0 0))
        (local.set $a0_1 (v128.const i64x2 0 0))
        (local.set $a0_2 (v128.const i64x2 0 0))
        (local.set $a0_3 (v128.const i64x2 0 0))
        (local.set $a1_0 (v128.const i64x2 0 0))
        (local.set $a1_1 (v128.const i64x2 0 0))
        (local.set $a1_2 (v128.const i64x2 0 0))
        (local.set $a1_3 (v128.const i64x2 0 0))
        (local.set $a2_0 (v128.const i64x2 0 0))
        (local.set $a2_1 (v128.const i64x2 0 0))
        (local.set $a2_2 (v128.const i64x2 0 0))
        (local.set $a2_3 (v128.const i64x2 0 0))
        (local.set $a3_0 (v128.const i64x2 0 0))
        (local.set $a3_1 (v128.const i64x2 0 0))
        (local.set $a3_2 (v128.const i64x2 0 0))
        (local.set $a3_3 (v128.const i64x2 0 0))
        (local.set $source (i32.add (local.get $inputs) (local.get $position)))
        (local.set $table (local.get $tables))
        (local.set $left (local.get $count))
        (loop $sources
          (local.set $x0 (v128.load offset=0 (local.get $source)))
          (local.set $l0 (v128.and (local.get $x0) (local.get $mask)))
          (local.set $h0 (v128.and (i16x8.shr_u (local.get $x0) (i32.const 4)) (local.get $mask)))
          (local.set $x1 (v128.load offset=16 (local.get $source)))
          (local.set $l1 (v128.and (local.get $x1) (local.get $mask)))
          (local.set $h1 (v128.and (i16x8.shr_u (local.get $x1) (i32.const 4)) (local.get $mask)))
          (local.set $x2 (v128.load offset=32 (local.get $source)))
          (local.set $l2 (v128.and (local.get $x2) (local.get $mask)))
          (local.set $h2 (v128.and (i16x8.shr_u (local.get $x2) (i32.const 4)) (local.get $mask)))
          (local.set $x3 (v128.load offset=48 (local.get $source)))
          (local.set $l3 (v128.and (local.get $x3) (local.get $mask)))
          (local.set $h3 (v128.and (i16x8.shr_u (local.get $x3) (i32.const 4)) (local.get $mask)))
          (local.set $low (v128.load offset=0 (local.get $table)))
          (local.set $high (v128.load offset=16 (local.get $table)))
          (local.set $a0_0 (v128.xor (local.get $a0_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a0_1 (v128.xor (local.get $a0_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a0_2 (v128.xor (local.get $a0_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a0_3 (v128.xor (local.get $a0_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $low (v128.load offset=32 (local.get $table)))
          (local.set $high (v128.load offset=48 (local.get $table)))
          (local.set $a1_0 (v128.xor (local.get $a1_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a1_1 (v128.xor (local.get $a1_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a1_2 (v128.xor (local.get $a1_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a1_3 (v128.xor (local.get $a1_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $low (v128.load offset=64 (local.get $table)))
          (local.set $high (v128.load offset=80 (local.get $table)))
          (local.set $a2_0 (v128.xor (local.get $a2_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a2_1 (v128.xor (local.get $a2_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a2_2 (v128.xor (local.get $a2_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a2_3 (v128.xor (local.get $a2_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $low (v128.load offset=96 (local.get $table)))
          (local.set $high (v128.load offset=112 (local.get $table)))
          (local.set $a3_0 (v128.xor (local.get $a3_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a3_1 (v128.xor (local.get $a3_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a3_2 (v128.xor (local.get $a3_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a3_3 (v128.xor (local.get $a3_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $source (i32.add (local.get $source) (local.get $input_stride)))
          (local.set $table (i32.add (local.get $table) (local.get $table_stride)))
          (br_if $sources (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))
        (local.set $target (i32.add (local.get $outputs) (local.get $position)))
        (v128.store offset=0 (local.get $target) (local.get $a0_0))
        (v128.store offset=16 (local.get $target) (local.get $a0_1))
        (v128.store offset=32 (local.get $target) (local.get $a0_2))
        (v128.store offset=48 (local.get $target) (local.get $a0_3))
        (local.set $target (i32.add (local.get $target) (local.get $output_stride)))
        (v128.store offset=0 (local.get $target) (local.get $a1_0))
        (v128.store offset=16 (local.get $target) (local.get $a1_1))
        (v128.store offset=32 (local.get $target) (local.get $a1_2))
        (v128.store offset=48 (local.get $target) (local.get $a1_3))
        (local.set $target (i32.add (local.get $target) (local.get $output_stride)))
        (v128.store offset=0 (local.get $target) (local.get $a2_0))
        (v128.store offset=16 (local.get $target) (local.get $a2_1))
        (v128.store offset=32 (local.get $target) (local.get $a2_2))
        (v128.store offset=48 (local.get $target) (local.get $a2_3))
        (local.set $target (i32.add (local.get $target) (local.get $output_stride)))
        (v128.store offset=0 (local.get $target) (local.get $a3_0))
        (v128.store offset=16 (local.get $target) (local.get $a3_1))
        (v128.store offset=32 (local.get $target) (local.get $a3_2))
        (v128.store offset=48 (local.get $target) (local.get $a3_3))
        (local.set $position (i32.add (local.get $position) (i32.const 64)))
        (br $positions))))

  (func $rows2
    (param $tables i32) (param $table_stride i32) (param $inputs i32) (param $input_stride i32)
    (param $count i32) (param $outputs i32) (param $output_stride i32) (param $length i32)
    (local $position i32) (local $source i32) (local $target i32) (local $table i32)
    (local $left i32) (local $mask v128) (local $low v128) (local $high v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $l0 v128) (local $h0 v128) (local $l1 v128) (local $h1 v128)
    (local $l2 v128) (local $h2 v128) (local $l3 v128) (local $h3 v128)
    (local $a0_0 v128) (local $a0_1 v128) (local $a0_2 v128) (local $a0_3 v128)
    (local $a1_0 v128) (local $a1_1 v128) (local $a1_2 v128) (local $a1_3 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $position) (local.get $length)))
        (local.set $a0_0 (v128.const i64x2 0 0))
        (local.set $a0_1 (v128.const i64x2 0 0))
        (local.set $a0_2 (v128.const i64x2 0 0))
        (local.set $a0_3 (v128.const i64x2 0 0))
        (local.set $a1_0 (v128.const i64x2 0 0))
        (local.set $a1_1 (v128.const i64x2 0 0))
        (local.set $a1_2 (v128.const i64x2 0 0))
        (local.set $a1_3 (v128.const i64x2 0 0))
        (local.set $source (i32.add (local.get $inputs) (local.get $position)))
        (local.set $table (local.get $tables))
        (local.set $left (local.get $count))
        (loop $sources
          (local.set $x0 (v128.load offset=0 (local.get $source)))
          (local.set $l0 (v128.and (local.get $x0) (local.get $mask)))
          (local.set $h0 (v128.and (i16x8.shr_u (local.get $x0) (i32.const 4)) (local.get $mask)))
          (local.set $x1 (v128.load offset=16 (local.get $source)))
          (local.set $l1 (v128.and (local.get $x1) (local.get $mask)))
          (local.set $h1 (v128.and (i16x8.shr_u (local.get $x1) (i32.const 4)) (local.get $mask)))
          (local.set $x2 (v128.load offset=32 (local.get $source)))
          (local.set $l2 (v128.and (local.get $x2) (local.get $mask)))
          (local.set $h2 (v128.and (i16x8.shr_u (local.get $x2) (i32.const 4)) (local.get $mask)))
          (local.set $x3 (v128.load offset=48 (local.get $source)))
          (local.set $l3 (v128.and (local.get $x3) (local.get $mask)))
          (local.set $h3 (v128.and (i16x8.shr_u (local.get $x3) (i32.const 4)) (local.get $mask)))
          (local.set $low (v128.load offset=0 (local.get $table)))
          (local.set $high (v128.load offset=16 (local.get $table)))
          (local.set $a0_0 (v128.xor (local.get $a0_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a0_1 (v128.xor (local.get $a0_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a0_2 (v128.xor (local.get $a0_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a0_3 (v128.xor (local.get $a0_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $low (v128.load offset=32 (local.get $table)))
          (local.set $high (v128.load offset=48 (local.get $table)))
          (local.set $a1_0 (v128.xor (local.get $a1_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a1_1 (v128.xor (local.get $a1_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a1_2 (v128.xor (local.get $a1_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a1_3 (v128.xor (local.get $a1_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $source (i32.add (local.get $source) (local.get $input_stride)))
          (local.set $table (i32.add (local.get $table) (local.get $table_stride)))
          (br_if $sources (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))
        (local.set $target (i32.add (local.get $outputs) (local.get $position)))
        (v128.store offset=0 (local.get $target) (local.get $a0_0))
        (v128.store offset=16 (local.get $target) (local.get $a0_1))
        (v128.store offset=32 (local.get $target) (local.get $a0_2))
        (v128.store offset=48 (local.get $target) (local.get $a0_3))
        (local.set $target (i32.add (local.get $target) (local.get $output_stride)))
        (v128.store offset=0 (local.get $target) (local.get $a1_0))
        (v128.store offset=16 (local.get $target) (local.get $a1_1))
        (v128.store offset=32 (local.get $target) (local.get $a1_2))
        (v128.store offset=48 (local.get $target) (local.get $a1_3))
        (local.set $position (i32.add (local.get $position) (i32.const 64)))
        (br $positions))))

  (func $rows1
    (param $tables i32) (param $table_stride i32) (param $inputs i32) (param $input_stride i32)
    (param $count i32) (param $outputs i32) (param $output_stride i32) (param $length i32)
    (local $position i32) (local $source i32) (local $target i32) (local $table i32)
    (local $left i32) (local $mask v128) (local $low v128) (local $high v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $l0 v128) (local $h0 v128) (local $l1 v128) (local $h1 v128)
    (local $l2 v128) (local $h2 v128) (local $l3 v128) (local $h3 v128)
    (local $a0_0 v128) (local $a0_1 v128) (local $a0_2 v128) (local $a0_3 v128)
    (local.set $mask (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (block $done
      (loop $positions
        (br_if $done (i32.ge_u (local.get $position) (local.get $length)))
        (local.set $a0_0 (v128.const i64x2 0 0))
        (local.set $a0_1 (v128.const i64x2 0 0))
        (local.set $a0_2 (v128.const i64x2 0 0))
        (local.set $a0_3 (v128.const i64x2 0 0))
        (local.set $source (i32.add (local.get $inputs) (local.get $position)))
        (local.set $table (local.get $tables))
        (local.set $left (local.get $count))
        (loop $sources
          (local.set $x0 (v128.load offset=0 (local.get $source)))
          (local.set $l0 (v128.and (local.get $x0) (local.get $mask)))
          (local.set $h0 (v128.and (i16x8.shr_u (local.get $x0) (i32.const 4)) (local.get $mask)))
          (local.set $x1 (v128.load offset=16 (local.get $source)))
          (local.set $l1 (v128.and (local.get $x1) (local.get $mask)))
          (local.set $h1 (v128.and (i16x8.shr_u (local.get $x1) (i32.const 4)) (local.get $mask)))
          (local.set $x2 (v128.load offset=32 (local.get $source)))
          (local.set $l2 (v128.and (local.get $x2) (local.get $mask)))
          (local.set $h2 (v128.and (i16x8.shr_u (local.get $x2) (i32.const 4)) (local.get $mask)))
          (local.set $x3 (v128.load offset=48 (local.get $source)))
          (local.set $l3 (v128.and (local.get $x3) (local.get $mask)))
          (local.set $h3 (v128.and (i16x8.shr_u (local.get $x3) (i32.const 4)) (local.get $mask)))
          (local.set $low (v128.load offset=0 (local.get $table)))
          (local.set $high (v128.load offset=16 (local.get $table)))
          (local.set $a0_0 (v128.xor (local.get $a0_0) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l0))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h0)))))
          (local.set $a0_1 (v128.xor (local.get $a0_1) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l1))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h1)))))
          (local.set $a0_2 (v128.xor (local.get $a0_2) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l2))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h2)))))
          (local.set $a0_3 (v128.xor (local.get $a0_3) (v128.xor
            (i8x16.relaxed_swizzle (local.get $low) (local.get $l3))
            (i8x16.relaxed_swizzle (local.get $high) (local.get $h3)))))
          (local.set $source (i32.add (local.get $source) (local.get $input_stride)))
          (local.set $table (i32.add (local.get $table) (local.get $table_stride)))
          (br_if $sources (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))
        (local.set $target (i32.add (local.get $outputs) (local.get $position)))
        (v128.store offset=0 (local.get $target) (local.get $a0_0))
        (v128.store offset=16 (local.get $target) (local.get $a0_1))
        (v128.store offset=32 (local.get $target) (local.get $a0_2))
        (v128.store offset=48 (local.get $target) (local.get $a0_3))
        (local.set $position (i32.add (local.get $position) (i32.const 64)))
        (br $positions))))

  ;; ---------------------------------------------------------------- XXH64

  (global $P1 i64 (i64.const 0x9E3779B185EBCA87))
  (global $P2 i64 (i64.const 0xC2B2AE3D27D4EB4F))
  (global $P3 i64 (i64.const 0x165667B19E3779F9))
  (global $P4 i64 (i64.const 0x85EBCA77C2B2AE63))
  (global $P5 i64 (i64.const 0x27D4EB2F165667C5))

  (func $round (param $acc i64) (param $lane i64) (result i64)
    (i64.mul
      (i64.rotl (i64.add (local.get $acc) (i64.mul (local.get $lane) (global.get $P2)))
        (i64.const 31))
      (global.get $P1)))

  (func $merge (param $hash i64) (param $acc i64) (result i64)
    (i64.add
      (i64.mul
        (i64.xor (local.get $hash) (call $round (i64.const 0) (local.get $acc)))
        (global.get $P1))
      (global.get $P4)))

  ;; The state is 4 lanes (32 bytes) at $state.
  (func (export "xxh64_reset") (param $state i32) (param $seed i64)
    (i64.store offset=0 (local.get $state)
      (i64.add (i64.add (local.get $seed) (global.get $P1)) (global.get $P2)))
    (i64.store offset=8 (local.get $state) (i64.add (local.get $seed) (global.get $P2)))
    (i64.store offset=16 (local.get $state) (local.get $seed))
    (i64.store offset=24 (local.get $state) (i64.sub (local.get $seed) (global.get $P1))))

  ;; Folds [pointer, pointer + length) into the lanes; length is a multiple of 32.
  (func (export "xxh64_stripes") (param $state i32) (param $pointer i32) (param $length i32)
    (local $v1 i64) (local $v2 i64) (local $v3 i64) (local $v4 i64) (local $end i32)
    (local.set $v1 (i64.load offset=0 (local.get $state)))
    (local.set $v2 (i64.load offset=8 (local.get $state)))
    (local.set $v3 (i64.load offset=16 (local.get $state)))
    (local.set $v4 (i64.load offset=24 (local.get $state)))
    (local.set $end (i32.add (local.get $pointer) (local.get $length)))
    (block $done
      (loop $stripes
        (br_if $done (i32.ge_u (local.get $pointer) (local.get $end)))
        (local.set $v1 (call $round (local.get $v1) (i64.load offset=0 (local.get $pointer))))
        (local.set $v2 (call $round (local.get $v2) (i64.load offset=8 (local.get $pointer))))
        (local.set $v3 (call $round (local.get $v3) (i64.load offset=16 (local.get $pointer))))
        (local.set $v4 (call $round (local.get $v4) (i64.load offset=24 (local.get $pointer))))
        (local.set $pointer (i32.add (local.get $pointer) (i32.const 32)))
        (br $stripes)))
    (i64.store offset=0 (local.get $state) (local.get $v1))
    (i64.store offset=8 (local.get $state) (local.get $v2))
    (i64.store offset=16 (local.get $state) (local.get $v3))
    (i64.store offset=24 (local.get $state) (local.get $v4)))

  ;; Finishes a hash of $total bytes whose last $tail (< 32) bytes are at $pointer and whose
  ;; earlier bytes went through xxh64_stripes.
  (func (export "xxh64_digest")
    (param $state i32) (param $seed i64) (param $pointer i32) (param $tail i32)
    (param $total i64) (result i64)
    (local $hash i64) (local $end i32)
    (if (i64.ge_u (local.get $total) (i64.const 32))
      (then
        (local.set $hash (i64.add (i64.add (i64.add
          (i64.rotl (i64.load offset=0 (local.get $state)) (i64.const 1))
          (i64.rotl (i64.load offset=8 (local.get $state)) (i64.const 7)))
          (i64.rotl (i64.load offset=16 (local.get $state)) (i64.const 12)))
          (i64.rotl (i64.load offset=24 (local.get $state)) (i64.const 18))))
        (local.set $hash (call $merge (local.get $hash) (i64.load offset=0 (local.get $state))))
        (local.set $hash (call $merge (local.get $hash) (i64.load offset=8 (local.get $state))))
        (local.set $hash (call $merge (local.get $hash) (i64.load offset=16 (local.get $state))))
        (local.set $hash (call $merge (local.get $hash) (i64.load offset=24 (local.get $state)))))
      (else (local.set $hash (i64.add (local.get $seed) (global.get $P5)))))
    (local.set $hash (i64.add (local.get $hash) (local.get $total)))
    (local.set $end (i32.add (local.get $pointer) (local.get $tail)))
    (block $done
      (loop $words
        (br_if $done (i32.gt_u (i32.add (local.get $pointer) (i32.const 8)) (local.get $end)))
        (local.set $hash (i64.xor (local.get $hash)
          (call $round (i64.const 0) (i64.load (local.get $pointer)))))
        (local.set $hash (i64.add
          (i64.mul (i64.rotl (local.get $hash) (i64.const 27)) (global.get $P1))
          (global.get $P4)))
        (local.set $pointer (i32.add (local.get $pointer) (i32.const 8)))
        (br $words)))
    (if (i32.le_u (i32.add (local.get $pointer) (i32.const 4)) (local.get $end))
      (then
        (local.set $hash (i64.xor (local.get $hash)
          (i64.mul (i64.load32_u (local.get $pointer)) (global.get $P1))))
        (local.set $hash (i64.add
          (i64.mul (i64.rotl (local.get $hash) (i64.const 23)) (global.get $P2))
          (global.get $P3)))
        (local.set $pointer (i32.add (local.get $pointer) (i32.const 4)))))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $pointer) (local.get $end)))
        (local.set $hash (i64.xor (local.get $hash)
          (i64.mul (i64.load8_u (local.get $pointer)) (global.get $P5))))
        (local.set $hash
          (i64.mul (i64.rotl (local.get $hash) (i64.const 11)) (global.get $P1)))
        (local.set $pointer (i32.add (local.get $pointer) (i32.const 1)))
        (br $bytes)))
    (local.set $hash (i64.xor (local.get $hash) (i64.shr_u (local.get $hash) (i64.const 33))))
    (local.set $hash (i64.mul (local.get $hash) (global.get $P2)))
    (local.set $hash (i64.xor (local.get $hash) (i64.shr_u (local.get $hash) (i64.const 29))))
    (local.set $hash (i64.mul (local.get $hash) (global.get $P3)))
    (i64.xor (local.get $hash) (i64.shr_u (local.get $hash) (i64.const 32)))))
