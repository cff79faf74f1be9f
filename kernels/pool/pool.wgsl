// f32 2-D pooling, NCHW (host: pool.ts; oracle: pool.ref.ts): MaxPool, AveragePool (with or
// without count_include_pad) and GlobalAveragePool (a window over the whole plane). Geometry
// (auto_pad, ceil_mode, dilations) is resolved on the host by conv-geometry, like the reference.
//
//   window of output (oh, ow): ih = oh sh - pt + kh dh, iw = ow sw - pl + kw dw, kh < KH, kw < KW
//   max: the largest tap inside the input (padding never wins)
//   avg: sum of taps inside / (count_include_pad ? taps inside the padded input : taps inside)
// Bindings: 0 x, 1 y, 2 params. One invocation per 4 adjacent outputs of a row (total = N C OH
// quads_w invocations); grid linear, 2-D past the dispatch limit.
// MODE: 0 max, 1 average excluding pads, 2 average including pads.

override MODE: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, pt: u32, pl: u32,
  pb: u32, pr: u32, total: u32, quads_w: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<private> NEG_INF_BITS: u32 = 0xff800000u;

// Written for SwiftShader (a CPU Vulkan that runs both sides of every branch, with every storage
// load a per-lane gather): 4 horizontally adjacent outputs per invocation, no branch in the window
// loop (out-of-range taps read a clamped element and are masked out by `select`).
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.total) { return; }
  let row = i / params.quads_w;             // nc * OH + oh
  let ow0 = (i % params.quads_w) * 4u;
  let nc = row / params.oh;
  let oh = row % params.oh;
  let base = nc * params.h * params.w;
  let hi_w = i32(params.w) - 1;
  let iw0 = vec4<i32>(vec4<u32>(ow0) + vec4<u32>(0u, 1u, 2u, 3u)) * i32(params.sw) - i32(params.pl);
  var best = vec4<f32>(bitcast<f32>(NEG_INF_BITS));
  var sum = vec4<f32>(0.0);
  var inside = vec4<u32>(0u);
  var padded = vec4<u32>(0u);
  for (var kh = 0u; kh < params.kh; kh++) {
    let ih = i32(oh * params.sh + kh * params.dh) - i32(params.pt);
    let row_in = ih >= 0 && ih < i32(params.h);
    let row_padded = ih < i32(params.h + params.pb);
    let row_off = base + u32(clamp(ih, 0, i32(params.h) - 1)) * params.w;
    for (var kw = 0u; kw < params.kw; kw++) {
      let iw = iw0 + vec4<i32>(i32(kw * params.dw));
      padded += select(vec4<u32>(0u), vec4<u32>(1u), (iw < vec4<i32>(i32(params.w + params.pr))) & vec4<bool>(row_padded));
      let ok = (iw >= vec4<i32>(0)) & (iw <= vec4<i32>(hi_w)) & vec4<bool>(row_in);
      let col = vec4<u32>(clamp(iw, vec4<i32>(0), vec4<i32>(hi_w)));
      let v = vec4<f32>(x[row_off + col.x], x[row_off + col.y], x[row_off + col.z], x[row_off + col.w]);
      // The first tap always counts, later ones only when larger (the reference's NaN behaviour).
      best = select(best, v, ok & ((v > best) | (inside == vec4<u32>(0u))));
      sum += select(vec4<f32>(0.0), v, ok);
      inside += select(vec4<u32>(0u), vec4<u32>(1u), ok);
    }
  }
  var r = best;
  if (MODE != 0u) {
    let count = select(inside, padded, MODE == 2u);
    r = select(vec4<f32>(0.0), sum / vec4<f32>(count), count > vec4<u32>(0u));
  }
  let out = row * params.ow + ow0;
  let n = min(4u, params.ow - ow0);
  for (var p = 0u; p < n; p++) { y[out + p] = r[p]; }
}
