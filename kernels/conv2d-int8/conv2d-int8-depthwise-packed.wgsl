// conv2d-int8-depthwise-packed.wgsl: depthwise int8 conv (group = C, Cg = 1, M = C * mult) for
// the exact accumulator modes without statistics: 4 output pixels of one channel per invocation,
// x read as 4-byte rows, i32 multiply-adds (wrapping: exact low bits). Appended after
// int8-gemm-core.wgsl, int8-packed-common.wgsl and conv2d-int8-packed-input.wgsl.
//   acc[img, oc, oh, ow] = sum_{kh, kw} (x[img, oc / mult, ih, iw] - zx) * (w[oc, kh, kw] - zw[oc]) + bias[oc]
// Binding 5 w: i32 (w - zw) per [oc][kh][kw], signed-mapped by the host (window base gemm.b_base in
// bytes). Grid: (ceil(OH * quads_w / WG_X), M, N), offset by gemm.wg_off.

@group(0) @binding(5) var<storage, read> w_data: array<i32>;

fn signed_bytes(word: u32) -> vec4<i32> {
  let v = bitcast<i32>(word);
  return vec4<i32>(extractBits(v, 0u, 8u), extractBits(v, 8u, 8u), extractBits(v, 16u, 8u), extractBits(v, 24u, 8u));
}

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  touch_stats();
  let pos = quad_position((wid.x + gemm.wg_off_x) * WG_X + lid);
  if (pos.x >= conv.oh) { return; }
  let oc = wid.y + gemm.wg_off_y;
  let img = wid.z + gemm.wg_off_z;
  let ih0 = i32(pos.x * conv.stride_h) - i32(conv.pad_t);
  let iw0 = i32(pos.y * conv.stride_w) - i32(conv.pad_l);
  let base = (img * conv.c + oc / conv.mg) * conv.h * conv.w - gemm.a_base;
  let za = vec4<i32>(conv.zx);
  var acc = vec4<i32>(0);
  var wi = oc * conv.kh * conv.kw - gemm.b_base / 4u;
  for (var kh = 0u; kh < conv.kh; kh = kh + 1u) {
    let ih = ih0 + i32(kh * conv.dil_h);
    for (var kw = 0u; kw < conv.kw; kw = kw + 1u) {
      let xv = signed_bytes(x_quad(base, ih, iw0 + i32(kw * conv.dil_w))) - za;
      acc = acc + xv * w_data[wi];
      wi = wi + 1u;
    }
  }
  var v = vec4<i32>(0);
  for (var p = 0u; p < 4u; p = p + 1u) { v[p] = packed_value(acc[p], oc); }
  store_quad((img * conv.m_total + oc) * (conv.oh * conv.ow) + pos.x * conv.ow + pos.y, v, min(4u, conv.ow - pos.y));
}
