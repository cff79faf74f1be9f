// conv2d-int8-params.wgsl: the conv parameters, bindings and byte decoding shared by the int8 conv
// kernels on the GEMM core (conv2d-int8.wgsl, conv2d-int8-depthwise.wgsl); conv2d-int8.ts writes
// the uniform in this field order and loads this file before the kernel's own.
// Bindings: 4 x (packed 8-bit NCHW), 5 w (packed 8-bit [M, Cg, KH, KW], or [M, KH, KW, Cg] when
// k_hwc), 6 conv (uniform).

struct ConvParams {
  c: u32, h: u32, w: u32, cg: u32,
  kh: u32, kw: u32, stride_h: u32, stride_w: u32,
  dil_h: u32, dil_w: u32, pad_t: u32, pad_l: u32,
  oh: u32, ow: u32, mg: u32, groups: u32,
  zx: i32, x_signed: u32, w_signed: u32, m_total: u32,
  // 1: K runs (kh, kw, c) (onnxruntime's channels-last im2col order) and w holds [M, KH, KW, Cg].
  k_hwc: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(4) var<storage, read> x_data: array<u32>;
@group(0) @binding(5) var<storage, read> w_data: array<u32>;
@group(0) @binding(6) var<uniform> conv: ConvParams;

fn as_signed(raw: u32, signed: u32) -> i32 {
  return select(i32(raw) - 128, (i32(raw) << 24u) >> 24u, signed != 0u);
}
