// f32-exact.wgsl: exactly rounded f32 arithmetic on bit patterns in integers only, for kernels that
// must equal the CPU references bit for bit whatever the device does with floats (WGSL's `/` is only
// accurate to 2.5 ULP; devices may flush subnormals or fuse operations). Used by
// dynamic-quantize-params.wgsl and requantize-runtime.wgsl. Finite non-negative operands.

const F32_INF: u32 = 0x7f800000u;

// Significand in [2^23, 2^24) and unbiased exponent with |v| = sig * 2^(exp - 23), for the bits of
// a finite non-zero |v| (subnormals normalized). Same as quantize.wgsl's split_f32.
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
