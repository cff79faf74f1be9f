// f32 3-D Conv, NCDHW (host: conv3d.ts; oracle: conv2d.ref.ts, which replays MLAS's im2col + SGEMM
// order; this kernel sums in its own order, within 1e-5 relative of it): groups, strides,
// dilations, explicit pads (auto_pad resolved on the host by conv-geometry), bias added last.
// One invocation per output element (n, m, od, oh, ow): the taps of each input channel of m's
// group in weight order (c, kd, kh, kw), taps outside the input skipped (padding is 0).
// Bindings: 0 x, 1 w, 2 bias (a dummy when HAS_BIAS is off), 3 y, 4 params.
// Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;
override HAS_BIAS: bool = false;

struct Params {
  d: u32, h: u32, w: u32, cg: u32,
  od: u32, oh: u32, ow: u32, mg: u32,
  kd: u32, kh: u32, kw: u32, m: u32,
  sd: u32, sh: u32, sw: u32, total: u32,
  dd: u32, dh: u32, dw: u32, group: u32,
  pd: u32, ph: u32, pw: u32, pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (t >= P.total) { return; }
  let ow = t % P.ow;
  var r = t / P.ow;
  let oh = r % P.oh;
  r = r / P.oh;
  let od = r % P.od;
  r = r / P.od;
  let m = r % P.m;
  let n = r / P.m;
  let g = m / P.mg;
  let plane = P.d * P.h * P.w;
  let ksize = P.kd * P.kh * P.kw;
  let d0 = i32(od * P.sd) - i32(P.pd);
  let h0 = i32(oh * P.sh) - i32(P.ph);
  let w0 = i32(ow * P.sw) - i32(P.pw);
  var acc = 0.0;
  for (var c = 0u; c < P.cg; c++) {
    let xbase = (n * P.cg * P.group + g * P.cg + c) * plane;
    let wbase = (m * P.cg + c) * ksize;
    for (var kz = 0u; kz < P.kd; kz++) {
      let iz = d0 + i32(kz * P.dd);
      if (iz < 0 || iz >= i32(P.d)) { continue; }
      for (var ky = 0u; ky < P.kh; ky++) {
        let iy = h0 + i32(ky * P.dh);
        if (iy < 0 || iy >= i32(P.h)) { continue; }
        let xrow = xbase + (u32(iz) * P.h + u32(iy)) * P.w;
        let wrow = wbase + (kz * P.kh + ky) * P.kw;
        for (var kx = 0u; kx < P.kw; kx++) {
          let ix = w0 + i32(kx * P.dw);
          if (ix < 0 || ix >= i32(P.w)) { continue; }
          acc = acc + x[xrow + u32(ix)] * wt[wrow + kx];
        }
      }
    }
  }
  if (HAS_BIAS) { acc = acc + bias[m]; }
  y[t] = acc;
}
