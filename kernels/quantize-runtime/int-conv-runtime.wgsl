// int-conv-runtime.wgsl: ConvInteger whose zero points are GPU values (fed, or computed by
// DynamicQuantizeLinear): one invocation per output (n, m, oh, ow), summing (c, kh, kw) in the
// reference's order (kernels/conv2d-int8/conv2d-int8.ref.ts) with wrapping i32 arithmetic, which is
// the reference's int32 mode exactly. Padding taps contribute (zx - zx) = 0, so they are skipped.
// 1-D convs come as H = 1. Zero points are read from their packed 8-bit buffers each run.
// QLinearConv's int32 bias (one per output channel) is added last, wrapping, as the reference does.
// Bindings: 0 x, 1 w, 2 x zero point, 3 w zero points (packed 8-bit), 4 y (i32), 5 params, 6 bias.

struct Params {
  n: u32, c: u32, h: u32, w: u32,
  m: u32, cg: u32, kh: u32, kw: u32,
  oh: u32, ow: u32, stride_h: u32, stride_w: u32,
  dil_h: u32, dil_w: u32, pad_t: i32, pad_l: i32,
  group: u32, x_signed: u32, w_signed: u32, zx_count: u32,
  zw_count: u32, has_bias: u32, _p1: u32, _p2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> wt: array<u32>;
@group(0) @binding(2) var<storage, read> zx_buf: array<u32>;
@group(0) @binding(3) var<storage, read> zw_buf: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<i32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<storage, read> bias: array<i32>;

fn unpack(word: u32, i: u32, signed: bool) -> i32 {
  let v = i32((word >> (8u * (i % 4u))) & 0xffu);
  return select(v, (v << 24u) >> 24u, signed);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * 64u + lid;
  let p = params;
  if (o >= p.n * p.m * p.oh * p.ow) { return; }
  let ox = o % p.ow;
  let oy = (o / p.ow) % p.oh;
  let m = (o / (p.ow * p.oh)) % p.m;
  let b = o / (p.ow * p.oh * p.m);
  let x_signed = p.x_signed == 1u;
  let w_signed = p.w_signed == 1u;
  var zx = 0;
  if (p.zx_count > 0u) { zx = unpack(zx_buf[0], 0u, x_signed); }
  var zw = 0;
  if (p.zw_count > 0u) {
    let i = select(0u, m, p.zw_count > 1u);
    zw = unpack(zw_buf[i / 4u], i, w_signed);
  }
  let mg = p.m / p.group;
  let c0 = (m / mg) * p.cg;
  var acc = 0;
  for (var ci = 0u; ci < p.cg; ci++) {
    let c = c0 + ci;
    for (var ky = 0u; ky < p.kh; ky++) {
      let iy = i32(oy * p.stride_h + ky * p.dil_h) - p.pad_t;
      if (iy < 0 || iy >= i32(p.h)) { continue; }
      for (var kx = 0u; kx < p.kw; kx++) {
        let ix = i32(ox * p.stride_w + kx * p.dil_w) - p.pad_l;
        if (ix < 0 || ix >= i32(p.w)) { continue; }
        let xi = ((b * p.c + c) * p.h + u32(iy)) * p.w + u32(ix);
        let wi = ((m * p.cg + ci) * p.kh + ky) * p.kw + kx;
        acc += (unpack(x[xi / 4u], xi, x_signed) - zx) * (unpack(wt[wi / 4u], wi, w_signed) - zw);
      }
    }
  }
  if (p.has_bias == 1u) { acc += bias[m]; }
  y[o] = acc;
}
