// f32 2-D pooling, NCHW (host: pool.ts; oracle: pool.ref.ts): MaxPool, AveragePool (with or
// without count_include_pad) and GlobalAveragePool (a window over the whole plane). Geometry
// (auto_pad, ceil_mode, dilations) is resolved on the host by conv-geometry, like the reference.
//
//   window of output (oh, ow): ih = oh sh - pt + kh dh, iw = ow sw - pl + kw dw, kh < KH, kw < KW
//   max: the largest tap inside the input (padding never wins)
//   avg: sum of taps inside / (count_include_pad ? taps inside the padded input : taps inside)
// Bindings: 0 x, 1 y, 2 params. One thread per output; grid linear, 2-D past the dispatch limit.
// MODE: 0 max, 1 average excluding pads, 2 average including pads.

override MODE: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, pt: u32, pl: u32,
  pb: u32, pr: u32, total: u32, pad0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<private> NEG_INF_BITS: u32 = 0xff800000u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.total) { return; }
  let plane = params.oh * params.ow;
  let nc = i / plane;
  let oh = (i % plane) / params.ow;
  let ow = i % params.ow;
  let base = nc * params.h * params.w;
  var best = bitcast<f32>(NEG_INF_BITS);
  var sum = 0.0;
  var inside = 0u;
  var padded = 0u;
  for (var kh = 0u; kh < params.kh; kh++) {
    let ih = i32(oh * params.sh + kh * params.dh) - i32(params.pt);
    for (var kw = 0u; kw < params.kw; kw++) {
      let iw = i32(ow * params.sw + kw * params.dw) - i32(params.pl);
      if (ih >= -i32(params.pt) && ih < i32(params.h + params.pb) && iw >= -i32(params.pl) && iw < i32(params.w + params.pr)) {
        padded++;
      }
      if (ih < 0 || iw < 0 || ih >= i32(params.h) || iw >= i32(params.w)) { continue; }
      let v = x[base + u32(ih) * params.w + u32(iw)];
      // The first tap always counts, later ones only when larger (the reference's NaN behaviour).
      best = select(best, v, v > best || inside == 0u);
      sum += v;
      inside++;
    }
  }
  if (MODE == 0u) {
    y[i] = best;
  } else {
    let count = select(inside, padded, MODE == 2u);
    y[i] = select(0.0, sum / f32(count), count > 0u);
  }
}
