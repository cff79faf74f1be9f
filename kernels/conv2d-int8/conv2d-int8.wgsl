// conv2d-int8.wgsl: int8/uint8 2-D convolution as an implicit-im2col GEMM on the shared core
// (kernels/gpu/wgsl/int8-gemm-core.wgsl documents tiling, accumulation and requantize).
//
//   acc[img, g*Mg + n, oh, ow] = sum_{c, kh, kw} (x[img, g*Cg + c, ih, iw] - zx) * (w[g*Mg + n, c, kh, kw] - zw) + bias
//   ih = oh*sh - pt + kh*dh, iw = ow*sw - pl + kw*dw; outside the input x reads zx (the padding).
// GEMM view per (img, group) = workgroup_id.z: rows m = oh*OW + ow, columns n in [0, Mg),
// K = Cg*KH*KW in the reference's order (c outer, then kh, then kw; or kh, kw, c with k_hwc),
// gathered on the fly.
// Bindings added here (conv2d-int8-params.wgsl): 4 x (packed 8-bit NCHW), 5 w (packed 8-bit
// [M, Cg, KH, KW]), 6 conv (uniform ConvParams).
// Output NCHW; output channel = g*Mg + n.

fn a_group(batch: u32) -> u32 { return batch / conv.groups; }
fn b_group(batch: u32) -> u32 { return batch % conv.groups; }

fn load_a(batch: u32, m: u32, k: u32) -> i32 {
  let img = batch / conv.groups;
  let g = batch % conv.groups;
  let taps = conv.kh * conv.kw;
  // K order: (c, kh, kw), or (kh, kw, c) with k_hwc (r: the tap kh*KW + kw).
  let c = select(k / taps, k % conv.cg, conv.k_hwc != 0u);
  let r = select(k % taps, k / conv.cg, conv.k_hwc != 0u);
  let ih = i32((m / conv.ow) * conv.stride_h + (r / conv.kw) * conv.dil_h) - i32(conv.pad_t);
  let iw = i32((m % conv.ow) * conv.stride_w + (r % conv.kw) * conv.dil_w) - i32(conv.pad_l);
  if (ih < 0 || iw < 0 || ih >= i32(conv.h) || iw >= i32(conv.w)) { return conv.zx; }
  let e = ((img * conv.c + g * conv.cg + c) * conv.h + u32(ih)) * conv.w + u32(iw) - gemm.a_base;
  return as_signed((x_data[e >> 2u] >> (8u * (e & 3u))) & 0xffu, conv.x_signed);
}

fn load_b(batch: u32, n: u32, k: u32) -> i32 {
  let e = ((batch % conv.groups) * conv.mg + n) * gemm.k + k - gemm.b_base;
  return as_signed((w_data[e >> 2u] >> (8u * (e & 3u))) & 0xffu, conv.w_signed);
}

fn out_index(batch: u32, m: u32, n: u32) -> u32 {
  let img = batch / conv.groups;
  let g = batch % conv.groups;
  return (img * conv.m_total + g * conv.mg + n) * (conv.oh * conv.ow) + m;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  gemm_main(wid, lid3, lid);
}
