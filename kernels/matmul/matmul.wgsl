// f32 batched GEMM for MatMul and Gemm (host: matmul.ts; oracle: matmul.ref.ts).
//
//   y[b, m, n] = act(alpha * sum_k A_b[m, k] * B_b[k, n] + beta * C[m * c_row_stride + n * c_col_stride])
//
// A_b[m, k] = a[a_off + m * a_row_stride + k * a_k_stride] (the strides encode transA), B_b[k, n]
// likewise, where (a_off, b_off) come from `batches` (one pair per output batch: numpy batch
// broadcasting is resolved on the host). C is broadcast by its strides (0 along a broadcast axis);
// has_c = 0 skips it. Bindings: 0 a, 1 b, 2 c (any read buffer when unused), 3 y, 4 params,
// 5 batches (i32 pairs).
// Written for SwiftShader (a CPU Vulkan: SIMD over 4 invocations, every storage load a bounds-checked
// gather): no workgroup memory or barriers, no branches in the K loop (rows / columns past the end
// read clamped indices and are never stored), TM rows x 4 columns per invocation.
// - mm_b4: B read as vec4 along n (B not transposed, N % 4 == 0, every b_off % 4 == 0), so one
//   vec4 load and TM scalar A loads feed TM vec4 FMAs.
// - mm_scalar: any strides, 4 scalar B loads and TM scalar A loads per k.
// Grid: (ceil(ceil(N / 4) / WG), ceil(M / TM), batches).
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max] (fused by the executor).

override WG: u32 = 64u;
override TM: u32 = 4u;  // rows per invocation, 1..4
override ACT: u32 = 0u;

struct Params {
  m: u32, n: u32, k: u32, has_c: u32,
  a_row_stride: u32, a_k_stride: u32, b_k_stride: u32, b_col_stride: u32,
  c_row_stride: u32, c_col_stride: u32, alpha: f32, beta: f32,
  act_min: f32, act_max: f32, pad0: u32, pad1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<storage, read> batches: array<i32>;

fn activate(v: f32) -> f32 {
  if (ACT == 1u) { return max(v, 0.0); }
  if (ACT == 2u) { return min(max(v, params.act_min), params.act_max); }
  return v;
}

// First element offsets in a of the invocation's TM rows (rows past M clamp to the last).
fn row_offsets(a_off: u32, row0: u32) -> vec4<u32> {
  let last = params.m - 1u;
  let rows = min(vec4<u32>(row0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(last));
  return vec4<u32>(a_off) + rows * params.a_row_stride;
}

fn store_rows(batch: u32, row0: u32, col0: u32, acc: array<vec4<f32>, 4>) {
  let y_off = batch * params.m * params.n;
  for (var i = 0u; i < TM; i++) {
    let gm = row0 + i;
    if (gm >= params.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      let gn = col0 + j;
      if (gn >= params.n) { break; }
      var v = params.alpha * acc[i][j];
      if (params.has_c != 0u) { v += params.beta * c[gm * params.c_row_stride + gn * params.c_col_stride]; }
      y[y_off + gm * params.n + gn] = activate(v);
    }
  }
}

@compute @workgroup_size(WG)
fn mm_b4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let col0 = gid.x * 4u;
  if (col0 >= params.n) { return; }
  let row0 = wid.y * TM;
  let ra = row_offsets(u32(batches[2u * wid.z]), row0);
  var bi = (u32(batches[2u * wid.z + 1u]) + col0) / 4u;
  let b_step = params.n / 4u;
  let ak = params.a_k_stride;
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < params.k; k++) {
    let bv = b4[bi];
    bi += b_step;
    let ko = k * ak;
    for (var i = 0u; i < TM; i++) { acc[i] = fma(vec4<f32>(a[ra[i] + ko]), bv, acc[i]); }
  }
  store_rows(wid.z, row0, col0, acc);
}

@compute @workgroup_size(WG)
fn mm_scalar(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let col0 = gid.x * 4u;
  if (col0 >= params.n) { return; }
  let row0 = wid.y * TM;
  let ra = row_offsets(u32(batches[2u * wid.z]), row0);
  let cols = min(vec4<u32>(col0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.n - 1u));
  let rb = vec4<u32>(u32(batches[2u * wid.z + 1u])) + cols * params.b_col_stride;
  let ak = params.a_k_stride;
  let bk = params.b_k_stride;
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < params.k; k++) {
    let kb = k * bk;
    let bv = vec4<f32>(b[rb.x + kb], b[rb.y + kb], b[rb.z + kb], b[rb.w + kb]);
    let ko = k * ak;
    for (var i = 0u; i < TM; i++) { acc[i] = fma(vec4<f32>(a[ra[i] + ko]), bv, acc[i]); }
  }
  store_rows(wid.z, row0, col0, acc);
}
