// Trilu over 32-bit elements (f32 / i32 bit patterns; oracle: movement.ref.ts triluRef). Element
// e of a [..., rows, cols] tensor sits at (r, c) = ((e / cols) % rows, e % cols); it is kept when
// c - r >= k (upper) or c - r <= k (lower), else written as the zero word (0.0 and 0 alike).
// Bindings: 0 src (u32), 1 dst (u32), 2 params. Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  rows: u32,
  cols: u32,
  upper: u32,
  k: i32,
}

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> P: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (e >= P.count) { return; }
  let c = i32(e % P.cols);
  let r = i32((e / P.cols) % P.rows);
  let d = c - r;
  let keep = select(d <= P.k, d >= P.k, P.upper != 0u);
  dst[e] = select(0u, src[e], keep);
}
