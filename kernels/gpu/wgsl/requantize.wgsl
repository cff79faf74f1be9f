// requantize.wgsl: int32 accumulator -> output integer, the three schemes of
// kernels/requantize/requantize.ref.ts. Needs int64-math.wgsl. Per-channel data comes as two u32:
//   ORT:            word0 = f32 bits of M = f32(f32(sx*sw)/sy), word1 unused
//   gemmlowp / TVM: word0 = q31 multiplier, word1 = shift (i32; > 0 is a left shift)
// Result is clamped by the caller to [qmin, qmax] after adding zy.

// f32(acc) correctly rounded (ties to even): the high and low 16-bit parts are exact in f32 and a
// single f32 add rounds once, so the result does not depend on how the device converts i32.
fn exact_f32_of_i32(v: i32) -> f32 {
  let low = v & 0xffff;
  return f32(v - low) + f32(low);
}

// onnxruntime MLAS: roundHalfEven(f32(f32(acc) * M)), kept as i32 (clamped far outside any range).
fn requantize_ort(acc: i32, m_bits: u32) -> i32 {
  let scaled = exact_f32_of_i32(acc) * bitcast<f32>(m_bits);
  return i32(clamp(round(scaled), -1073741824.0, 1073741824.0));
}

// gemmlowp SaturatingRoundingDoublingHighMul: round(a*b / 2^31), ties away from zero, saturated.
fn srdhm(a: i32, b: i32) -> i32 {
  if (a == b && a == i32(-2147483647 - 1)) { return 2147483647; }
  let ab = mul_i32_wide(a, b);
  var nudge = i64_from_i32(1 << 30u);
  if (ab.hi < 0) { nudge = i64_from_i32(1 - (1 << 30u)); }
  let t = i64_add(ab, nudge);
  // C's division truncates toward zero.
  if (t.hi < 0) { return -i64_shr_low(i64_neg(t), 31u); }
  return i64_shr_low(t, 31u);
}

// gemmlowp RoundingDivideByPOT: x / 2^e, ties away from zero; e in [0, 31].
fn rounding_divide_by_pot(x: i32, e: u32) -> i32 {
  if (e == 0u) { return x; }
  let mask = i32((1u << e) - 1u);
  let remainder = x & mask;
  let threshold = (mask >> 1u) + select(0, 1, x < 0);
  return (x >> e) + select(0, 1, remainder > threshold);
}

fn requantize_gemmlowp(acc: i32, q31: i32, shift: i32) -> i32 {
  let left = u32(max(shift, 0));
  let right = u32(max(-shift, 0));
  return rounding_divide_by_pot(srdhm(acc << left, q31), right);
}

// TVM FixedPointMultiply in int64: ((acc << left) * q31 + round) >> (31 + right), low 32 bits.
// `to_nearest`: round = 2^(total-1) - 1 for negative products (ties away from zero), else UPWARD.
fn requantize_tvm(acc: i32, q31: i32, shift: i32, to_nearest: bool) -> i32 {
  let left = u32(max(shift, 0));
  let right = u32(max(-shift, 0));
  let total = 31u + right;
  // acc << left as an int64 (no wrap: |acc| < 2^31 and left <= 31 keeps it below 2^62).
  var a = i64_from_i32(acc);
  if (left > 0u) {
    a = I64(a.lo << left, (a.hi << left) | bitcast<i32>(a.lo >> (32u - left)));
  }
  // a * q31 modulo 2^64 (q31 >= 0): low word product plus the high word times q31.
  let w = mul_u32_wide(a.lo, bitcast<u32>(q31));
  var t = I64(w.x, bitcast<i32>(w.y + bitcast<u32>(a.hi) * bitcast<u32>(q31)));
  var rnd = i64_pow2(total - 1u);
  if (to_nearest && t.hi < 0) { rnd = i64_add(rnd, i64_from_i32(-1)); }
  t = i64_add(t, rnd);
  return i64_shr_low(t, total);
}
