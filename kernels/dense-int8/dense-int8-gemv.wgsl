// dense-int8-gemv.wgsl: int8 GEMV (M = 1 per batch, constant B) for the exact accumulator modes
// without statistics. Appended after int8-gemm-core.wgsl and int8-packed-common.wgsl (see there
// for why). Each invocation owns 4 adjacent columns; adjacent invocations (SIMD lanes on a CPU
// adapter) read adjacent B words, the A word is the same for all of them.
//   acc[batch, n] = sum_k a*b - zb * sum_k a - za * sum_k b + K * za * zb + bias[n]  (wrapping i32)
// Bindings: 4 a (packed 8-bit [aBatches, K], window base gemm.a_base), 5 b: B repacked by the host,
// signed-mapped, vec4<u32> [bBatches][K/4 words][N/4 column quads][4 columns] (word = 4
// consecutive k; zero beyond K and N), window base gemm.b_base in bytes; 6 gemv (uniform).
// The broadcast batch map and B column sums are in tables (gemm.op_base, gemm.b_sums_base).
// Grid: (ceil(N / 4 / WG_X), 1, batches), offset by gemm.wg_off.

struct GemvParams {
  k_words: u32,   // ceil(K / 4)
  n_quads: u32,   // ceil(N / 4)
  a_xor: u32,     // 0x80808080 for uint8 A, else 0
  pad0: u32,
}

@group(0) @binding(4) var<storage, read> a_data: array<u32>;
@group(0) @binding(5) var<storage, read> b_data: array<vec4<u32>>;
@group(0) @binding(6) var<uniform> gemv: GemvParams;

const ONES: u32 = 0x01010101u;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  touch_stats();
  let nq = (wid.x + gemm.wg_off_x) * WG_X + lid;
  if (nq >= gemv.n_quads) { return; }
  let z = wid.z + gemm.wg_off_z;
  let ga = u32(tables[gemm.op_base + 2u * z]);
  let gb = u32(tables[gemm.op_base + 2u * z + 1u]);
  let k = gemm.k;
  var e = ga * k - gemm.a_base;
  var bi = gb * gemv.k_words * gemv.n_quads + nq - gemm.b_base / 16u;
  var acc = vec4<i32>(0);
  var sa = 0;
  let last = gemv.k_words - 1u;
  // Bytes of the last word beyond K belong to the next row (or nothing): masked to zero.
  let tail = k - 4u * last;
  let last_mask = select((1u << (8u * tail)) - 1u, 0xffffffffu, tail == 4u);
  for (var kw = 0u; kw < gemv.k_words; kw = kw + 1u) {
    let i = e >> 2u;
    let w1 = select(0u, a_data[i + 1u], (e & 3u) != 0u);
    let aw = (bytes_at(a_data[i], w1, e) ^ gemv.a_xor) & select(0xffffffffu, last_mask, kw == last);
    sa = sa + dot4_i8(aw, ONES);
    acc = acc + dot4x4(aw, b_data[bi]);
    bi = bi + gemv.n_quads;
    e = e + 4u;
  }
  let za = tables[gemm.za_base + ga * gemm.za_group_stride];
  let n0 = nq * 4u;
  var v = vec4<i32>(0);
  for (var j = 0u; j < 4u; j = j + 1u) {
    let n = min(n0 + j, gemm.n - 1u);
    let zb = tables[gemm.zb_base + gb * gemm.zb_group_stride + n * gemm.zb_col_stride];
    let sum_b = tables[gemm.b_sums_base + gb * gemm.n + n];
    v[j] = packed_value(acc[j] - zb * sa - za * sum_b + i32(k) * za * zb, n);
  }
  store_quad(z * gemm.n + n0, v, min(4u, gemm.n - n0));
}
