// Tiled f32 batched GEMM for MatMul and Gemm (host: matmul.ts; oracle: matmul.ref.ts).
//
//   y[b, m, n] = act(alpha * sum_k A_b[m, k] * B_b[k, n] + beta * C[m * c_row_stride + n * c_col_stride])
//
// A_b[m, k] = a[a_off + (trans_a ? k * M + m : m * K + k)], B_b[k, n] likewise with trans_b, where
// (a_off, b_off) come from `batches` (one pair per output batch: numpy batch broadcasting is
// resolved on the host). C is broadcast by its strides (0 along a broadcast axis); has_c = 0 skips it.
// Bindings: 0 a, 1 b, 2 c (any read buffer when unused), 3 y, 4 params, 5 batches (i32 pairs).
// Tiling: a workgroup of WG_X x WG_Y threads computes a (4 WG_Y) x (4 WG_X) tile of y, each thread
// a 4 x 4 block (rows ty + i WG_Y, columns tx + j WG_X), stepping K by TILE_K through workgroup
// memory. Grid: (ceil(N / (4 WG_X)), ceil(M / (4 WG_Y)), batches).
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max] (fused by the executor).

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TILE_K: u32 = 16u;
override ACT: u32 = 0u;
const TM: u32 = 4u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  trans_a: u32,
  trans_b: u32,
  has_c: u32,
  c_row_stride: u32,
  c_col_stride: u32,
  alpha: f32,
  beta: f32,
  act_min: f32,
  act_max: f32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<storage, read> batches: array<i32>;

var<workgroup> a_tile: array<f32, TM * WG_Y * TILE_K>;  // [row][k]
var<workgroup> b_tile: array<f32, TILE_K * TM * WG_X>;  // [k][col]

fn activate(v: f32) -> f32 {
  if (ACT == 1u) { return select(v, 0.0, v < 0.0); }
  if (ACT == 2u) { return select(select(v, params.act_max, v > params.act_max), params.act_min, v < params.act_min); }
  return v;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params.m;
  let N = params.n;
  let K = params.k;
  let tile_m = TM * WG_Y;
  let tile_n = TM * WG_X;
  let row0 = wid.y * tile_m;
  let col0 = wid.x * tile_n;
  let a_off = u32(batches[2u * wid.z]);
  let b_off = u32(batches[2u * wid.z + 1u]);
  let tid = lid.y * WG_X + lid.x;
  let threads = WG_X * WG_Y;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < K; k0 += TILE_K) {
    for (var e = tid; e < tile_m * TILE_K; e += threads) {
      let r = e / TILE_K;
      let kk = e % TILE_K;
      let gm = row0 + r;
      let gk = k0 + kk;
      var v = 0.0;
      if (gm < M && gk < K) {
        v = a[a_off + select(gm * K + gk, gk * M + gm, params.trans_a != 0u)];
      }
      a_tile[e] = v;
    }
    for (var e = tid; e < TILE_K * tile_n; e += threads) {
      let kk = e / tile_n;
      let cc = e % tile_n;
      let gk = k0 + kk;
      let gn = col0 + cc;
      var v = 0.0;
      if (gk < K && gn < N) {
        v = b[b_off + select(gk * N + gn, gn * K + gk, params.trans_b != 0u)];
      }
      b_tile[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      var bv: array<f32, 4>;
      for (var j = 0u; j < TM; j++) { bv[j] = b_tile[kk * tile_n + lid.x + j * WG_X]; }
      for (var i = 0u; i < TM; i++) {
        let av = a_tile[(lid.y + i * WG_Y) * TILE_K + kk];
        for (var j = 0u; j < TM; j++) { acc[i][j] = fma(av, bv[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  let y_off = wid.z * M * N;
  for (var i = 0u; i < TM; i++) {
    let gm = row0 + lid.y + i * WG_Y;
    if (gm >= M) { continue; }
    for (var j = 0u; j < TM; j++) {
      let gn = col0 + lid.x + j * WG_X;
      if (gn >= N) { continue; }
      var v = params.alpha * acc[i][j];
      if (params.has_c != 0u) { v += params.beta * c[gm * params.c_row_stride + gn * params.c_col_stride]; }
      y[y_off + gm * N + gn] = activate(v);
    }
  }
}
