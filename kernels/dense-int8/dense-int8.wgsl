// dense-int8.wgsl: batched int8/uint8 MatMul / Gemm on the shared GEMM core
// (kernels/gpu/wgsl/int8-gemm-core.wgsl, which documents tiling, accumulation and requantize).
//
//   acc[batch, m, n] = sum_k (A[ab, m, k] - za) * (B[bb, k, n] - zb) + bias[n]
//   (transB: B[bb, n, k]); (ab, bb) = the broadcast batch map in tables at gemm.op_base.
// Bindings added here: 4 a (packed 8-bit, row-major [aBatches, M, K]), 5 b (packed 8-bit,
// [bBatches, K, N] or [bBatches, N, K]), 6 dense (uniform DenseParams).
// Output: row-major [batches, M, N]; output channel = n. Grid: (ceil(N/tile_n),
// ceil(M/tile_m), batches), possibly run as several dispatches over row-tile / batch ranges. M = 1 (GEMV) uses a 1-row, 256-column tile (TM = 1, WG_Y = 1).

struct DenseParams {
  a_batch_elems: u32, b_batch_elems: u32, trans_b: u32, a_signed: u32,
  b_signed: u32, pad0: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(4) var<storage, read> a_data: array<u32>;
@group(0) @binding(5) var<storage, read> b_data: array<u32>;
@group(0) @binding(6) var<uniform> dense: DenseParams;

// An 8-bit element as a signed value: int8 sign-extended, uint8 shifted by -128.
fn as_signed(raw: u32, signed: u32) -> i32 {
  return select(i32(raw) - 128, (i32(raw) << 24u) >> 24u, signed != 0u);
}

fn a_group(batch: u32) -> u32 { return u32(tables[gemm.op_base + 2u * batch]); }
fn b_group(batch: u32) -> u32 { return u32(tables[gemm.op_base + 2u * batch + 1u]); }

fn load_a(batch: u32, m: u32, k: u32) -> i32 {
  let e = a_group(batch) * dense.a_batch_elems + m * gemm.k + k - gemm.a_base;
  return as_signed((a_data[e >> 2u] >> (8u * (e & 3u))) & 0xffu, dense.a_signed);
}

fn load_b(batch: u32, n: u32, k: u32) -> i32 {
  let base = b_group(batch) * dense.b_batch_elems;
  let e = select(base + k * gemm.n + n, base + n * gemm.k + k, dense.trans_b != 0u) - gemm.b_base;
  return as_signed((b_data[e >> 2u] >> (8u * (e & 3u))) & 0xffu, dense.b_signed);
}

fn out_index(batch: u32, m: u32, n: u32) -> u32 { return (batch * gemm.m + m) * gemm.n + n; }

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  gemm_main(wid, lid3, lid);
}
