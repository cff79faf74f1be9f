// requantize-runtime.wgsl: onnxruntime's requantization (kernels/requantize/requantize.ref.ts,
// 'ort') with the scales and the output zero point read from GPU buffers each run:
//   M = f32(f32(sx * sw[c]) / sy)   (in integers, f32-exact.wgsl: WGSL's `/` is only accurate to
//                                    2.5 ULP and devices may flush subnormal products)
//   y = clamp(roundHalfEven(f32(f32(acc) * M)) + zy, qmin, qmax)
// f32(acc) is made exact from two 16-bit halves (as kernels/gpu/wgsl/requantize.wgsl does); the one
// f32 multiply is correctly rounded, and a subnormal product rounds to 0 flushed or not. Needs
// f32-exact.wgsl. Each invocation writes one packed word (4 outputs).
// Bindings: 0 acc (i32), 1 y (packed 8-bit), 2 sx, 3 sw (f32 bits), 4 sy, 5 zy (packed 8-bit),
// 6 params.

struct Params { count: u32, inner: u32, channels: u32, signed: u32, qmin: i32, qmax: i32, }

@group(0) @binding(0) var<storage, read> acc: array<i32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> sx: array<u32>;
@group(0) @binding(3) var<storage, read> sw: array<u32>;
@group(0) @binding(4) var<storage, read> sy: array<u32>;
@group(0) @binding(5) var<storage, read> zy_buf: array<u32>;
@group(0) @binding(6) var<uniform> params: Params;

fn exact_f32_of_i32(v: i32) -> f32 {
  let low = v & 0xffff;
  return f32(v - low) + f32(low);
}

// f32(f32(sx * sw) / sy) from the bits; signs apart. Non-finite or zero y scales (no model has
// them) take the plain float expression.
fn multiplier(sx_b: u32, sw_b: u32, sy_b: u32) -> f32 {
  let ax = sx_b & 0x7fffffffu;
  let aw = sw_b & 0x7fffffffu;
  let ay = sy_b & 0x7fffffffu;
  if (ax >= F32_INF || aw >= F32_INF || ay >= F32_INF || ay == 0u) {
    return bitcast<f32>(sx_b) * bitcast<f32>(sw_b) / bitcast<f32>(sy_b);
  }
  let p = mul_nonneg(ax, aw);
  let q = select(div_nonneg(p, ay), F32_INF, p >= F32_INF);
  return bitcast<f32>(q | ((sx_b ^ sw_b ^ sy_b) & 0x80000000u));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let word = (wid.y * nwg.x + wid.x) * 64u + lid;
  let first = word * 4u;
  if (first >= params.count) { return; }
  var zy = i32(zy_buf[0] & 0xffu);
  if (params.signed == 1u) { zy = (zy << 24u) >> 24u; }
  var packed = 0u;
  for (var j = 0u; j < min(4u, params.count - first); j++) {
    let i = first + j;
    let c = (i / params.inner) % params.channels;
    let m = multiplier(sx[0], sw[c], sy[0]);
    let scaled = exact_f32_of_i32(acc[i]) * m;
    let r = i32(clamp(round(scaled), -1073741824.0, 1073741824.0));
    let q = clamp(r + zy, params.qmin, params.qmax);
    packed = packed | ((u32(q) & 0xffu) << (8u * j));
  }
  y[word] = packed;
}
