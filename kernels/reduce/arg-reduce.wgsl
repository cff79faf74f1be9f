// ArgMax / ArgMin along one axis (host: arg-reduce.ts; oracle: reduce.ref.ts's argReduceRef) of
// 32-bit values (f32, i32, u32 by bit pattern) into int64 indices, stored as (lo, hi) u32 words,
// little endian, as the WebGPU executor keeps int64 values. One invocation per output element
// walks the axis as the reference does: a later value replaces the best when strictly better, or
// equal with select_last_index. Comparisons go through order-preserving u32 keys (never through
// f32 compare, which a GPU may flush for subnormals): +0 and -0 share a key, and NaN compares
// false both ways (a leading NaN stays the best, a later one is skipped), as in JavaScript.
// Hardmax (flags bit 2) finds the same first maximum and writes the one-hot row instead: 1.0 at
// the best index, 0.0 elsewhere, as f32 words over x's layout.
// bindings: 0 x, 1 y (2 words per index; Hardmax: x's layout), 2 params.

override WORKGROUP_SIZE: u32 = 64u;

// kind: 0 f32, 1 i32, 2 u32; flags: bit 0 ArgMin, bit 1 select_last_index, bit 2 Hardmax.
struct ArgParams { out_count: u32, len: u32, inner: u32, kind: u32, flags: u32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: ArgParams;

fn is_nan_bits(b: u32) -> bool { return params.kind == 0u && (b & 0x7fffffffu) > 0x7f800000u; }

/** A key whose u32 order is the values' order (f32 zeros of both signs equal). */
fn key_of(b: u32) -> u32 {
  switch (params.kind) {
    case 0u: {
      if ((b & 0x7fffffffu) == 0u) { return 0x80000000u; }
      return select(b | 0x80000000u, ~b, b >= 0x80000000u);
    }
    case 1u: { return b ^ 0x80000000u; }
    default: { return b; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (o >= params.out_count) { return; }
  let inner = params.inner;
  let base = (o / inner) * params.len * inner + o % inner;
  let is_min = (params.flags & 1u) != 0u;
  let last = (params.flags & 2u) != 0u;
  var best = 0u;
  var mb = x[base];
  for (var k = 1u; k < params.len; k++) {
    let vb = x[base + k * inner];
    if (is_nan_bits(vb) || is_nan_bits(mb)) { continue; }
    let v = key_of(vb);
    let m = key_of(mb);
    let better = select(v > m, v < m, is_min);
    if (better || (last && v == m)) {
      best = k;
      mb = vb;
    }
  }
  if ((params.flags & 4u) != 0u) {
    for (var k = 0u; k < params.len; k++) { y[base + k * inner] = select(0u, 0x3f800000u, k == best); }
    return;
  }
  y[2u * o] = best;
  y[2u * o + 1u] = 0u;
}
