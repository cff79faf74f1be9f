// f32 2-D convolution, NCHW (host: conv2d.ts; oracle: conv2d.ref.ts), with groups, stride,
// dilation, explicit pads (auto_pad is resolved on the host) and an optional fused bias + Relu/Clip:
//
//   y[n, g Mg + j, oh, ow] = act(bias[g Mg + j] + sum_{c < Cg, kh, kw}
//       x[n, g Cg + c, oh sh - pt + kh dh, ow sw - pl + kw dw] * w[g Mg + j, c, kh, kw])
//
// (taps outside the input contribute 0). Two entry points, same bindings:
// 0 x, 1 w, 2 bias (any read buffer when has_bias = 0), 3 y, 4 params.
// - conv_gemm: implicit im2col GEMM per (n, g): rows p = oh OW + ow (P = OH OW), columns j < Mg,
//   K = Cg KH KW taps; a WG_X x WG_Y workgroup computes a (4 WG_X) x (4 WG_Y) tile (thread rows
//   lid.x + i WG_X so consecutive threads write consecutive y), TILE_K taps at a time through
//   workgroup memory. Grid: (ceil(P / (4 WG_X)), ceil(Mg / (4 WG_Y)), N group).
// - conv_direct: one thread per output element (for depthwise and other narrow groups, where a
//   GEMM tile would be mostly empty). Grid: linear over N M OH OW, 2-D past the dispatch limit.
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max].

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TILE_K: u32 = 16u;
override ACT: u32 = 0u;
const TM: u32 = 4u;

struct Params {
  c: u32, h: u32, w: u32, cg: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, pt: u32, pl: u32,
  oh: u32, ow: u32, mg: u32, group: u32,
  m: u32, has_bias: u32, total: u32, pad0: u32,
  act_min: f32, act_max: f32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn activate(v: f32) -> f32 {
  if (ACT == 1u) { return select(v, 0.0, v < 0.0); }
  if (ACT == 2u) { return select(select(v, params.act_max, v > params.act_max), params.act_min, v < params.act_min); }
  return v;
}

/** x at tap k of output position p for image n, group g; 0 in the padding. */
fn x_tap(n: u32, g: u32, p: u32, k: u32) -> f32 {
  let kk = params.kh * params.kw;
  let c = k / kk;
  let r = k % kk;
  let ih = i32((p / params.ow) * params.sh + (r / params.kw) * params.dh) - i32(params.pt);
  let iw = i32((p % params.ow) * params.sw + (r % params.kw) * params.dw) - i32(params.pl);
  if (ih < 0 || iw < 0 || ih >= i32(params.h) || iw >= i32(params.w)) { return 0.0; }
  return x[((n * params.c + g * params.cg + c) * params.h + u32(ih)) * params.w + u32(iw)];
}

var<workgroup> a_tile: array<f32, TM * WG_X * TILE_K>;  // [p][k]
var<workgroup> b_tile: array<f32, TILE_K * TM * WG_Y>;  // [k][j]

@compute @workgroup_size(WG_X, WG_Y)
fn conv_gemm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let P = params.oh * params.ow;
  let K = params.cg * params.kh * params.kw;
  let n = wid.z / params.group;
  let g = wid.z % params.group;
  let tile_p = TM * WG_X;
  let tile_j = TM * WG_Y;
  let p0 = wid.x * tile_p;
  let j0 = wid.y * tile_j;
  let tid = lid.y * WG_X + lid.x;
  let threads = WG_X * WG_Y;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += TILE_K) {
    for (var e = tid; e < tile_p * TILE_K; e += threads) {
      let pp = e / TILE_K;
      let gk = k0 + e % TILE_K;
      var v = 0.0;
      if (p0 + pp < P && gk < K) { v = x_tap(n, g, p0 + pp, gk); }
      a_tile[e] = v;
    }
    for (var e = tid; e < TILE_K * tile_j; e += threads) {
      let kk = e / tile_j;
      let jj = e % tile_j;
      var v = 0.0;
      if (k0 + kk < K && j0 + jj < params.mg) { v = w[(g * params.mg + j0 + jj) * K + k0 + kk]; }
      b_tile[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      var bv: array<f32, 4>;
      for (var j = 0u; j < TM; j++) { bv[j] = b_tile[kk * tile_j + lid.y + j * WG_Y]; }
      for (var i = 0u; i < TM; i++) {
        let av = a_tile[(lid.x + i * WG_X) * TILE_K + kk];
        for (var j = 0u; j < TM; j++) { acc[i][j] = fma(av, bv[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  for (var j = 0u; j < TM; j++) {
    let jj = j0 + lid.y + j * WG_Y;
    if (jj >= params.mg) { continue; }
    let oc = g * params.mg + jj;
    let b = select(0.0, bias[oc], params.has_bias != 0u);
    for (var i = 0u; i < TM; i++) {
      let p = p0 + lid.x + i * WG_X;
      if (p >= P) { continue; }
      y[(n * params.m + oc) * P + p] = activate(acc[i][j] + b);
    }
  }
}

@compute @workgroup_size(WG_X * WG_Y)
fn conv_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG_X * WG_Y;
  if (i >= params.total) { return; }
  let P = params.oh * params.ow;
  let K = params.cg * params.kh * params.kw;
  let p = i % P;
  let oc = (i / P) % params.m;
  let n = i / (P * params.m);
  let g = oc / params.mg;
  var acc = 0.0;
  for (var k = 0u; k < K; k++) { acc = fma(x_tap(n, g, p, k), w[oc * K + k], acc); }
  y[i] = activate(acc + select(0.0, bias[oc], params.has_bias != 0u));
}
