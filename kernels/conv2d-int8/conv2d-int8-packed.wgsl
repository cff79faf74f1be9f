// conv2d-int8-packed.wgsl: int8 conv (any groups, stride, dilation, pads) for the exact
// accumulator modes without statistics, as 8 output pixels (two quads of one row) x 8 output
// channels per invocation. Appended after int8-gemm-core.wgsl, int8-packed-common.wgsl and
// conv2d-int8-packed-input.wgsl.
//
//   acc = sum_k a*b - zw * sum_k a - zx * sum_k b + K * zx * zw   (wrapping i32: exact low bits)
//
// Why f32 multiply-adds: on SwiftShader (Chrome's and Dawn's CPU Vulkan) dot4I8Packed and its
// byte-unpacking fallback cost several times an f32 fma per MAC (G4 measurements), so the signed
// bytes are unpacked once per quad / weight word into f32 and multiplied with fma. That is exact:
// |a*b| <= 128*128 = 2^14, so any sum of at most 1024 products is an integer of magnitude <= 2^24,
// which f32 holds exactly. The K loop therefore runs in blocks of <= 1024 terms per accumulator
// (taps x channels), each block's f32 sums converted to i32 and added with wrapping.
// K order is (tap, channel): any order gives the same low bits in these modes.
//
// Binding 5 w: weights repacked by the host, signed-mapped, as u32 words
//   [group][oc block of 8][kh][kw][channel][2 words: oc 0..3, oc 4..7 as bytes 0..3],
// zero beyond Mg; window base gemm.b_base in bytes.
// Grid: (ceil(OH * octs_w / WG_X), oc blocks, N * groups), offset by gemm.wg_off.

@group(0) @binding(5) var<storage, read> w_data: array<u32>;

// Sum of the x bytes per pixel is only needed when some weight zero point is not 0.
override SUM_X: bool = true;
// Largest number of products per f32 block that is sure to stay exact (see above).
const BLOCK_TERMS: u32 = 1024u;

// The 4 pixel values of output channel `oc` of this invocation's block, for one quad.
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
  let q = (wid.x + gemm.wg_off_x) * WG_X + lid;
  let oh = q / conv.octs_w;
  let ow0 = (q % conv.octs_w) * 8u;
  if (oh >= conv.oh) { return; }
  let ob = wid.y + gemm.wg_off_y;
  let z = wid.z + gemm.wg_off_z;
  let img = z / conv.groups;
  let g = z % conv.groups;
  let ih0 = i32(oh * conv.stride_h) - i32(conv.pad_t);
  let iw0 = i32(ow0 * conv.stride_w) - i32(conv.pad_l);
  let iw4 = iw0 + i32(4u * conv.stride_w);
  let plane = conv.h * conv.w;
  let chan0 = (img * conv.c + g * conv.cg) * plane - gemm.a_base;
  let taps = conv.kh * conv.kw;
  let w_group = (g * conv.oc_blocks + ob) * taps * conv.cg * 2u - gemm.b_base / 4u;
  // Exact i32 totals: t<oc>_<quad>, vec4 over the quad's 4 pixels; sx<quad>: sum of x bytes.
  var t0_0 = vec4<i32>(0); var t1_0 = vec4<i32>(0); var t2_0 = vec4<i32>(0); var t3_0 = vec4<i32>(0);
  var t4_0 = vec4<i32>(0); var t5_0 = vec4<i32>(0); var t6_0 = vec4<i32>(0); var t7_0 = vec4<i32>(0);
  var t0_1 = vec4<i32>(0); var t1_1 = vec4<i32>(0); var t2_1 = vec4<i32>(0); var t3_1 = vec4<i32>(0);
  var t4_1 = vec4<i32>(0); var t5_1 = vec4<i32>(0); var t6_1 = vec4<i32>(0); var t7_1 = vec4<i32>(0);
  var sx0 = vec4<i32>(0); var sx1 = vec4<i32>(0);
  // Blocks of <= BLOCK_TERMS products: several whole taps when Cg is small, else channel ranges.
  let taps_per_block = max(1u, BLOCK_TERMS / conv.cg);
  let chans_per_block = min(conv.cg, BLOCK_TERMS);
  for (var tap0 = 0u; tap0 < taps; tap0 = tap0 + taps_per_block) {
    let tap1 = min(tap0 + taps_per_block, taps);
    for (var c0 = 0u; c0 < conv.cg; c0 = c0 + chans_per_block) {
      let c1 = min(c0 + chans_per_block, conv.cg);
      var f0_0 = vec4<f32>(0); var f1_0 = vec4<f32>(0); var f2_0 = vec4<f32>(0); var f3_0 = vec4<f32>(0);
      var f4_0 = vec4<f32>(0); var f5_0 = vec4<f32>(0); var f6_0 = vec4<f32>(0); var f7_0 = vec4<f32>(0);
      var f0_1 = vec4<f32>(0); var f1_1 = vec4<f32>(0); var f2_1 = vec4<f32>(0); var f3_1 = vec4<f32>(0);
      var f4_1 = vec4<f32>(0); var f5_1 = vec4<f32>(0); var f6_1 = vec4<f32>(0); var f7_1 = vec4<f32>(0);
      var fx0 = vec4<f32>(0); var fx1 = vec4<f32>(0);
      for (var tap = tap0; tap < tap1; tap = tap + 1u) {
        let kh = tap / conv.kw;
        let kw = tap - kh * conv.kw;
        let ih = ih0 + i32(kh * conv.dil_h);
        let dw = i32(kw * conv.dil_w);
        // Masks and offsets of this tap's two quads: the same for every channel.
        let q0 = quad_setup(ih, iw0 + dw);
        let q1 = quad_setup(ih, iw4 + dw);
        var base = chan0 + c0 * plane;
        var wi = w_group + (tap * conv.cg + c0) * 2u;
        for (var c = c0; c < c1; c = c + 1u) {
          let x0 = bytes_f32(quad_read(base, q0));
          let x1 = bytes_f32(quad_read(base, q1));
          let wa = bytes_f32(w_data[wi]);
          let wb = bytes_f32(w_data[wi + 1u]);
          if (SUM_X) { fx0 = fx0 + x0; fx1 = fx1 + x1; }
          f0_0 = fma(x0, vec4<f32>(wa.x), f0_0); f0_1 = fma(x1, vec4<f32>(wa.x), f0_1);
          f1_0 = fma(x0, vec4<f32>(wa.y), f1_0); f1_1 = fma(x1, vec4<f32>(wa.y), f1_1);
          f2_0 = fma(x0, vec4<f32>(wa.z), f2_0); f2_1 = fma(x1, vec4<f32>(wa.z), f2_1);
          f3_0 = fma(x0, vec4<f32>(wa.w), f3_0); f3_1 = fma(x1, vec4<f32>(wa.w), f3_1);
          f4_0 = fma(x0, vec4<f32>(wb.x), f4_0); f4_1 = fma(x1, vec4<f32>(wb.x), f4_1);
          f5_0 = fma(x0, vec4<f32>(wb.y), f5_0); f5_1 = fma(x1, vec4<f32>(wb.y), f5_1);
          f6_0 = fma(x0, vec4<f32>(wb.z), f6_0); f6_1 = fma(x1, vec4<f32>(wb.z), f6_1);
          f7_0 = fma(x0, vec4<f32>(wb.w), f7_0); f7_1 = fma(x1, vec4<f32>(wb.w), f7_1);
          base = base + plane;
          wi = wi + 2u;
        }
      }
      t0_0 = t0_0 + vec4<i32>(f0_0); t1_0 = t1_0 + vec4<i32>(f1_0); t2_0 = t2_0 + vec4<i32>(f2_0);
      t3_0 = t3_0 + vec4<i32>(f3_0); t4_0 = t4_0 + vec4<i32>(f4_0); t5_0 = t5_0 + vec4<i32>(f5_0);
      t6_0 = t6_0 + vec4<i32>(f6_0); t7_0 = t7_0 + vec4<i32>(f7_0);
      t0_1 = t0_1 + vec4<i32>(f0_1); t1_1 = t1_1 + vec4<i32>(f1_1); t2_1 = t2_1 + vec4<i32>(f2_1);
      t3_1 = t3_1 + vec4<i32>(f3_1); t4_1 = t4_1 + vec4<i32>(f4_1); t5_1 = t5_1 + vec4<i32>(f5_1);
      t6_1 = t6_1 + vec4<i32>(f6_1); t7_1 = t7_1 + vec4<i32>(f7_1);
      sx0 = sx0 + vec4<i32>(fx0); sx1 = sx1 + vec4<i32>(fx1);
    }
  }
  let row = oh * conv.ow;
  let oc_end = min(8u, conv.mg - ob * 8u);
  // One epilogue in a loop (not 16 inlined copies of the requantize code: compile time).
  var sums = array<vec4<i32>, 16>(t0_0, t1_0, t2_0, t3_0, t4_0, t5_0, t6_0, t7_0,
                                  t0_1, t1_1, t2_1, t3_1, t4_1, t5_1, t6_1, t7_1);
  for (var h = 0u; h < 2u; h = h + 1u) {
    let ow = ow0 + 4u * h;
    if (ow < conv.ow) {
      let sa = select(sx0, sx1, h == 1u);
      for (var j = 0u; j < oc_end; j = j + 1u) {
        finish_channel(ob * 8u + j, g, img, sums[h * 8u + j], sa, row + ow, min(4u, conv.ow - ow));
      }
    }
  }
}
