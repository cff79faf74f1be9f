// zero-point-correction.wgsl: the run-time A zero point of a MatMulInteger with a constant B,
// applied after the prepared int8 dense kernel ran with za = 0:
//   sum_k (a - za)(b - zb) = sum_k a (b - zb) - za * sum_k (b - zb)
// an identity in wrapping int32 arithmetic (the reference's int32 mode), so
// y[row, col] -= za[row or 0] * colsum[col] is exact. colsum is made on the host at plan time.
// Bindings: 0 y (i32, in place), 1 colsum (i32, N), 2 za (packed 8-bit), 3 params.

struct Params { count: u32, m: u32, n: u32, za_per_row: u32, a_signed: u32, }

@group(0) @binding(0) var<storage, read_write> y: array<i32>;
@group(0) @binding(1) var<storage, read> colsum: array<i32>;
@group(0) @binding(2) var<storage, read> za_buf: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (i >= params.count) { return; }
  let row = select(0u, (i / params.n) % params.m, params.za_per_row == 1u);
  var za = i32((za_buf[row / 4u] >> (8u * (row % 4u))) & 0xffu);
  if (params.a_signed == 1u) { za = (za << 24u) >> 24u; }
  y[i] = y[i] - za * colsum[i % params.n];
}
