// int8-gemm-core.wgsl: the tiled int8 x int8 -> int32 GEMM shared by dense-int8.wgsl and
// conv2d-int8.wgsl (the host concatenates: dot4 snippet + int64-math + requantize + this + op).
//
//   acc[batch, m, n] = sum_k (A[batch, m, k] - za[m]) * (B[batch, n, k] - zb[n]) + bias[n]
//
// The op file supplies the operand gathers and the output layout:
//   fn load_a(batch, m, k) -> i32   A as a signed 8-bit value (uint8 data arrives as x - 128;
//   fn load_b(batch, n, k) -> i32   the zero points are shifted the same way, so x - zx is unchanged)
//   fn a_group(batch) -> u32 / fn b_group(batch) -> u32   indices for zero points and channels
//   fn out_index(batch, m, n) -> u32
// Bindings (group 0) owned here: 0 output (atomic u32: int32 values, or 8-bit values packed 4 per
// word little endian and OR-ed in, so the buffer must be zeroed), 1 stats (2 atomic u32 per output
// channel: overflow count, max |exact acc| clamped to u32), 2 tables (i32: zero points, bias,
// requantize data, B column sums, op tables at the offsets in `gemm`), 3 gemm (uniform GemmParams).
// Split dispatches: workgroup ids are offset by gemm.wg_off (a large grid runs as several
// dispatches), and each binding may be a window of a bigger buffer: element e of A / B / output
// lives at e - gemm.a_base / b_base / out_base of its binding (the op file and store_output
// subtract them; the bases are multiples of 4 elements, so byte lanes are unchanged).
//
// Tiling: a workgroup of WG_X x WG_Y threads computes a (TM*WG_Y) x (4*WG_X) output tile; each
// thread owns TM rows x 4 columns. K advances in tiles of 4*K_WORDS int8 values, staged in
// workgroup memory packed 4 per u32 along K (zero beyond K, so padding adds nothing).
// Accumulation (kernels/quant-math/accumulator.ts), mode = gemm.acc_mode (a uniform: the pipeline
// only fixes ORDERED, i.e. which of the two K loops is compiled in):
//   ACC_MODE 0 int32 / 1 wrap-N (ORDERED = false): per K tile, sum(ab) - zb*sum(a) - za*sum(b) + kt*za*zb with
//     dot4 (dot4I8Packed or its bit-identical fallback), added into an exact int64; the value is
//     its low 32 bits (wrapped to N bits for mode 1), exact in any order. With B_SUMS
//     the per-column sums of B come from tables[gemm.b_sums_base + b_group * n + col] (constant
//     weights, summed once by the host) and za * sum(b) is subtracted once in int64 at the end.
//   ACC_MODE 2 saturate-N: k ascending, acc = clampN(acc + (a-za)(b-zb)), bias added last, clamped.
//   ACC_MODE 3 pairwise-int16-saturate: pairs (k, k+1) of u8*s8 products saturated to int16 and
//     summed in int32, then the zero-point corrections (VPMADDUBSW + VPMADDWD).
// Requantize (REQUANT = gemm.flags & 7; bit 3 of flags turns statistics on): 0 none (int32 output), 1 onnxruntime f32, 2 gemmlowp, 3 TVM UPWARD,
// 4 TVM TONEAREST; then + zy, clamp to [qmin, qmax] (fused Relu/Clip already folded in).

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TM: u32 = 4u;           // rows per thread, 1..4
override K_WORDS: u32 = 8u;      // K tile in u32 words (4 int8 each)
override ORDERED: bool = false; // accumulator modes 2 and 3 (k ascending), else modes 0 and 1
override B_SUMS: bool = false;  // exact modes: B column sums precomputed in tables

const TN: u32 = 4u;

struct GemmParams {
  m: u32, n: u32, k: u32, acc_bits: u32,
  za_base: u32, za_group_stride: u32, za_row_stride: u32, zb_base: u32,
  zb_group_stride: u32, zb_col_stride: u32, chan_group_stride: u32, bias_base: u32,
  rq_base: u32, has_bias: u32, zy: i32, qmin: i32,
  qmax: i32, op_base: u32, acc_mode: u32, flags: u32,
  wg_off_x: u32, wg_off_y: u32, wg_off_z: u32, out_base: u32,
  a_base: u32, b_base: u32, b_sums_base: u32, pad0: u32,
}

@group(0) @binding(0) var<storage, read_write> output: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> stats: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> tables: array<i32>;
@group(0) @binding(3) var<uniform> gemm: GemmParams;

var<workgroup> a_tile: array<u32, 4u * WG_Y * K_WORDS>;
var<workgroup> b_tile: array<u32, 4u * WG_X * K_WORDS>;

fn requant_code() -> u32 { return gemm.flags & 7u; }
fn stats_on() -> bool { return (gemm.flags & 8u) != 0u; }

fn tile_m() -> u32 { return TM * WG_Y; }
fn tile_n() -> u32 { return TN * WG_X; }

fn byte_of(word: u32, i: u32) -> i32 { return extractBits(bitcast<i32>(word), 8u * i, 8u); }

fn load_tiles(batch: u32, m0: u32, n0: u32, k0: u32, lid: u32) {
  let threads = WG_X * WG_Y;
  for (var w = lid; w < tile_m() * K_WORDS; w = w + threads) {
    let m = m0 + w / K_WORDS;
    let kb = k0 + (w % K_WORDS) * 4u;
    var word = 0u;
    if (m < gemm.m) {
      for (var b = 0u; b < 4u; b = b + 1u) {
        if (kb + b < gemm.k) { word = word | ((bitcast<u32>(load_a(batch, m, kb + b)) & 0xffu) << (8u * b)); }
      }
    }
    a_tile[w] = word;
  }
  for (var w = lid; w < tile_n() * K_WORDS; w = w + threads) {
    let n = n0 + w / K_WORDS;
    let kb = k0 + (w % K_WORDS) * 4u;
    var word = 0u;
    if (n < gemm.n) {
      for (var b = 0u; b < 4u; b = b + 1u) {
        if (kb + b < gemm.k) { word = word | ((bitcast<u32>(load_b(batch, n, kb + b)) & 0xffu) << (8u * b)); }
      }
    }
    b_tile[w] = word;
  }
}

// a + b clamped to a signed `bits`-bit range, computed without int32 wrap; y = 1 if it clamped.
fn sat_add(a: i32, b: i32, bits: u32) -> vec2<i32> {
  let s = i64_add(i64_from_i32(a), i64_from_i32(b));
  if (i64_fits_bits(s, bits)) { return vec2<i32>(bitcast<i32>(s.lo), 0); }
  let hi = bitcast<i32>((1u << (bits - 1u)) - 1u);
  return vec2<i32>(select(hi, -hi - 1, s.hi < 0), 1);
}

// One thread's accumulators for TM x TN outputs (index i * TN + j).
struct Acc {
  exact: array<I64, 16>,   // the unbounded sum, all modes
  run: array<i32, 16>,     // saturate: running clamped sum; pairwise: raw sum of saturated pairs
  sum_a: array<i32, 4>,    // pairwise: sum of u8 activations per row
  sum_b: array<i32, 4>,    // pairwise: sum of s8 weights per column
  flags: u32,              // bit i*TN+j: this accumulator overflowed (saturate / pairwise)
}

fn accumulate_exact_tile(acc: ptr<function, Acc>, ty: u32, tx: u32, za: array<i32, 4>, zb: array<i32, 4>, kt: i32) {
  var p: array<i32, 16>;
  var sa: array<i32, 4>;
  var sb: array<i32, 4>;
  for (var kw = 0u; kw < K_WORDS; kw = kw + 1u) {
    var bw: array<u32, 4>;
    for (var j = 0u; j < TN; j = j + 1u) {
      bw[j] = b_tile[(tx * TN + j) * K_WORDS + kw];
      if (!B_SUMS) { sb[j] = sb[j] + dot4_i8(0x01010101u, bw[j]); }
    }
    for (var i = 0u; i < TM; i = i + 1u) {
      let aw = a_tile[(ty * TM + i) * K_WORDS + kw];
      sa[i] = sa[i] + dot4_i8(aw, 0x01010101u);
      for (var j = 0u; j < TN; j = j + 1u) { p[i * TN + j] = p[i * TN + j] + dot4_i8(aw, bw[j]); }
    }
  }
  for (var i = 0u; i < TM; i = i + 1u) {
    for (var j = 0u; j < TN; j = j + 1u) {
      let t = p[i * TN + j] - zb[j] * sa[i] - za[i] * sb[j] + kt * za[i] * zb[j];
      (*acc).exact[i * TN + j] = i64_add((*acc).exact[i * TN + j], i64_from_i32(t));
    }
  }
}

// Saturate mode: one product, k ascending. Other modes: just the exact sum.
fn add_term(acc: ptr<function, Acc>, o: u32, t: i32) {
  (*acc).exact[o] = i64_add((*acc).exact[o], i64_from_i32(t));
  if (gemm.acc_mode == 2u) {
    let s = sat_add((*acc).run[o], t, gemm.acc_bits);
    if (s.y != 0) { (*acc).flags = (*acc).flags | (1u << o); }
    (*acc).run[o] = s.x;
  }
}

// Pairwise mode: one pair (k, k+1) of signed-mapped values; a missing second element (odd K)
// has has1 = false and contributes a zero product. The caller adds x0 + x1 (as u8) to sum_a and
// w0 + w1 to sum_b.
fn add_pair(acc: ptr<function, Acc>, o: u32, a0: i32, b0: i32, a1: i32, b1: i32, has1: bool, za: i32, zb: i32) {
  var t = (a0 - za) * (b0 - zb);
  if (has1) { t = t + (a1 - za) * (b1 - zb); }
  (*acc).exact[o] = i64_add((*acc).exact[o], i64_from_i32(t));
  let x1 = select(0, a1 + 128, has1);
  let w1 = select(0, b1, has1);
  let pair = (a0 + 128) * b0 + x1 * w1;
  let s = clamp(pair, -32768, 32767);
  if (s != pair) { (*acc).flags = (*acc).flags | (1u << o); }
  (*acc).run[o] = (*acc).run[o] + s;
}

fn accumulate_ordered_tile(acc: ptr<function, Acc>, ty: u32, tx: u32, za: array<i32, 4>, zb: array<i32, 4>, kt: u32) {
  let pairwise = gemm.acc_mode == 3u;
  let step = select(1u, 2u, pairwise);
  for (var k = 0u; k < kt; k = k + step) {
    let kw = k / 4u;
    let kb = k % 4u;
    let has1 = k + 1u < kt;
    var b0: array<i32, 4>;
    var b1: array<i32, 4>;
    for (var j = 0u; j < TN; j = j + 1u) {
      let word = b_tile[(tx * TN + j) * K_WORDS + kw];
      b0[j] = byte_of(word, kb);
      b1[j] = select(0, byte_of(word, kb + 1u), pairwise && has1);
      if (pairwise) { (*acc).sum_b[j] = (*acc).sum_b[j] + b0[j] + b1[j]; }
    }
    for (var i = 0u; i < TM; i = i + 1u) {
      let word = a_tile[(ty * TM + i) * K_WORDS + kw];
      let a0 = byte_of(word, kb);
      if (pairwise) {
        let a1 = select(0, byte_of(word, kb + 1u), has1);
        (*acc).sum_a[i] = (*acc).sum_a[i] + a0 + 128 + select(0, a1 + 128, has1);
        for (var j = 0u; j < TN; j = j + 1u) { add_pair(acc, i * TN + j, a0, b0[j], a1, b1[j], has1, za[i], zb[j]); }
      } else {
        for (var j = 0u; j < TN; j = j + 1u) { add_term(acc, i * TN + j, (a0 - za[i]) * (b0[j] - zb[j])); }
      }
    }
  }
}

fn requantize_value(v: i32, chan: u32) -> i32 {
  let w0 = tables[gemm.rq_base + 2u * chan];
  let w1 = tables[gemm.rq_base + 2u * chan + 1u];
  var r = 0;
  let code = requant_code();
  if (code == 1u) { r = requantize_ort(v, bitcast<u32>(w0)); }
  else if (code == 2u) { r = requantize_gemmlowp(v, w0, w1); }
  else { r = requantize_tvm(v, w0, w1, code == 4u); }
  return clamp(r + gemm.zy, gemm.qmin, gemm.qmax);
}

fn store_output(index: u32, v: i32) {
  let local = index - gemm.out_base;
  if (requant_code() == 0u) {
    atomicStore(&output[local], bitcast<u32>(v));
  } else {
    atomicOr(&output[local >> 2u], (bitcast<u32>(v) & 0xffu) << (8u * (index & 3u)));
  }
}

fn gemm_main(wid_local: vec3<u32>, lid3: vec3<u32>, lid: u32) {
  let wid = wid_local + vec3<u32>(gemm.wg_off_x, gemm.wg_off_y, gemm.wg_off_z);
  let batch = wid.z;
  let m0 = wid.y * tile_m();
  let n0 = wid.x * tile_n();
  let tx = lid3.x;
  let ty = lid3.y;
  let ga = a_group(batch);
  let gb = b_group(batch);
  var za: array<i32, 4>;
  var zb: array<i32, 4>;
  for (var i = 0u; i < TM; i = i + 1u) {
    let m = min(m0 + ty * TM + i, gemm.m - 1u);
    za[i] = tables[gemm.za_base + ga * gemm.za_group_stride + m * gemm.za_row_stride];
  }
  for (var j = 0u; j < TN; j = j + 1u) {
    let n = min(n0 + tx * TN + j, gemm.n - 1u);
    zb[j] = tables[gemm.zb_base + gb * gemm.zb_group_stride + n * gemm.zb_col_stride];
  }
  var acc: Acc;
  let k_tile = 4u * K_WORDS;
  for (var k0 = 0u; k0 < gemm.k; k0 = k0 + k_tile) {
    load_tiles(batch, m0, n0, k0, lid);
    workgroupBarrier();
    let kt = min(k_tile, gemm.k - k0);
    if (!ORDERED) { accumulate_exact_tile(&acc, ty, tx, za, zb, i32(kt)); }
    else { accumulate_ordered_tile(&acc, ty, tx, za, zb, kt); }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i = i + 1u) {
    let m = m0 + ty * TM + i;
    for (var j = 0u; j < TN; j = j + 1u) {
      let n = n0 + tx * TN + j;
      if (m >= gemm.m || n >= gemm.n) { continue; }
      if (B_SUMS && !ORDERED) {
        // The za * sum(b) correction left out of the K loop, exact in int64.
        let sum_b = tables[gemm.b_sums_base + gb * gemm.n + n];
        acc.exact[i * TN + j] = i64_add(acc.exact[i * TN + j], i64_neg(mul_i32_wide(za[i], sum_b)));
      }
      finish_output(&acc, i * TN + j, i, j, za[i], zb[j], gb * gemm.chan_group_stride + n, out_index(batch, m, n));
    }
  }
}

// Bias, accumulator mode, statistics, requantize and store for accumulator o (row i, column j).
fn finish_output(acc: ptr<function, Acc>, o: u32, i: u32, j: u32, za: i32, zb: i32, chan: u32, index: u32) {
  var bias = 0;
  if (gemm.has_bias != 0u) { bias = tables[gemm.bias_base + chan]; }
  let exact = i64_add((*acc).exact[o], i64_from_i32(bias));
  var v = bitcast<i32>(exact.lo);
  var overflowed = false;
  if (gemm.acc_mode <= 1u) {
    let bits = select(32u, gemm.acc_bits, gemm.acc_mode == 1u);
    let sh = 32u - bits;
    v = (v << sh) >> sh;
    overflowed = !i64_fits_bits(exact, bits);
  } else if (gemm.acc_mode == 2u) {
    let s = sat_add((*acc).run[o], bias, gemm.acc_bits);
    v = s.x;
    overflowed = ((*acc).flags & (1u << o)) != 0u || s.y != 0;
  } else {
    let zxu = za + 128;
    v = (*acc).run[o] - zb * (*acc).sum_a[i] - zxu * (*acc).sum_b[j] + i32(gemm.k) * zxu * zb + bias;
    overflowed = ((*acc).flags & (1u << o)) != 0u || !i64_fits_bits(exact, 32u) || v != bitcast<i32>(exact.lo);
  }
  if (stats_on()) {
    if (overflowed) { atomicAdd(&stats[2u * chan], 1u); }
    atomicMax(&stats[2u * chan + 1u], i64_abs_u32(exact));
  }
  if (requant_code() == 0u) { store_output(index, v); }
  else { store_output(index, requantize_value(v, chan)); }
}
