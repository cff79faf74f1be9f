// dynamic-quantize-params.wgsl: DynamicQuantizeLinear's scale and zero point (uint8), bit-exact with
// kernels/quantize/quantize.ref.ts `dynamicQuantizeLinear` (onnxruntime's GetQuantizationParameter):
//   lo = min(min(x), 0), hi = max(max(x), 0)  (NaN never compares, so it is skipped)
//   scale = hi == lo ? 1 : fl32(fl32(hi - lo) / 255)
//   zp = roundHalfEven(clamp(fl32(0 - fl32(lo / scale)), 0, 255))
// One workgroup scans the whole tensor (min / max on integer keys of the bit patterns, so NaN,
// infinities and -0 behave as in the reference whatever the compiler assumes about floats), then
// invocation 0 computes the parameters in integer arithmetic (WGSL's `/` is only accurate to 2.5
// ULP, and devices may flush subnormals): exact for every input. Infinite or overflowing ranges
// give scale = +inf and zp = 0, as the reference does (its NaN zero point stores as 0). The quantization itself is
// quantize.wgsl reading these two words as its per-tensor scale and zero point.
//
// A range below 255 * 2^-150 makes the reference's scale 0 and its zero point NaN (0 / 0), so every
// y is NaN stored as 0: the zero point quantize.wgsl reads (binding 4, apart from the uint8 output)
// is then -2^30, which clamps every y to 0.
// Needs f32-exact.wgsl (prepended by the host).
// Bindings: 0 x (f32 bits), 1 scale (one f32), 2 zp (one word: the uint8 in its low byte, the packed
// uint8 tensor), 3 params { count }, 4 the i32 zero point quantize.wgsl reads.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { count: u32, }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> scale_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> zp_out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read_write> zq_out: array<i32>;

var<workgroup> lo_keys: array<u32, WORKGROUP_SIZE>;
var<workgroup> hi_keys: array<u32, WORKGROUP_SIZE>;

// fl32(a + b) for the bits of two finite non-negative floats.
fn add_nonneg(a: u32, b: u32) -> u32 {
  if (a == 0u) { return b; }
  if (b == 0u) { return a; }
  var x = split_f32(a);
  var y = split_f32(b);
  if (y.y > x.y) { let t = x; x = y; y = t; }
  let d = u32(x.y - y.y);
  let mx = u32(x.x) << 6u; // 6 guard bits: the sum stays below 2^31
  var my = 0u;
  var sticky = false;
  if (d < 30u) {
    let wide = u32(y.x) << 6u;
    my = wide >> d;
    sticky = (wide & ((1u << d) - 1u)) != 0u;
  } else {
    sticky = true;
  }
  return round_to_f32(mx + my, x.y - 29, sticky);
}

// fl32(r / 255) for the bits of a finite non-negative float (+inf bits stay +inf).
fn div255(r: u32) -> u32 {
  if (r == 0u) { return 0u; }
  if (r >= F32_INF) { return F32_INF; }
  let v = split_f32(r);
  let m = u32(v.x) << 7u; // < 2^31
  let q1 = m / 255u;
  let r1 = m % 255u;
  let q = (q1 << 8u) | ((r1 << 8u) / 255u); // floor(sig * 2^15 / 255), top bit 29 or 30
  let rem = (r1 << 8u) % 255u;
  return round_to_f32(q, v.y - 38, rem != 0u);
}

// divide_round: f32-exact.wgsl's (exact long division, subnormals too).

// Order-preserving key of a non-NaN f32 (-0 is taken as +0).
fn key_of(b: u32) -> u32 {
  if (b == 0x80000000u) { return 0x80000000u; }
  return select(b | 0x80000000u, ~b, b >= 0x80000000u);
}

fn bits_of(k: u32) -> u32 {
  return select(~k, k & 0x7fffffffu, k >= 0x80000000u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
  var lo = 0x80000000u; // key of 0
  var hi = 0x80000000u;
  for (var i = lid; i < params.count; i += WORKGROUP_SIZE) {
    let b = x[i];
    if ((b & 0x7fffffffu) > 0x7f800000u) { continue; } // NaN
    let k = key_of(b);
    lo = min(lo, k);
    hi = max(hi, k);
  }
  lo_keys[lid] = lo;
  hi_keys[lid] = hi;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      lo_keys[lid] = min(lo_keys[lid], lo_keys[lid + s]);
      hi_keys[lid] = max(hi_keys[lid], hi_keys[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid != 0u) { return; }
  let lo_b = bits_of(lo_keys[0]);
  let hi_b = bits_of(hi_keys[0]);
  let p = params_of(lo_b, hi_b);
  scale_out[0] = p.x;
  zp_out[0] = p.y;
  zq_out[0] = select(i32(p.y), -1073741824, p.x == 0u);
}

// (scale bits, zero point) from the bits of lo <= 0 <= hi (non-NaN).
fn params_of(lo_b: u32, hi_b: u32) -> vec2<u32> {
  if (lo_b == hi_b) { return vec2<u32>(0x3f800000u, 0u); } // both 0: scale 1
  // An infinite range: scale inf; zp is 0 - (-0) = 0, or NaN stored as 0 when lo = -inf.
  if (hi_b == F32_INF || lo_b == (F32_INF | 0x80000000u)) { return vec2<u32>(F32_INF, 0u); }
  // All in integers (no float operation, so subnormals and the compiler cannot change anything):
  // range = fl32(hi + |lo|), scale = fl32(range / 255); zp = min(roundHalfEven(fl32(|lo| / scale)),
  // 255), which is the reference's roundHalfEven(clamp(0 - fl32(lo / scale), 0, 255)) because 255
  // is an integer and rounding is monotone.
  let s = div255(add_nonneg(hi_b, lo_b & 0x7fffffffu));
  if (s >= F32_INF || s == 0u) { return vec2<u32>(s, 0u); } // overflow: inf; underflow: 0 (zp NaN)
  return vec2<u32>(s, u32(min(divide_round(lo_b & 0x7fffffffu, s).x, 255)));
}
