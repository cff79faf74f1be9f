// int64-math.wgsl: exact 64-bit integer helpers on (lo: u32, hi: i32) pairs, for the accumulator
// overflow statistics and the fixed-point requantize schemes (gemmlowp, TVM). WGSL has no i64.

struct I64 { lo: u32, hi: i32 }

fn i64_from_i32(v: i32) -> I64 { return I64(bitcast<u32>(v), v >> 31u); }

fn i64_add(a: I64, b: I64) -> I64 {
  let lo = a.lo + b.lo;
  return I64(lo, a.hi + b.hi + select(0, 1, lo < a.lo));
}

fn i64_neg(a: I64) -> I64 {
  let lo = ~a.lo + 1u;
  return I64(lo, ~a.hi + select(0, 1, lo == 0u));
}

// Does the value fit in a signed `bits`-bit integer (8..32)?
fn i64_fits_bits(a: I64, bits: u32) -> bool {
  let v = bitcast<i32>(a.lo);
  if (a.hi != (v >> 31u)) { return false; }
  let sh = 32u - bits;
  return ((v << sh) >> sh) == v;
}

// |a| clamped to u32 (0xffffffff when it needs more than 32 bits).
fn i64_abs_u32(a: I64) -> u32 {
  var m = a;
  if (a.hi < 0) { m = i64_neg(a); }
  return select(0xffffffffu, m.lo, m.hi == 0);
}

// Full 64-bit product of two u32 values, by 16-bit limbs.
fn mul_u32_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = p01 + p10;
  let mid_carry = select(0u, 0x10000u, mid < p01);
  let lo = p00 + (mid << 16u);
  let lo_carry = select(0u, 1u, lo < p00);
  return vec2<u32>(lo, p11 + (mid >> 16u) + mid_carry + lo_carry);
}

// Exact signed 64-bit product of two i32 values.
fn mul_i32_wide(a: i32, b: i32) -> I64 {
  let w = mul_u32_wide(bitcast<u32>(a), bitcast<u32>(b));
  var hi = w.y;
  if (a < 0) { hi = hi - bitcast<u32>(b); }
  if (b < 0) { hi = hi - bitcast<u32>(a); }
  return I64(w.x, bitcast<i32>(hi));
}

// Arithmetic shift right by s in [0, 63]; the low 32 bits of the result.
fn i64_shr_low(a: I64, s: u32) -> i32 {
  if (s == 0u) { return bitcast<i32>(a.lo); }
  if (s >= 32u) { return a.hi >> min(s - 32u, 31u); }
  return bitcast<i32>((a.lo >> s) | (bitcast<u32>(a.hi) << (32u - s)));
}

// 2^s as an I64, s in [0, 62].
fn i64_pow2(s: u32) -> I64 {
  if (s >= 32u) { return I64(0u, 1 << (s - 32u)); }
  return I64(1u << s, 0);
}
