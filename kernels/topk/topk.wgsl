// TopK over f32, i32 or u32 (KIND 0, 1, 2; oracle: kernels/misc/scan.ref.ts topKRef): one
// invocation per row (o, i) of the
// input viewed as [outer, len, inner]. The reference sorts each row by a total order and keeps the
// first K: NaN above every number, then by value (descending when LARGEST, ascending otherwise;
// -0 equals +0), equal values by the lower index first. The invocation finds the K first elements
// of that order by K selection passes, each taking the first element that comes after the one
// taken last (O(K * len) per row). Values are moved as bit patterns (NaN payloads kept); indices
// are written as i32 words (the host widens them to int64).
// Bindings: 0 x (element bits), 1 values (element bits), 2 indices (int64 as (lo, hi) u32 words,
// as the WebGPU executor keeps int64), 3 params. Grid: linear, 2-D past
// the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  k: u32,
  largest: u32,
  kind: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> values: array<u32>;
@group(0) @binding(2) var<storage, read_write> indices: array<u32>; // int64: (lo, hi) words
@group(0) @binding(3) var<uniform> P: Params;

fn is_nan(bits: u32) -> bool {
  return (bits & 0x7fffffffu) > 0x7f800000u;
}

/** Whether element (a, ia) comes before (b, ib) in the reference's order. */
fn before(a: u32, ia: u32, b: u32, ib: u32) -> bool {
  if (P.kind != 0u) {
    if (a == b) { return ia < ib; }
    let greater = select(a > b, bitcast<i32>(a) > bitcast<i32>(b), P.kind == 1u);
    return greater == (P.largest != 0u);
  }
  let an = is_nan(a);
  let bn = is_nan(b);
  if (an || bn) {
    if (an && bn) { return ia < ib; }
    return an == (P.largest != 0u);
  }
  let fa = bitcast<f32>(a);
  let fb = bitcast<f32>(b);
  if (fa == fb) { return ia < ib; }
  return (fa > fb) == (P.largest != 0u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (t >= P.outer * P.inner) { return; }
  let o = t / P.inner;
  let i = t % P.inner;
  let base = o * P.len * P.inner + i;
  let out_base = o * P.k * P.inner + i;
  var last = 0u;
  var last_i = 0u;
  for (var r = 0u; r < P.k; r++) {
    var best = 0u;
    var best_i = P.len; // none yet
    for (var j = 0u; j < P.len; j++) {
      let v = x[base + j * P.inner];
      if (r > 0u && !before(last, last_i, v, j)) { continue; }
      if (best_i == P.len || before(v, j, best, best_i)) {
        best = v;
        best_i = j;
      }
    }
    values[out_base + r * P.inner] = best;
    let at = out_base + r * P.inner;
    indices[2u * at] = best_i;
    indices[2u * at + 1u] = 0u; // an index is never negative
    last = best;
    last_i = best_i;
  }
}
