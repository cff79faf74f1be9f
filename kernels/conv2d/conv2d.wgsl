// f32 2-D convolution, NCHW (host: conv2d.ts; oracle: conv2d.ref.ts), with groups, stride,
// dilation, explicit pads (auto_pad is resolved on the host) and an optional fused bias + Relu/Clip:
//
//   y[n, g Mg + j, oh, ow] = act(bias[g Mg + j] + sum_{c < Cg, kh, kw}
//       x[n, g Cg + c, oh sh - pt + kh dh, ow sw - pl + kw dw] * w[g Mg + j, c, kh, kw])
//
// (taps outside the input contribute 0). Written for SwiftShader (a CPU Vulkan: SIMD over 4
// invocations, both sides of every branch executed, every storage load a bounds-checked gather):
// no workgroup memory or barriers, branch-free inner loops (clamped indices + select), vec4 loads,
// and many outputs per invocation so one load feeds several FMAs.
// Bindings: 0 x, 1 w (entry-point specific, see below), 2 bias (any read buffer when has_bias = 0),
// 3 y, 4 params.
// - conv_tile: 8 horizontally adjacent output pixels x 8 output channels per invocation. w is the
//   repacked `w_packed` (repack_weights): [g][oc block of 8][kh][kw][c][8] as vec4 pairs, zero past
//   Mg, so each (tap, channel) costs 8 x loads + 2 vec4 w loads for 64 FMAs (loads, not FMAs, are
//   what costs on SwiftShader). Grid: (ceil(OH ceil(OW / 8) / WG), oc blocks, N group).
// - conv_pointwise: 1x1, stride 1, no pads: 8 consecutive flat pixels x 8 output channels (the
//   plane as one row, so 13x13 or 27x27 planes waste no lanes on row ends), same packed w.
//   Grid: (ceil(ceil(OH OW / 8) / WG), oc blocks, N group).
// - conv_direct: 4 adjacent output pixels of one output channel per invocation, original w layout
//   (depthwise and other narrow groups, where an 8-channel block would be mostly empty).
//   Grid: (ceil(OH quads_w / WG), M, N).
// - repack_weights: one invocation per packed weight (binding 0 is the source w, 3 the packed).
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max].

override WG: u32 = 64u;
override ACT: u32 = 0u;

struct Params {
  c: u32, h: u32, w: u32, cg: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, pt: u32, pl: u32,
  oh: u32, ow: u32, mg: u32, group: u32,
  m: u32, has_bias: u32, total: u32, quads_w: u32,
  act_min: f32, act_max: f32, oc_blocks: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> w_packed: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn activate(v: vec4<f32>) -> vec4<f32> {
  if (ACT == 1u) { return max(v, vec4<f32>(0.0)); }
  if (ACT == 2u) { return min(max(v, vec4<f32>(params.act_min)), vec4<f32>(params.act_max)); }
  return v;
}

fn bias_of(oc: u32) -> f32 {
  return select(0.0, bias[min(oc, params.m - 1u)], params.has_bias != 0u);
}

// Clamped element offsets (within a channel plane) and validity of the 4 taps at row ih and columns
// iw0 + p sw (p = 0..3): out-of-range taps read a valid element and are zeroed by `select`.
struct QuadTaps { off: vec4<u32>, ok: vec4<bool> }

fn quad_taps(ih: i32, iw0: i32) -> QuadTaps {
  let hi = i32(params.h) - 1;
  let wi = i32(params.w) - 1;
  let row = u32(clamp(ih, 0, hi)) * params.w;
  let iw = vec4<i32>(iw0) + vec4<i32>(0, 1, 2, 3) * i32(params.sw);
  let col = vec4<u32>(clamp(iw, vec4<i32>(0), vec4<i32>(wi)));
  let ok = (iw >= vec4<i32>(0)) & (iw <= vec4<i32>(wi)) & vec4<bool>(ih >= 0 && ih <= hi);
  return QuadTaps(vec4<u32>(row) + col, ok);
}

fn load_quad(base: u32, t: QuadTaps) -> vec4<f32> {
  let v = vec4<f32>(x[base + t.off.x], x[base + t.off.y], x[base + t.off.z], x[base + t.off.w]);
  return select(vec4<f32>(0.0), v, t.ok);
}

// Stores the 4 pixels (vec4 over pixels) of output channel `oc` for pixels ow0.. of row oh.
fn store_quad(img: u32, oc: u32, oh: u32, ow0: u32, v: vec4<f32>) {
  let r = activate(v + vec4<f32>(bias_of(oc)));
  let base = ((img * params.m + oc) * params.oh + oh) * params.ow + ow0;
  let n = min(4u, params.ow - ow0);
  for (var p = 0u; p < n; p++) { y[base + p] = r[p]; }
}

@compute @workgroup_size(WG)
fn conv_tile(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  // params.quads_w counts 8-pixel runs here: pixels ow0..ow0+3 (quad a) and ow0+4..ow0+7 (quad b).
  let oh = gid.x / params.quads_w;
  if (oh >= params.oh) { return; }
  let ow0 = (gid.x % params.quads_w) * 8u;
  let ob = wid.y;
  let img = wid.z / params.group;
  let g = wid.z % params.group;
  let plane = params.h * params.w;
  let chan0 = (img * params.c + g * params.cg) * plane;
  let ih0 = i32(oh * params.sh) - i32(params.pt);
  let iw0 = i32(ow0 * params.sw) - i32(params.pl);
  let iw1 = iw0 + 4 * i32(params.sw);
  // p<pixel>l: oc 0..3 of that pixel, p<pixel>h: oc 4..7 (pixels 0..7 of the run).
  var p0l = vec4<f32>(0.0); var p1l = vec4<f32>(0.0); var p2l = vec4<f32>(0.0); var p3l = vec4<f32>(0.0);
  var p4l = vec4<f32>(0.0); var p5l = vec4<f32>(0.0); var p6l = vec4<f32>(0.0); var p7l = vec4<f32>(0.0);
  var p0h = vec4<f32>(0.0); var p1h = vec4<f32>(0.0); var p2h = vec4<f32>(0.0); var p3h = vec4<f32>(0.0);
  var p4h = vec4<f32>(0.0); var p5h = vec4<f32>(0.0); var p6h = vec4<f32>(0.0); var p7h = vec4<f32>(0.0);
  var wi = (g * params.oc_blocks + ob) * params.kh * params.kw * params.cg * 2u;
  for (var kh = 0u; kh < params.kh; kh++) {
    let ih = ih0 + i32(kh * params.dh);
    for (var kw = 0u; kw < params.kw; kw++) {
      let tap = i32(kw * params.dw);
      let ta = quad_taps(ih, iw0 + tap);
      let tb = quad_taps(ih, iw1 + tap);
      var base = chan0;
      for (var c = 0u; c < params.cg; c++) {
        let xa = load_quad(base, ta);
        let xb = load_quad(base, tb);
        let wl = w_packed[wi];
        let wh = w_packed[wi + 1u];
        base += plane;
        wi += 2u;
        p0l = fma(vec4<f32>(xa.x), wl, p0l); p0h = fma(vec4<f32>(xa.x), wh, p0h);
        p1l = fma(vec4<f32>(xa.y), wl, p1l); p1h = fma(vec4<f32>(xa.y), wh, p1h);
        p2l = fma(vec4<f32>(xa.z), wl, p2l); p2h = fma(vec4<f32>(xa.z), wh, p2h);
        p3l = fma(vec4<f32>(xa.w), wl, p3l); p3h = fma(vec4<f32>(xa.w), wh, p3h);
        p4l = fma(vec4<f32>(xb.x), wl, p4l); p4h = fma(vec4<f32>(xb.x), wh, p4h);
        p5l = fma(vec4<f32>(xb.y), wl, p5l); p5h = fma(vec4<f32>(xb.y), wh, p5h);
        p6l = fma(vec4<f32>(xb.z), wl, p6l); p6h = fma(vec4<f32>(xb.z), wh, p6h);
        p7l = fma(vec4<f32>(xb.w), wl, p7l); p7h = fma(vec4<f32>(xb.w), wh, p7h);
      }
    }
  }
  let oc0 = ob * 8u;
  // Per output channel j: pixels 0..3 and 4..7 (one epilogue in a loop, not 16 inlined copies).
  let qa = array<vec4<f32>, 8>(
    vec4<f32>(p0l.x, p1l.x, p2l.x, p3l.x), vec4<f32>(p0l.y, p1l.y, p2l.y, p3l.y),
    vec4<f32>(p0l.z, p1l.z, p2l.z, p3l.z), vec4<f32>(p0l.w, p1l.w, p2l.w, p3l.w),
    vec4<f32>(p0h.x, p1h.x, p2h.x, p3h.x), vec4<f32>(p0h.y, p1h.y, p2h.y, p3h.y),
    vec4<f32>(p0h.z, p1h.z, p2h.z, p3h.z), vec4<f32>(p0h.w, p1h.w, p2h.w, p3h.w));
  let qb = array<vec4<f32>, 8>(
    vec4<f32>(p4l.x, p5l.x, p6l.x, p7l.x), vec4<f32>(p4l.y, p5l.y, p6l.y, p7l.y),
    vec4<f32>(p4l.z, p5l.z, p6l.z, p7l.z), vec4<f32>(p4l.w, p5l.w, p6l.w, p7l.w),
    vec4<f32>(p4h.x, p5h.x, p6h.x, p7h.x), vec4<f32>(p4h.y, p5h.y, p6h.y, p7h.y),
    vec4<f32>(p4h.z, p5h.z, p6h.z, p7h.z), vec4<f32>(p4h.w, p5h.w, p6h.w, p7h.w));
  let oc_end = min(8u, params.mg - oc0);
  let has_b = ow0 + 4u < params.ow;
  for (var j = 0u; j < oc_end; j++) {
    let oc = g * params.mg + oc0 + j;
    store_quad(img, oc, oh, ow0, qa[j]);
    if (has_b) { store_quad(img, oc, oh, ow0 + 4u, qb[j]); }
  }
}

@compute @workgroup_size(WG)
fn conv_pointwise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let P = params.oh * params.ow;
  let p0 = gid.x * 8u;
  if (p0 >= P) { return; }
  let ob = wid.y;
  let img = wid.z / params.group;
  let g = wid.z % params.group;
  // Pixels past P read the last one (never stored): no masks in the loop.
  let last = vec4<u32>(P - 1u);
  let oa = min(vec4<u32>(p0) + vec4<u32>(0u, 1u, 2u, 3u), last);
  let ob4 = min(vec4<u32>(p0) + vec4<u32>(4u, 5u, 6u, 7u), last);
  var base = (img * params.c + g * params.cg) * P;
  var p0l = vec4<f32>(0.0); var p1l = vec4<f32>(0.0); var p2l = vec4<f32>(0.0); var p3l = vec4<f32>(0.0);
  var p4l = vec4<f32>(0.0); var p5l = vec4<f32>(0.0); var p6l = vec4<f32>(0.0); var p7l = vec4<f32>(0.0);
  var p0h = vec4<f32>(0.0); var p1h = vec4<f32>(0.0); var p2h = vec4<f32>(0.0); var p3h = vec4<f32>(0.0);
  var p4h = vec4<f32>(0.0); var p5h = vec4<f32>(0.0); var p6h = vec4<f32>(0.0); var p7h = vec4<f32>(0.0);
  var wi = (g * params.oc_blocks + ob) * params.cg * 2u;
  for (var c = 0u; c < params.cg; c++) {
    let xa = vec4<f32>(x[base + oa.x], x[base + oa.y], x[base + oa.z], x[base + oa.w]);
    let xb = vec4<f32>(x[base + ob4.x], x[base + ob4.y], x[base + ob4.z], x[base + ob4.w]);
    let wl = w_packed[wi];
    let wh = w_packed[wi + 1u];
    base += P;
    wi += 2u;
    p0l = fma(vec4<f32>(xa.x), wl, p0l); p0h = fma(vec4<f32>(xa.x), wh, p0h);
    p1l = fma(vec4<f32>(xa.y), wl, p1l); p1h = fma(vec4<f32>(xa.y), wh, p1h);
    p2l = fma(vec4<f32>(xa.z), wl, p2l); p2h = fma(vec4<f32>(xa.z), wh, p2h);
    p3l = fma(vec4<f32>(xa.w), wl, p3l); p3h = fma(vec4<f32>(xa.w), wh, p3h);
    p4l = fma(vec4<f32>(xb.x), wl, p4l); p4h = fma(vec4<f32>(xb.x), wh, p4h);
    p5l = fma(vec4<f32>(xb.y), wl, p5l); p5h = fma(vec4<f32>(xb.y), wh, p5h);
    p6l = fma(vec4<f32>(xb.z), wl, p6l); p6h = fma(vec4<f32>(xb.z), wh, p6h);
    p7l = fma(vec4<f32>(xb.w), wl, p7l); p7h = fma(vec4<f32>(xb.w), wh, p7h);
  }
  let qa = array<vec4<f32>, 8>(
    vec4<f32>(p0l.x, p1l.x, p2l.x, p3l.x), vec4<f32>(p0l.y, p1l.y, p2l.y, p3l.y),
    vec4<f32>(p0l.z, p1l.z, p2l.z, p3l.z), vec4<f32>(p0l.w, p1l.w, p2l.w, p3l.w),
    vec4<f32>(p0h.x, p1h.x, p2h.x, p3h.x), vec4<f32>(p0h.y, p1h.y, p2h.y, p3h.y),
    vec4<f32>(p0h.z, p1h.z, p2h.z, p3h.z), vec4<f32>(p0h.w, p1h.w, p2h.w, p3h.w));
  let qb = array<vec4<f32>, 8>(
    vec4<f32>(p4l.x, p5l.x, p6l.x, p7l.x), vec4<f32>(p4l.y, p5l.y, p6l.y, p7l.y),
    vec4<f32>(p4l.z, p5l.z, p6l.z, p7l.z), vec4<f32>(p4l.w, p5l.w, p6l.w, p7l.w),
    vec4<f32>(p4h.x, p5h.x, p6h.x, p7h.x), vec4<f32>(p4h.y, p5h.y, p6h.y, p7h.y),
    vec4<f32>(p4h.z, p5h.z, p6h.z, p7h.z), vec4<f32>(p4h.w, p5h.w, p6h.w, p7h.w));
  let oc0 = ob * 8u;
  let oc_end = min(8u, params.mg - oc0);
  let n = min(8u, P - p0);
  for (var j = 0u; j < oc_end; j++) {
    let oc = g * params.mg + oc0 + j;
    let bv = vec4<f32>(bias_of(oc));
    let ra = activate(qa[j] + bv);
    let rb = activate(qb[j] + bv);
    let out = (img * params.m + oc) * P + p0;
    for (var p = 0u; p < n; p++) { y[out + p] = select(rb[p & 3u], ra[p & 3u], p < 4u); }
  }
}

@compute @workgroup_size(WG)
fn conv_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let oh = gid.x / params.quads_w;
  if (oh >= params.oh) { return; }
  let ow0 = (gid.x % params.quads_w) * 4u;
  let oc = wid.y;
  let img = wid.z;
  let g = oc / params.mg;
  let plane = params.h * params.w;
  let ih0 = i32(oh * params.sh) - i32(params.pt);
  let iw0 = i32(ow0 * params.sw) - i32(params.pl);
  var acc = vec4<f32>(0.0);
  var wi = oc * params.cg * params.kh * params.kw;
  var base = (img * params.c + g * params.cg) * plane;
  for (var c = 0u; c < params.cg; c++) {
    for (var kh = 0u; kh < params.kh; kh++) {
      let ih = ih0 + i32(kh * params.dh);
      for (var kw = 0u; kw < params.kw; kw++) {
        acc = fma(load_quad(base, quad_taps(ih, iw0 + i32(kw * params.dw))), vec4<f32>(w[wi]), acc);
        wi++;
      }
    }
    base += plane;
  }
  store_quad(img, oc, oh, ow0, acc);
}

@compute @workgroup_size(WG)
fn repack_weights(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= params.total) { return; }
  // e = ((((g OB + ob) KH + kh) KW + kw) Cg + c) 8 + j
  let j = e % 8u;
  var r = e / 8u;
  let c = r % params.cg; r /= params.cg;
  let kw = r % params.kw; r /= params.kw;
  let kh = r % params.kh; r /= params.kh;
  let ob = r % params.oc_blocks;
  let g = r / params.oc_blocks;
  let jj = ob * 8u + j;
  let oc = g * params.mg + min(jj, params.mg - 1u);
  let v = w[((oc * params.cg + c) * params.kh + kh) * params.kw + kw];
  y[e] = select(0.0, v, jj < params.mg);
}
