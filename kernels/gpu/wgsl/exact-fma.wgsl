// A correctly rounded f32 fused multiply-add and -0 canonicalisation for the kernels that replay
// MLAS's float order bit for bit (conv-transpose-exact.wgsl, conv3d-exact.wgsl; their hosts prepend
// this file). WGSL's fma() need not be fused (SwiftShader's is a multiply then an add), so FMA = 1
// emulates it from correctly rounded f32 + and * (Dekker's exact product, TwoSum, a round-to-odd
// add, a final add: Boldo & Melquiond's algorithm); FMA = 0 uses fma() where the host's probe
// (probeF32Arithmetic in conv-transpose-exact.ts) found it fused. Both need the compiler not to
// contract or reassociate `a * b + c` (the probe checks that too). Outside the f32 range the
// emulation falls back to the unfused value (inf / NaN operands or results, |a| or |b| past 8e34);
// subnormal products (|a b| under about 1e-30) are outside what it replays.
// Scalar and vec4 forms compute the same IEEE operations per lane.

override FMA: u32 = 1u;

/** -0 becomes +0 (integer ops: no compiler may fold them away). */
fn canon(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  return bitcast<f32>(select(b, 0u, b == 0x80000000u));
}

fn finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

fn split_hi(a: f32) -> f32 {
  let sa = 4097.0 * a;
  return sa - (sa - a);
}

/** a * b + c rounded once (see FMA above); outside normal range the unfused value. */
fn fmac(a: f32, b: f32, c: f32) -> f32 {
  if (FMA == 0u) { return fma(a, b, c); }
  let ah = split_hi(a);
  let bh = split_hi(b);
  let al = a - ah;
  let bl = b - bh;
  let p = a * b;
  let e = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  let s = c + p;
  let bb = s - c;
  let t = (c - (s - bb)) + (p - bb);
  let v = t + e;
  let bv = v - t;
  let ev = (t - (v - bv)) + (e - bv);
  let vb = bitcast<u32>(v);
  let step = select(0xffffffffu, 1u, (ev > 0.0) == (v > 0.0));
  let odd = select(vb, vb + step, ev != 0.0 && (vb & 1u) == 0u);
  let r = s + bitcast<f32>(odd);
  let plain = c + a * b;
  return select(plain, r, finite(plain) && finite(4097.0 * a) && finite(4097.0 * b));
}

fn canon4(v: vec4<f32>) -> vec4<f32> {
  let b = bitcast<vec4<u32>>(v);
  return bitcast<vec4<f32>>(select(b, vec4<u32>(0u), b == vec4<u32>(0x80000000u)));
}

fn finite4(v: vec4<f32>) -> vec4<bool> {
  return (bitcast<vec4<u32>>(v) & vec4<u32>(0x7f800000u)) != vec4<u32>(0x7f800000u);
}

/**
 * a * b + c rounded once from the Veltkamp halves of a and b (a = ah + al, b = bh + bl exactly),
 * for finite values without overflow; `fmac4` checks, main4 splits each x and w once.
 */
fn fmac_split(a: vec4<f32>, ah: vec4<f32>, al: vec4<f32>, b: vec4<f32>, bh: vec4<f32>, bl: vec4<f32>,
              c: vec4<f32>) -> vec4<f32> {
  if (FMA == 0u) { return fma(a, b, c); }
  // p + e = a * b exactly (Dekker's product).
  let p = a * b;
  let e = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  // s + t = c + p exactly (TwoSum).
  let s = c + p;
  let bb = s - c;
  let t = (c - (s - bb)) + (p - bb);
  // v = t + e rounded to odd: the nearest sum, moved one ulp toward the exact one when inexact and even.
  let v = t + e;
  let bv = v - t;
  let ev = (t - (v - bv)) + (e - bv);
  let vb = bitcast<vec4<u32>>(v);
  let step = select(vec4<u32>(0xffffffffu), vec4<u32>(1u), (ev > vec4<f32>(0.0)) == (v > vec4<f32>(0.0)));
  let odd = select(vb, vb + step, (ev != vec4<f32>(0.0)) & ((vb & vec4<u32>(1u)) == vec4<u32>(0u)));
  return s + bitcast<vec4<f32>>(odd);
}

/** The high half of a's Veltkamp split into 12-bit halves (the low half is a - high). */
fn split_hi4(a: vec4<f32>) -> vec4<f32> {
  let sa = 4097.0 * a;
  return sa - (sa - a);
}

/** a * b + c rounded once, per lane (see FMA above); outside normal range the unfused value. */
fn fmac4(a: vec4<f32>, b: vec4<f32>, c: vec4<f32>) -> vec4<f32> {
  if (FMA == 0u) { return fma(a, b, c); }
  let ah = split_hi4(a);
  let bh = split_hi4(b);
  let r = fmac_split(a, ah, a - ah, b, bh, b - bh, c);
  let s = c + a * b;
  return select(s, r, finite4(s) & finite4(4097.0 * a) & finite4(4097.0 * b));
}
