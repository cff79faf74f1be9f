// dynamic-quantize-params.wgsl: DynamicQuantizeLinear's scale and zero point (uint8), bit-exact with
// kernels/quantize/quantize.ref.ts `dynamicQuantizeLinear` (onnxruntime's GetQuantizationParameter):
//   lo = min(min(x), 0), hi = max(max(x), 0)  (NaN never compares, so it is skipped)
//   scale = hi == lo ? 1 : fl32(fl32(hi - lo) / 255)
//   zp = roundHalfEven(clamp(fl32(0 - fl32(lo / scale)), 0, 255))
// One workgroup scans the whole tensor (min / max on integer keys of the bit patterns, so NaN,
// infinities and -0 behave as in the reference whatever the compiler assumes about floats), then
// invocation 0 computes the parameters with div_nearest (div-nearest.wgsl, prepended by the host),
// because WGSL's `/` is only accurate to 2.5 ULP. Infinite or overflowing ranges give scale = +inf
// and zp = 0, as the reference does (its NaN zero point stores as 0). The quantization itself is
// quantize.wgsl reading these two words as its per-tensor scale and zero point.
//
// Bindings: 0 x (f32 bits), 1 scale (one f32), 2 zp (one word: the uint8 in its low byte, which is
// also the packed uint8 tensor and the i32 quantize.wgsl reads), 3 params { count }.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { count: u32, }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> scale_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> zp_out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> lo_keys: array<u32, WORKGROUP_SIZE>;
var<workgroup> hi_keys: array<u32, WORKGROUP_SIZE>;

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
  if (lo_b == hi_b) {
    scale_out[0] = 0x3f800000u; // 1
    zp_out[0] = 0u;
    return;
  }
  let lo_v = bitcast<f32>(lo_b);
  let hi_v = bitcast<f32>(hi_b);
  let inf_scale = 0x7f800000u;
  if (hi_b == 0x7f800000u || lo_b == 0xff800000u) {
    scale_out[0] = inf_scale;
    zp_out[0] = 0u;
    return;
  }
  // hi - lo = hi + |lo| overflows only when an operand is >= 2^126; then halve both (exact for
  // the large one, and the small one is far below half an ULP of the sum either way).
  var range = 0.0;
  if ((hi_b >= 0x7e800000u) || ((lo_b & 0x7fffffffu) >= 0x7e800000u)) {
    let half = hi_v * 0.5 - lo_v * 0.5;
    if (bitcast<u32>(half) > 0x7effffffu) {
      scale_out[0] = inf_scale;
      zp_out[0] = 0u;
      return;
    }
    range = half * 2.0;
  } else {
    range = hi_v - lo_v;
  }
  let s = div_nearest(range, 255.0);
  let initial = 0.0 - div_nearest(lo_v, s);
  scale_out[0] = bitcast<u32>(s);
  zp_out[0] = u32(round(clamp(initial, 0.0, 255.0)));
}
