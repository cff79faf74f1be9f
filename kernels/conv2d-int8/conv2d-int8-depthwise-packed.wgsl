// conv2d-int8-depthwise-packed.wgsl: depthwise int8 conv (group = C, Cg = 1, M = C * mult) for
// the exact accumulator modes without statistics: 8 output pixels (two quads of one row) of one
// channel per invocation, so each weight load and the index math serve 8 outputs; x read as 4-byte
// rows, i32 multiply-adds (wrapping: exact low bits). Appended after int8-gemm-core.wgsl,
// int8-packed-common.wgsl and conv2d-int8-packed-input.wgsl.
//   acc[img, oc, oh, ow] = sum_{kh, kw} (x[img, oc / mult, ih, iw] - zx) * (w[oc, kh, kw] - zw[oc]) + bias[oc]
// Binding 5 w: i32 (w - zw) per [oc][kh][kw], signed-mapped by the host (window base gemm.b_base in
// bytes). Grid: (ceil(OH * octs_w / WG_X), M, N), offset by gemm.wg_off.

@group(0) @binding(5) var<storage, read> w_data: array<i32>;

// Sign-extended bytes by shifts (cheaper than extractBits on SwiftShader).
fn signed_bytes(word: u32) -> vec4<i32> {
  return (vec4<i32>(bitcast<i32>(word)) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u);
}

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  touch_stats();
  let q = (wid.x + gemm.wg_off_x) * WG_X + lid;
  let oh = q / conv.octs_w;
  let ow0 = (q % conv.octs_w) * 8u;
  if (oh >= conv.oh) { return; }
  let oc = wid.y + gemm.wg_off_y;
  let img = wid.z + gemm.wg_off_z;
  let ih0 = i32(oh * conv.stride_h) - i32(conv.pad_t);
  let iw0 = i32(ow0 * conv.stride_w) - i32(conv.pad_l);
  let iw4 = iw0 + i32(4u * conv.stride_w);
  let base = (img * conv.c + oc / conv.mg) * conv.h * conv.w - gemm.a_base;
  let za = vec4<i32>(conv.zx);
  var acc0 = vec4<i32>(0);
  var acc1 = vec4<i32>(0);
  var wi = oc * conv.kh * conv.kw - gemm.b_base / 4u;
  for (var kh = 0u; kh < conv.kh; kh = kh + 1u) {
    let ih = ih0 + i32(kh * conv.dil_h);
    for (var kw = 0u; kw < conv.kw; kw = kw + 1u) {
      let dw = i32(kw * conv.dil_w);
      let wv = w_data[wi];
      acc0 = acc0 + (signed_bytes(x_quad(base, ih, iw0 + dw)) - za) * wv;
      acc1 = acc1 + (signed_bytes(x_quad(base, ih, iw4 + dw)) - za) * wv;
      wi = wi + 1u;
    }
  }
  let out_row = (img * conv.m_total + oc) * (conv.oh * conv.ow) + oh * conv.ow;
  for (var h = 0u; h < 2u; h = h + 1u) {
    let ow = ow0 + 4u * h;
    if (ow < conv.ow) {
      let acc = select(acc0, acc1, h == 1u);
      var v = vec4<i32>(0);
      for (var p = 0u; p < 4u; p = p + 1u) { v[p] = packed_value(acc[p], oc); }
      store_quad(out_row + ow, v, min(4u, conv.ow - ow));
    }
  }
}
