// f32-exact.wgsl: exactly rounded f32 arithmetic on bit patterns in integers only, for kernels that
// must equal the CPU references bit for bit whatever the device does with floats (WGSL's `/` is only
// accurate to 2.5 ULP; devices may flush subnormals or fuse operations). Used by quantize.wgsl,
// dynamic-quantize-params.wgsl and requantize-runtime.wgsl. Finite non-negative operands, except
// divide_round, which takes any bit patterns.

const F32_INF: u32 = 0x7f800000u;

// Significand in [2^23, 2^24) and unbiased exponent with |v| = sig * 2^(exp - 23), for the bits of
// a finite non-zero |v| (subnormals normalized).
fn split_f32(a: u32) -> vec2<i32> {
  var e = i32(a >> 23u);
  var m = a & 0x7fffffu;
  if (e == 0) {
    let shift = countLeadingZeros(m) - 8u;
    m = m << shift;
    e = 1 - i32(shift);
  } else {
    m = m | 0x800000u;
  }
  return vec2<i32>(i32(m), e - 127);
}

// The f32 bits nearest (ties to even) to m * 2^e plus `sticky` (non-zero bits below m's last),
// subnormal results included, +inf bits on overflow. m > 0 and has its top bit at 29 or above.
fn round_to_f32(m: u32, e: i32, sticky: bool) -> u32 {
  let n = 31 - i32(countLeadingZeros(m));
  let shift = max(n - 23, -149 - e); // bits dropped: 24 significant bits, or the 2^-149 unit
  if (shift >= 32) { return 0u; }
  let ush = u32(shift);
  var kept = m >> ush;
  let rest = m & ((1u << ush) - 1u);
  let half = 1u << (ush - 1u);
  if (rest > half || (rest == half && (sticky || (kept & 1u) == 1u))) { kept = kept + 1u; }
  // kept * 2^u with u = e + shift: f32 bits = ((u + 149) << 23) + kept for kept in [2^23, 2^24]
  // (and kept alone at u = -149: subnormal, or the smallest normal when kept = 2^23).
  let u = e + shift;
  if (u + 149 >= 255) { return F32_INF; }
  let bits = (u32(u + 149) << 23u) + kept;
  return min(bits, F32_INF);
}

// fl32(a * b) for the bits of two finite non-negative floats (24 x 24-bit significand product in
// 16-bit limbs; +inf bits on overflow, subnormal results exact).
fn mul_nonneg(a: u32, b: u32) -> u32 {
  if (a == 0u || b == 0u) { return 0u; }
  let x = split_f32(a);
  let y = split_f32(b);
  let a1 = u32(x.x) >> 16u;
  let a0 = u32(x.x) & 0xffffu;
  let b1 = u32(y.x) >> 16u;
  let b0 = u32(y.x) & 0xffffu;
  let mid = a1 * b0 + a0 * b1; // < 2^25
  let low = a0 * b0;           // < 2^32
  let lo32 = low + (mid << 16u);
  let carry = select(0u, 1u, lo32 < low);
  let hi = a1 * b1 + (mid >> 16u) + carry; // the product is hi * 2^32 + lo32 < 2^48
  // Keep the top 31 bits (the product is >= 2^46) and the rest as a sticky bit.
  let m = (hi << 15u) | (lo32 >> 17u);
  return round_to_f32(m, x.y + y.y - 46 + 17, (lo32 & 0x1ffffu) != 0u);
}

// fl32(a / b) for the bits of a finite a >= 0 and a finite b > 0 (long division to 31 bits).
fn div_nonneg(a: u32, b: u32) -> u32 {
  if (a == 0u) { return 0u; }
  let x = split_f32(a);
  let y = split_f32(b);
  let mx = u32(x.x);
  let my = u32(y.x);
  // q = floor(mx * 2^30 / my): 30 or 31 significant bits (mx / my is in (1/2, 2)).
  var rem = mx;
  var q = 0u;
  if (rem >= my) { q = 1u; rem = rem - my; }
  for (var i = 0u; i < 30u; i = i + 1u) {
    rem = rem << 1u;
    q = q << 1u;
    if (rem >= my) { q = q | 1u; rem = rem - my; }
  }
  return round_to_f32(q, x.y - y.y - 30, rem != 0u);
}

// roundHalfEven(fl32(x / s)) for bit patterns, saturated to +-2^22 (far outside any 8/16-bit range).
// Returns vec2(value, is_nan).
fn divide_round(xb: u32, sb: u32) -> vec2<i32> {
  let xa = xb & 0x7fffffffu;
  let sa = sb & 0x7fffffffu;
  let negative = ((xb ^ sb) & 0x80000000u) != 0u;
  let big = select(4194304, -4194304, negative);
  if (xa > F32_INF || sa > F32_INF || (xa == 0u && sa == 0u) || (xa == F32_INF && sa == F32_INF)) {
    return vec2<i32>(0, 1); // NaN
  }
  if (xa == 0u || sa == F32_INF) { return vec2<i32>(0, 0); }   // +-0
  if (xa == F32_INF || sa == 0u) { return vec2<i32>(big, 0); } // +-inf
  let x = split_f32(xa);
  let s = split_f32(sa);
  let de = x.y - s.y; // |x/s| = (mx/ms) * 2^de with mx/ms in (1/2, 2)
  if (de >= 22) { return vec2<i32>(big, 0); }
  if (de <= -3) { return vec2<i32>(0, 0); }   // |x/s| < 1/4
  let mx = u32(x.x);
  let ms = u32(s.x);
  // q = floor(mx * 2^25 / ms): 1 integer bit then 25 fraction bits of mx/ms.
  var rem = mx;
  var q = 0u;
  if (rem >= ms) { q = 1u; rem = rem - ms; }
  for (var i = 0u; i < 25u; i = i + 1u) {
    rem = rem << 1u;
    q = q << 1u;
    if (rem >= ms) { q = q | 1u; rem = rem - ms; }
  }
  // Keep 24 significant bits, round to nearest even with guard and sticky bits.
  let drop = select(1u, 2u, q >= 0x2000000u);
  var d = q >> drop;
  let guard = (q >> (drop - 1u)) & 1u;
  let sticky = (q & ((1u << (drop - 1u)) - 1u)) != 0u || rem != 0u;
  if (guard == 1u && (sticky || (d & 1u) == 1u)) { d = d + 1u; }
  // fl32(x/s) = d * 2^-sh exactly; round that to an integer, ties to even.
  let sh = 25 - i32(drop) - de;
  var r = 0u;
  if (sh < 25) {
    let ush = u32(sh);
    let whole = d >> ush;
    let frac = d & ((1u << ush) - 1u);
    let half = 1u << (ush - 1u);
    r = whole;
    if (frac > half || (frac == half && (whole & 1u) == 1u)) { r = whole + 1u; }
  }
  return vec2<i32>(select(i32(r), -i32(r), negative), 0);
}
