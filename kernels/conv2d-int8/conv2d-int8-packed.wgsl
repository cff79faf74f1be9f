// conv2d-int8-packed.wgsl: int8 conv (any groups, stride, dilation, pads) for the exact
// accumulator modes without statistics, as 4 output pixels x 8 output channels per invocation
// with dot4 over 4 input channels at a time. Appended after int8-gemm-core.wgsl,
// int8-packed-common.wgsl and conv2d-int8-packed-input.wgsl.
//
//   acc = sum_k a*b - zw * sum_k a - zx * sum_k b + K * zx * zw   (wrapping i32: exact low bits)
// K order is (tap, channel word): any order gives the same low bits in these modes.
// Binding 5 w: weights repacked by the host, signed-mapped, as vec4<u32> words
//   [group][oc block of 8][kh][kw][channel word c4][2 vec4 = oc 0..3, oc 4..7],
// word = channels 4*c4 .. 4*c4+3 of one output channel (zero beyond Cg and Mg); window base
// gemm.b_base in bytes. Channels beyond Cg read 0 from x too, so they add nothing to sum_k a.
// Grid: (ceil(OH * quads_w / WG_X), oc blocks, N * groups), offset by gemm.wg_off.

@group(0) @binding(5) var<storage, read> w_data: array<vec4<u32>>;

// The 4 pixel values of output channel `oc_local` of this invocation's block.
fn finish_channel(oc: u32, g: u32, img: u32, sums: vec4<i32>, sa: vec4<i32>, out0: u32, count: u32) {
  let chan = g * conv.mg + oc;
  let zb = tables[gemm.zb_base + g * gemm.zb_group_stride + oc * gemm.zb_col_stride];
  let sum_b = tables[gemm.b_sums_base + chan];
  let za = conv.zx;
  let t = sums - zb * sa + vec4<i32>(i32(gemm.k) * za * zb - za * sum_b);
  var v = vec4<i32>(0);
  for (var p = 0u; p < 4u; p = p + 1u) { v[p] = packed_value(t[p], chan); }
  store_quad((img * conv.m_total + chan) * (conv.oh * conv.ow) + out0, v, count);
}

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  touch_stats();
  let pos = quad_position((wid.x + gemm.wg_off_x) * WG_X + lid);
  if (pos.x >= conv.oh) { return; }
  let ob = wid.y + gemm.wg_off_y;
  let z = wid.z + gemm.wg_off_z;
  let img = z / conv.groups;
  let g = z % conv.groups;
  let ih0 = i32(pos.x * conv.stride_h) - i32(conv.pad_t);
  let iw0 = i32(pos.y * conv.stride_w) - i32(conv.pad_l);
  let plane = conv.h * conv.w;
  let chan0 = (img * conv.c + g * conv.cg) * plane - gemm.a_base;
  // acc_<pixel><a: oc 0..3 | b: oc 4..7>, sa: sum of the x bytes per pixel.
  var p0a = vec4<i32>(0); var p0b = vec4<i32>(0);
  var p1a = vec4<i32>(0); var p1b = vec4<i32>(0);
  var p2a = vec4<i32>(0); var p2b = vec4<i32>(0);
  var p3a = vec4<i32>(0); var p3b = vec4<i32>(0);
  var sa = vec4<i32>(0);
  var wi = (g * conv.oc_blocks + ob) * conv.kh * conv.kw * conv.cw * 2u - gemm.b_base / 16u;
  for (var kh = 0u; kh < conv.kh; kh = kh + 1u) {
    let ih = ih0 + i32(kh * conv.dil_h);
    for (var kw = 0u; kw < conv.kw; kw = kw + 1u) {
      let iw = iw0 + i32(kw * conv.dil_w);
      for (var c = 0u; c < conv.cg; c = c + 4u) {
        let base = chan0 + c * plane;
        // Channels beyond Cg (the last word of an odd count) are zero: they add nothing to sum_k a.
        let r = vec4<u32>(
          x_quad(base, ih, iw),
          select(0u, x_quad(base + plane, ih, iw), c + 1u < conv.cg),
          select(0u, x_quad(base + 2u * plane, ih, iw), c + 2u < conv.cg),
          select(0u, x_quad(base + 3u * plane, ih, iw), c + 3u < conv.cg));
        let p = transpose_bytes(r);
        let wa = w_data[wi];
        let wb = w_data[wi + 1u];
        wi = wi + 2u;
        sa = sa + vec4<i32>(dot4_i8(p.x, ONES), dot4_i8(p.y, ONES), dot4_i8(p.z, ONES), dot4_i8(p.w, ONES));
        p0a = p0a + dot4x4(p.x, wa); p0b = p0b + dot4x4(p.x, wb);
        p1a = p1a + dot4x4(p.y, wa); p1b = p1b + dot4x4(p.y, wb);
        p2a = p2a + dot4x4(p.z, wa); p2b = p2b + dot4x4(p.z, wb);
        p3a = p3a + dot4x4(p.w, wa); p3b = p3b + dot4x4(p.w, wb);
      }
    }
  }
  let out0 = pos.x * conv.ow + pos.y;
  let count = min(4u, conv.ow - pos.y);
  // One epilogue in a loop (not 8 inlined copies of the requantize code: compile time).
  var sums = array<vec4<i32>, 8>(
    vec4<i32>(p0a.x, p1a.x, p2a.x, p3a.x), vec4<i32>(p0a.y, p1a.y, p2a.y, p3a.y),
    vec4<i32>(p0a.z, p1a.z, p2a.z, p3a.z), vec4<i32>(p0a.w, p1a.w, p2a.w, p3a.w),
    vec4<i32>(p0b.x, p1b.x, p2b.x, p3b.x), vec4<i32>(p0b.y, p1b.y, p2b.y, p3b.y),
    vec4<i32>(p0b.z, p1b.z, p2b.z, p3b.z), vec4<i32>(p0b.w, p1b.w, p2b.w, p3b.w));
  let oc_end = min(8u, conv.mg - ob * 8u);
  for (var j = 0u; j < oc_end; j = j + 1u) {
    finish_channel(ob * 8u + j, g, img, sums[j], sa, out0, count);
  }
}
