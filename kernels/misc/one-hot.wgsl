// OneHot (host: one-hot.ts; oracle: movement.ref.ts's oneHotRef): output element (p, j, q) of
// [outer, depth, inner] is values[1] where the index at (p, q), truncated toward zero and taken
// from depth when negative, equals j, else values[0]. Indices are f32 or i32 words, or int64
// (lo, hi) word pairs; values are
// 32-bit words copied by bit pattern. A NaN, infinite or out-of-range index gives an all-off row.
// bindings: 0 indices, 1 values (2 words), 2 y, 3 params.

override WORKGROUP_SIZE: u32 = 64u;

// index_kind: 0 i32, 1 f32, 2 int64.
struct OneHotParams { count: u32, depth: u32, inner: u32, index_kind: u32 }

@group(0) @binding(0) var<storage, read> indices: array<u32>;
@group(0) @binding(1) var<storage, read> values: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<uniform> params: OneHotParams;

/** The index at i as a position in [0, depth), or -1 (never equal to a position) when off. */
fn position(i: u32) -> i32 {
  let d = i32(params.depth);
  if (params.index_kind == 2u) {
    let lo = indices[2u * i];
    // Beyond i32 is beyond any depth: off.
    if (indices[2u * i + 1u] != select(0u, 0xffffffffu, lo >= 0x80000000u)) { return -1; }
    let v = bitcast<i32>(lo);
    if (v < -d || v >= d) { return -1; }
    return select(v, v + d, v < 0);
  }
  let raw = indices[i];
  if (params.index_kind == 0u) {
    let v = bitcast<i32>(raw);
    if (v < -d || v >= d) { return -1; }
    return select(v, v + d, v < 0);
  }
  // NaN and infinities fail both bounds; |t| < depth <= 2^24 converts exactly.
  if ((raw & 0x7f800000u) == 0x7f800000u) { return -1; }
  let t = trunc(bitcast<f32>(raw));
  if (!(t >= -f32(d) && t < f32(d))) { return -1; }
  let v = i32(t);
  return select(v, v + d, v < 0);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (o >= params.count) { return; }
  let inner = params.inner;
  let q = o % inner;
  let j = (o / inner) % params.depth;
  let p = o / (inner * params.depth);
  y[o] = select(values[0], values[1], position(p * inner + q) == i32(j));
}
