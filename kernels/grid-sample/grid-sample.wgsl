// GridSample (host: grid-sample.ts; meaning: grid-sample.ref.ts), float32, 1 to 3 spatial dims.
// One invocation per output element (b, c, o): the grid point's coordinates are denormalized,
// rounded (nearest), moved into range (border / reflection, as the ONNX reference) and sampled
// through per-dim taps, summed innermost dim first as the reference does. Dims past K are padded
// with size 1 and a single tap of weight 1. Bindings: 0 x, 1 grid, 2 y, 3 params, 4 table
// (i32: in dims [3], out spatial size, in spatial size).

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  total: u32, channels: u32, k: u32, mode: u32,       // mode 0 linear, 1 nearest, 2 cubic
  padding: u32, align: u32, outSize: u32, inSize: u32, // padding 0 zeros, 1 border, 2 reflection
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> grid: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> table: array<i32>;

fn lo(n: f32) -> f32 { return select(-0.5, 0.0, params.align == 1u); }
fn hi(n: f32) -> f32 { return select(n - 0.5, n - 1.0, params.align == 1u); }

fn reflect(v: f32, a: f32, b: f32) -> f32 {
  let range = b - a;
  if (range <= 0.0) { return a; }
  if (v < a) {
    let dx = a - v;
    let n = trunc(dx / range);
    let r = dx - n * range;
    return select(b - r, a + r, (i32(n) % 2) == 0);
  }
  if (v > b) {
    let dx = v - b;
    let n = trunc(dx / range);
    let r = dx - n * range;
    return select(a + r, b - r, (i32(n) % 2) == 0);
  }
  return v;
}

/** Tap index i along a dim of size n after padding; -1 reads zero. */
fn tap(i: i32, n: i32) -> i32 {
  if (params.padding == 0u) { return select(-1, i, i >= 0 && i < n); }
  if (params.padding == 1u) { return clamp(i, 0, n - 1); }
  return i32(trunc(reflect(f32(i), lo(f32(n)), hi(f32(n)))));
}

fn cubic(t: f32, j: u32) -> f32 {
  let a = -0.75;
  let s = abs(t);
  switch (j) {
    case 0u: { return ((a * (s + 1.0) - 5.0 * a) * (s + 1.0) + 8.0 * a) * (s + 1.0) - 4.0 * a; }
    case 1u: { return ((a + 2.0) * s - (a + 3.0)) * s * s + 1.0; }
    case 2u: { return ((a + 2.0) * (1.0 - s) - (a + 3.0)) * (1.0 - s) * (1.0 - s) + 1.0; }
    default: { return ((a * (2.0 - s) - 5.0 * a) * (2.0 - s) + 8.0 * a) * (2.0 - s) - 4.0 * a; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (e >= params.total) { return; }
  let o = e % params.outSize;
  let bc = e / params.outSize;
  let b = bc / params.channels;
  let k = params.k;
  var idx: array<array<i32, 4>, 3>;
  var wt: array<array<f32, 4>, 3>;
  var count: array<u32, 3>;
  var dims: array<i32, 3>;
  for (var d = 0u; d < 3u; d++) {
    dims[d] = table[d];
    if (d >= k) {
      count[d] = 1u; idx[d][0] = 0; wt[d][0] = 1.0;
      continue;
    }
    let n = f32(dims[d]);
    let g = grid[(b * params.outSize + o) * k + (k - 1u - d)];
    var v: f32;
    if (params.align == 1u) { v = (g + 1.0) / 2.0 * (n - 1.0); } else { v = ((g + 1.0) * n - 1.0) / 2.0; }
    if (params.mode == 1u) { v = round(v); }
    if (v < lo(n) || v > hi(n)) {
      if (params.padding == 1u) { v = clamp(v, 0.0, n - 1.0); }
      else if (params.padding == 2u) { v = reflect(v, lo(n), hi(n)); }
    }
    if (params.mode == 1u) {
      count[d] = 1u; idx[d][0] = tap(i32(trunc(v)), dims[d]); wt[d][0] = 1.0;
    } else {
      let i0 = floor(v);
      let t = v - i0;
      if (params.mode == 0u) {
        count[d] = 2u;
        idx[d][0] = tap(i32(i0), dims[d]); wt[d][0] = 1.0 - t;
        idx[d][1] = tap(i32(i0) + 1, dims[d]); wt[d][1] = t;
      } else {
        count[d] = 4u;
        for (var j = 0u; j < 4u; j++) {
          idx[d][j] = tap(i32(i0) - 1 + i32(j), dims[d]);
          wt[d][j] = cubic(t, j);
        }
      }
    }
  }
  let base = bc * params.inSize;
  var acc0 = 0.0;
  for (var u = 0u; u < count[0]; u++) {
    if (idx[0][u] < 0) { continue; }
    var acc1 = 0.0;
    for (var v = 0u; v < count[1]; v++) {
      if (idx[1][v] < 0) { continue; }
      var acc2 = 0.0;
      for (var w = 0u; w < count[2]; w++) {
        if (idx[2][w] < 0) { continue; }
        let at = (u32(idx[0][u]) * u32(dims[1]) + u32(idx[1][v])) * u32(dims[2]) + u32(idx[2][w]);
        acc2 = acc2 + wt[2][w] * x[base + at];
      }
      acc1 = acc1 + wt[1][v] * acc2;
    }
    acc0 = acc0 + wt[0][u] * acc1;
  }
  y[e] = acc0;
}
