// conv2d-int8-packed-input.wgsl: the parameters and input reads shared by the packed int8 conv
// kernels (conv2d-int8-packed.wgsl, conv2d-int8-depthwise-packed.wgsl); see
// kernels/gpu/wgsl/int8-packed-common.wgsl for why these kernels exist.
// Each invocation computes two quads of 4 horizontally adjacent output pixels (a quad is one packed
// output word when OW % 4 == 0), so x is read as 4-byte rows: one or two word loads for unit stride.
// Bindings: 4 x (packed 8-bit NCHW, window starting at element gemm.a_base), 6 conv (uniform).

struct PackedConvParams {
  c: u32, h: u32, w: u32, cg: u32,
  kh: u32, kw: u32, stride_h: u32, stride_w: u32,
  dil_h: u32, dil_w: u32, pad_t: u32, pad_l: u32,
  oh: u32, ow: u32, mg: u32, groups: u32,
  zx: i32,            // x zero point in the signed-mapped domain (uint8: zp - 128)
  x_xor: u32,         // 0x80808080 for uint8 x (x ^ 0x80 = x - 128 as an int8 byte), else 0
  m_total: u32,
  octs_w: u32,        // ceil(OW / 8): 8-pixel groups per row (GEMM kernel)
  oc_blocks: u32,     // ceil(Mg / 8) (GEMM kernel)
  pad0: u32, pad1: u32, pad2: u32,  // the uniform is 6 x 16 bytes
}

@group(0) @binding(4) var<storage, read> x_data: array<u32>;
@group(0) @binding(6) var<uniform> conv: PackedConvParams;

const ONES: u32 = 0x01010101u;

override STRIDE1: bool = false;  // stride_w == 1: a quad is 4 adjacent bytes (two word loads)

// Reading x[ih, iw0 + j * stride_w], j = 0..3 (signed-mapped bytes packed little endian, positions
// outside the input read the zero point) is split in two so that the conv kernel computes the
// masks once per tap and only the loads per channel: quad_setup(ih, iw0) -> where and which bytes,
// quad_read(plane base, setup) -> the word. Branch-free (SwiftShader would run every branch):
// out-of-range reads are robust-access reads whose bytes are masked out.
struct QuadSetup {
  e: i32,       // element offset of byte 0 in its plane
  valid: u32,   // 0xff in every byte that lies inside the input
}

fn quad_setup(ih: i32, iw0: i32) -> QuadSetup {
  let row_ok = ih >= 0 && ih < i32(conv.h);
  var valid = 0u;
  if (STRIDE1) {
    let lo = u32(clamp(-iw0, 0, 4));                        // bytes before column 0
    let hi = u32(clamp(iw0 + 4 - i32(conv.w), 0, 4));       // bytes after column W - 1
    let m_lo = select(0xffffffffu << (8u * lo), 0u, lo >= 4u);
    let m_hi = select(0xffffffffu >> (8u * hi), 0u, hi >= 4u);
    valid = m_lo & m_hi;
  } else {
    for (var j = 0u; j < 4u; j = j + 1u) {
      let iw = iw0 + i32(j * conv.stride_w);
      valid = valid | select(0u, 0xffu << (8u * j), iw >= 0 && iw < i32(conv.w));
    }
  }
  return QuadSetup(ih * i32(conv.w) + iw0, select(0u, valid, row_ok));
}

fn quad_read(base: u32, q: QuadSetup) -> u32 {
  let pad = (bitcast<u32>(conv.zx) & 0xffu) * ONES;
  let e = i32(base) + q.e;
  var word = 0u;
  if (STRIDE1) {
    let i = e >> 2u;                   // arithmetic: e = -1 reads words -1 and 0
    let s = u32(e & 3) * 8u;
    let w0 = x_data[i];
    let w1 = x_data[i + 1];
    word = select((w0 >> s) | (w1 << (32u - s)), w0, s == 0u);
  } else {
    for (var j = 0u; j < 4u; j = j + 1u) {
      let ej = e + i32(j * conv.stride_w);
      word = word | (((x_data[ej >> 2u] >> (8u * u32(ej & 3))) & 0xffu) << (8u * j));
    }
  }
  return ((word ^ conv.x_xor) & q.valid) | (pad & ~q.valid);
}

fn x_quad(base: u32, ih: i32, iw0: i32) -> u32 {
  return quad_read(base, quad_setup(ih, iw0));
}
