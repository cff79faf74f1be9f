// conv2d-int8-depthwise.wgsl: direct int8 depthwise convolution (group = C, Cg = 1, M = C * mult).
// One invocation per output element; the K loop (kh outer, kw inner: the reference's order) runs
// through the GEMM core's add_term / add_pair and finish_output, so accumulator modes, statistics
// and requantize are the same code as the GEMM path. The core's tiles and gemm_main are unused.
//   acc[img, oc, oh, ow] = sum_{kh, kw} (x[img, oc / mult, ih, iw] - zx) * (w[oc, 0, kh, kw] - zw[oc]) + bias[oc]
// Bindings: the core's 0..3, plus 4 x (packed 8-bit NCHW), 5 w (packed 8-bit [M, 1, KH, KW]),
// 6 conv (uniform ConvParams): conv2d-int8-params.wgsl, shared with conv2d-int8.wgsl.
// Dispatch: 2-D linear grid of WG_X * WG_Y lanes covering output indices [gemm.wg_off_x, gemm.m):
// a split run sets both per image range, and binds windows of x / w / output whose first elements
// are gemm.a_base / b_base / out_base.

// The core's gemm_main needs these; the depthwise entry point never calls it.
fn a_group(batch: u32) -> u32 { return 0u; }
fn b_group(batch: u32) -> u32 { return 0u; }
fn load_a(batch: u32, m: u32, k: u32) -> i32 { return 0; }
fn load_b(batch: u32, n: u32, k: u32) -> i32 { return 0; }
fn out_index(batch: u32, m: u32, n: u32) -> u32 { return 0u; }

fn x_at(img: u32, ci: u32, oh: u32, ow: u32, kh: u32, kw: u32) -> i32 {
  let ih = i32(oh * conv.stride_h + kh * conv.dil_h) - i32(conv.pad_t);
  let iw = i32(ow * conv.stride_w + kw * conv.dil_w) - i32(conv.pad_l);
  if (ih < 0 || iw < 0 || ih >= i32(conv.h) || iw >= i32(conv.w)) { return conv.zx; }
  let e = ((img * conv.c + ci) * conv.h + u32(ih)) * conv.w + u32(iw) - gemm.a_base;
  return as_signed((x_data[e >> 2u] >> (8u * (e & 3u))) & 0xffu, conv.x_signed);
}

fn w_at(oc: u32, k: u32) -> i32 {
  let e = oc * gemm.k + k - gemm.b_base;
  return as_signed((w_data[e >> 2u] >> (8u * (e & 3u))) & 0xffu, conv.w_signed);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = gemm.wg_off_x + (wid.y * nwg.x + wid.x) * (WG_X * WG_Y) + lid;
  let plane = conv.oh * conv.ow;
  let total = gemm.m;   // end of this dispatch's output indices (all: images * M * OH * OW)
  if (index >= total) { return; }
  let pix = index % plane;
  let oc = (index / plane) % conv.m_total;
  let img = index / (plane * conv.m_total);
  let ci = oc / conv.mg;  // mg = channel multiplier here
  let oh = pix / conv.ow;
  let ow = pix % conv.ow;
  let za = conv.zx;
  let zb = tables[gemm.zb_base + oc * gemm.zb_col_stride];
  var acc: Acc;
  let K = gemm.k;
  if (gemm.acc_mode == 3u) {
    for (var k = 0u; k < K; k = k + 2u) {
      let has1 = k + 1u < K;
      let a0 = x_at(img, ci, oh, ow, k / conv.kw, k % conv.kw);
      let b0 = w_at(oc, k);
      var a1 = 0;
      var b1 = 0;
      if (has1) { a1 = x_at(img, ci, oh, ow, (k + 1u) / conv.kw, (k + 1u) % conv.kw); b1 = w_at(oc, k + 1u); }
      acc.sum_a[0] = acc.sum_a[0] + a0 + 128 + select(0, a1 + 128, has1);
      acc.sum_b[0] = acc.sum_b[0] + b0 + b1;
      add_pair(&acc, 0u, a0, b0, a1, b1, has1, za, zb);
    }
  } else {
    for (var k = 0u; k < K; k = k + 1u) {
      add_term(&acc, 0u, (x_at(img, ci, oh, ow, k / conv.kw, k % conv.kw) - za) * (w_at(oc, k) - zb));
    }
  }
  finish_output(&acc, 0u, 0u, 0u, za, zb, oc, index);
}
