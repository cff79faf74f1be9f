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

// split_f32 and divide_round: kernels/gpu/wgsl/f32-exact.wgsl, prepended by the host.

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
