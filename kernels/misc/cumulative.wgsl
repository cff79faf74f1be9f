// CumSum and CumProd (oracle: scan.ref.ts cumulativeRef; host: misc.ts prepareCumulative): one
// thread per line along the axis, which it walks in order (from the end with REVERSE), adding (or,
// PRODUCT, multiplying) in T as onnxruntime's CPU loop does. EXCLUSIVE writes the running value
// before taking the element, starting from 0 (1 for PRODUCT). T is f32 (CumSum; CumProd, whose
// reference multiplies in f64 and rounds each output once) or i32 (CumProd, wrapping as the
// reference's integer arithmetic): the host replaces the alias line.
// Line t = (o, i) of [outer, len, inner] starts at o * len * inner + i with stride inner.
// Bindings: 0 x, 1 y, 2 params. Grid: linear, 2-D past the dispatch limit.

alias T = f32;

override PRODUCT: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  exclusive: u32,
  reverse: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> y: array<T>;
@group(0) @binding(2) var<uniform> P: Params;

fn take(acc: T, v: T) -> T {
  if (PRODUCT) { return acc * v; }
  return acc + v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (t >= P.outer * P.inner) { return; }
  let base = (t / P.inner) * P.len * P.inner + t % P.inner;
  var acc = select(T(0), T(1), PRODUCT);
  for (var s = 0u; s < P.len; s++) {
    let j = select(s, P.len - 1u - s, P.reverse != 0u);
    let at = base + j * P.inner;
    let v = x[at];
    if (P.exclusive != 0u) {
      y[at] = acc;
      acc = take(acc, v);
    } else {
      acc = take(acc, v);
      y[at] = acc;
    }
  }
}
