// quantize.wgsl: QuantizeLinear / DequantizeLinear / fake quantization, bit-exact with onnxruntime.
//
// Bindings (group 0):
//   0 src    array<u32>   quantize/fake: f32 input as bits; dequantize: packed 8-bit input
//   1 dst    array<u32>   quantize: packed 8-bit output; dequantize/fake: f32 output as bits
//   2 scales array<u32>   f32 scale bits, one per channel (one for per-tensor)
//   3 zps    array<i32>   zero points, one per channel
//   4 params uniform Params
// Layout: flat row-major elements; the channel of element i is ((base + i) / inner) % channels
// (per-tensor: channels = 1). 8-bit data is packed 4 per u32, little endian; each invocation owns
// one packed word, i.e. 4 consecutive elements, so no two invocations write the same word.
// Dispatch: 2-D grid, linear workgroup = wid.y * num_workgroups.x + wid.x.
//
// Formulas (kernels/quant-math/quant-math.ts):
//   quantize   q = clamp(roundHalfEven(fl32(x / s)) + zp, qmin, qmax); NaN -> clamp(zp)
//   dequantize y = fl32(f32(q - zp) * s)
//   fake       y = dequantize(quantize(x))
// WGSL's f32 `/` is only accurate to 2.5 ULP, so the quotient is computed exactly in integers:
// long division of the 24-bit significands gives 25 quotient bits plus a sticky remainder, which
// round (ties to even) to the correctly rounded f32 quotient D * 2^E; that is then rounded to an
// integer (ties to even) with shifts. No float operation is involved, so neither the division's
// accuracy, FMA contraction nor denormal flushing can change the result.

override MODE: u32 = 0u;        // 0 quantize, 1 dequantize, 2 fake quantize
override SIGNED: bool = true;   // dequantize input: int8 (sign-extend) or uint8
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,     // elements in this dispatch
  base: u32,      // index of this dispatch's first element in the whole tensor
  inner: u32,     // elements per step of the channel axis (product of dims after the axis)
  channels: u32,  // scales/zero points (1 = per tensor)
  qmin: i32,
  qmax: i32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> scales: array<u32>;
@group(0) @binding(3) var<storage, read> zps: array<i32>;
@group(0) @binding(4) var<uniform> params: Params;

const F32_EXP_MASK: u32 = 0x7f800000u;

// Significand (with the implicit bit, normalized to [2^23, 2^24)) and unbiased exponent such that
// |v| = sig * 2^(exp - 23). `a` is |v|'s bits, finite and non-zero.
fn split_f32(a: u32) -> vec2<i32> {
  var e = i32(a >> 23u);
  var m = a & 0x7fffffu;
  if (e == 0) {
    let shift = countLeadingZeros(m) - 8u; // subnormal: move the top bit to bit 23
    m = m << shift;
    e = 1 - i32(shift);
  } else {
    m = m | 0x800000u;
  }
  return vec2<i32>(i32(m), e - 127);
}

// roundHalfEven(fl32(x / s)) for bit patterns, saturated to +-2^22 (far outside any 8/16-bit range).
// Returns vec2(value, is_nan).
fn divide_round(xb: u32, sb: u32) -> vec2<i32> {
  let xa = xb & 0x7fffffffu;
  let sa = sb & 0x7fffffffu;
  let negative = ((xb ^ sb) & 0x80000000u) != 0u;
  let big = select(4194304, -4194304, negative);
  if (xa > F32_EXP_MASK || sa > F32_EXP_MASK || (xa == 0u && sa == 0u) || (xa == F32_EXP_MASK && sa == F32_EXP_MASK)) {
    return vec2<i32>(0, 1); // NaN
  }
  if (xa == 0u || sa == F32_EXP_MASK) { return vec2<i32>(0, 0); }   // +-0
  if (xa == F32_EXP_MASK || sa == 0u) { return vec2<i32>(big, 0); } // +-inf
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

fn quantize_one(xb: u32, sb: u32, zp: i32) -> i32 {
  let r = divide_round(xb, sb);
  if (r.y == 1) { return clamp(zp, params.qmin, params.qmax); }
  return clamp(r.x + zp, params.qmin, params.qmax);
}

fn dequantize_one(q: i32, sb: u32, zp: i32) -> u32 {
  return bitcast<u32>(f32(q - zp) * bitcast<f32>(sb));
}

fn channel_of(i: u32) -> u32 {
  return ((params.base + i) / params.inner) % params.channels;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let word = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
  let first = word * 4u;
  if (first >= params.count) { return; }
  let n = min(4u, params.count - first);
  if (MODE == 1u) {
    let packed = src[word];
    for (var j = 0u; j < n; j = j + 1u) {
      let c = channel_of(first + j);
      var q = i32((packed >> (8u * j)) & 0xffu);
      if (SIGNED) { q = (q << 24u) >> 24u; }
      dst[first + j] = dequantize_one(q, scales[c], zps[c]);
    }
    return;
  }
  var packed = 0u;
  for (var j = 0u; j < n; j = j + 1u) {
    let c = channel_of(first + j);
    let q = quantize_one(src[first + j], scales[c], zps[c]);
    if (MODE == 0u) {
      packed = packed | ((u32(q) & 0xffu) << (8u * j));
    } else {
      dst[first + j] = dequantize_one(q, scales[c], zps[c]);
    }
  }
  if (MODE == 0u) { dst[word] = packed; }
}
