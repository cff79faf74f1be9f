// int-matmul-runtime.wgsl: MatMulInteger whose zero points are GPU values (the output of
// DynamicQuantizeLinear, a graph input): one invocation per output, K ascending, zero points read
// from their packed 8-bit buffers each run. Exact against kernels/dense-int8/dense-int8.ref.ts in
// the two modes a plain MatMulInteger takes (kernels/quant-math/accumulator.ts):
//   int32 (ACC_MODE 0): sum_k (a - za)(b - zb), wrapping i32 (WGSL's i32 + and * wrap);
//   pairwise (ACC_MODE 1, x86 VPMADDUBSW): a mapped to u8 (int8 + 128), b to s8 (uint8 - 128),
//     raw = sum over pairs (k, k+1) of sat16(a_k b_k + a_k1 b_k1) (odd K: a zero product last),
//     acc = raw - zb'*sum(a') - za'*sum(b') + K*za'*zb' (wrapping i32).
// Bindings: 0 a, 1 b (packed 8-bit), 2 za, 3 zb (packed 8-bit; one value, or one per row of A /
// column of B), 4 batch map (a batch, b batch per output batch), 5 y (i32), 6 params.

override ACC_MODE: u32 = 0u;

struct Params {
  m: u32, k: u32, n: u32, batches: u32,
  a_signed: u32, b_signed: u32,
  za_stride: u32, zb_stride: u32,   // 0: one value, 1: per row / column
  has_za: u32, has_zb: u32,
}

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> za_buf: array<u32>;
@group(0) @binding(3) var<storage, read> zb_buf: array<u32>;
@group(0) @binding(4) var<storage, read> batch_map: array<u32>;
@group(0) @binding(5) var<storage, read_write> y: array<i32>;
@group(0) @binding(6) var<uniform> params: Params;

fn byte_at(i: u32, signed: bool, which: u32) -> i32 {
  var w = 0u;
  switch (which) {
    case 0u: { w = a[i / 4u]; }
    case 1u: { w = b[i / 4u]; }
    case 2u: { w = za_buf[i / 4u]; }
    default: { w = zb_buf[i / 4u]; }
  }
  let v = i32((w >> (8u * (i % 4u))) & 0xffu);
  return select(v, (v << 24u) >> 24u, signed);
}

fn sat16(v: i32) -> i32 { return clamp(v, -32768, 32767); }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * 64u + lid;
  let mn = params.m * params.n;
  if (o >= mn * params.batches) { return; }
  let batch = o / mn;
  let row = (o % mn) / params.n;
  let col = o % params.n;
  let a_signed = params.a_signed == 1u;
  let b_signed = params.b_signed == 1u;
  var za = 0;
  var zb = 0;
  if (params.has_za == 1u) { za = byte_at(row * params.za_stride, a_signed, 2u); }
  if (params.has_zb == 1u) { zb = byte_at(col * params.zb_stride, b_signed, 3u); }
  let a_base = batch_map[2u * batch] * params.m * params.k + row * params.k;
  let b_base = batch_map[2u * batch + 1u] * params.k * params.n + col;
  let K = params.k;
  var acc = 0;
  if (ACC_MODE == 0u) {
    for (var k = 0u; k < K; k++) {
      acc += (byte_at(a_base + k, a_signed, 0u) - za) * (byte_at(b_base + k * params.n, b_signed, 1u) - zb);
    }
    y[o] = acc;
    return;
  }
  let a_shift = select(0, 128, a_signed);
  let b_shift = select(0, -128, !b_signed);
  var raw = 0;
  var sum_a = 0;
  var sum_b = 0;
  for (var k = 0u; k < K; k += 2u) {
    let a0 = byte_at(a_base + k, a_signed, 0u) + a_shift;
    let b0 = byte_at(b_base + k * params.n, b_signed, 1u) + b_shift;
    var a1 = 0;
    var b1 = 0;
    if (k + 1u < K) {
      a1 = byte_at(a_base + k + 1u, a_signed, 0u) + a_shift;
      b1 = byte_at(b_base + (k + 1u) * params.n, b_signed, 1u) + b_shift;
    }
    raw += sat16(a0 * b0 + a1 * b1);
    sum_a += a0 + a1;
    sum_b += b0 + b1;
  }
  let zau = za + a_shift;
  let zbs = zb + b_shift;
  y[o] = raw - zbs * sum_a - zau * sum_b + i32(K) * zau * zbs;
}
