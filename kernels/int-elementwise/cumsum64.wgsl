// CumSum of int64 word pairs (lo, hi) (oracle: scan.ref.ts cumulativeRef, BigInt wrapped to 64
// bits; host: cumsum64.ts): cumulative.wgsl's walk, one thread per line along the axis, in order
// (from the end with REVERSE), adding with a carry; EXCLUSIVE writes the running sum before taking
// the element, starting from 0.
// Line t = (o, i) of [outer, len, inner] starts at o * len * inner + i with stride inner.
// Bindings: 0 x, 1 y (words), 2 params. Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  exclusive: u32,
  reverse: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> P: Params;

fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (t >= P.outer * P.inner) { return; }
  let base = (t / P.inner) * P.len * P.inner + t % P.inner;
  var acc = vec2<u32>(0u, 0u);
  for (var s = 0u; s < P.len; s++) {
    let j = select(s, P.len - 1u - s, P.reverse != 0u);
    let at = base + j * P.inner;
    let v = vec2<u32>(x[2u * at], x[2u * at + 1u]);
    if (P.exclusive != 0u) {
      y[2u * at] = acc.x;
      y[2u * at + 1u] = acc.y;
      acc = add64(acc, v);
    } else {
      acc = add64(acc, v);
      y[2u * at] = acc.x;
      y[2u * at + 1u] = acc.y;
    }
  }
}
