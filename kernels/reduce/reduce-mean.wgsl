// ReduceMean's body for reduce.wgsl (host: reduce.ts's prepareReduceMean; oracle: the float32
// path of reduce-mean.ref.ts). One invocation per output element performs the reference's f32
// operations in the reference's order, so the result is bit-exact with it (and so with
// onnxruntime's CPU kernel): params.mode is the path ortReduceMeanPath chose, the three words
// after the axes table are its merged dims (`fast`). The division by the count is exactly rounded
// (div-nearest.wgsl, prepended by the host): WGSL's `/` may be 2.5 ULP off. The one exception is
// the subnormal range (|x| < 2^-126): WGSL lets f32 arithmetic flush it, and SwiftShader does, so
// subnormal sums and means come out as zeros where the reference keeps them.

const MEAN_ALL = 1u;      // everything reduced: one Eigen sum
const MEAN_COPY = 2u;     // nothing reduced
const MEAN_ROWS = 3u;     // [K, R]: an Eigen sum per row
const MEAN_R1KR2 = 4u;    // [R1, K, R2]: Eigen sums of the R2-runs added from 0
const MEAN_K1RK2 = 5u;    // [K1, R, K2]: SGEMM's blocks of 4, then 2, then 1
// anything else: a sum from 0 in row-major order

fn x4(i: u32) -> vec4<f32> { return vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]); }

/** reduce-mean.ref.ts's eigenSumF32: x[start, start + n) as Eigen's SSE packets add it (n >= 1). */
fn eigen_sum(start: u32, n: u32) -> f32 {
  let head = min(n, (4u - start % 4u) % 4u);
  let aligned = ((n - head) / 4u) * 4u;
  let aligned2 = ((n - head) / 8u) * 8u;
  if (aligned == 0u) {
    var s = x[start];
    for (var i = 1u; i < n; i++) { s = s + x[start + i]; }
    return s;
  }
  let a = start + head;
  // vec4 + vec4 is four independent f32 additions: the packet lanes of the reference.
  var p = x4(a);
  if (aligned > 4u) {
    var q = x4(a + 4u);
    for (var i = a + 8u; i < a + aligned2; i += 8u) {
      p = p + x4(i);
      q = q + x4(i + 4u);
    }
    p = p + q;
    if (aligned > aligned2) { p = p + x4(a + aligned2); }
  }
  var s = (p.x + p.z) + (p.y + p.w);
  for (var i = start; i < a; i++) { s = s + x[i]; }
  for (var i = a + aligned; i < start + n; i++) { s = s + x[i]; }
  return s;
}

/**
 * s / c correctly rounded for a count c (exact in f32, >= 1): zeros, infinities and NaN divide to
 * themselves; results below the normal range flush to a signed zero (div_nearest's range; WGSL
 * may flush subnormals anyway).
 */
fn mean_div(s: f32, c: f32) -> f32 {
  let bits = bitcast<u32>(s) & 0x7fffffffu;
  if (bits == 0u || bits >= 0x7f800000u || c == 1.0) { return s; }
  return div_nearest(s, c);
}

fn reduce_mean(o: u32, base: u32) -> f32 {
  let t = 3u * params.rank;
  let f0 = u32(axes[t]);
  let f1 = u32(axes[t + 1u]);
  let f2 = u32(axes[t + 2u]);
  let n = params.red_count;
  let count = f32(n);
  switch (params.mode) {
    case MEAN_ALL: { return mean_div(eigen_sum(0u, n), count); }
    case MEAN_COPY: { return x[o]; }
    case MEAN_ROWS: { return mean_div(eigen_sum(o * f1, f1), count); }
    case MEAN_R1KR2: {
      var v: f32 = 0.0;
      for (var i = 0u; i < f0; i++) { v = v + eigen_sum((i * f1 + o) * f2, f2); }
      return mean_div(v, count);
    }
    case MEAN_K1RK2: {
      // o = a * K2 + k; element i of the reduced run is x[(a * R + i) * K2 + k].
      let row = (o / f2) * f1 * f2 + o % f2;
      let full = f1 - f1 % 4u;
      var acc: f32 = 0.0;
      for (var i = 0u; i < full; i += 4u) {
        acc = acc + (((x[row + i * f2] + x[row + (i + 1u) * f2]) + x[row + (i + 2u) * f2]) + x[row + (i + 3u) * f2]);
      }
      var i = full;
      if (f1 - i >= 2u) {
        acc = acc + (x[row + i * f2] + x[row + (i + 1u) * f2]);
        i += 2u;
      }
      if (i < f1) { acc = acc + x[row + i * f2]; }
      return mean_div(acc, count);
    }
    default: {
      var acc: f32 = 0.0;
      for (var r = 0u; r < n; r++) { acc = acc + x[base + offset_of(r, 1)]; }
      return mean_div(acc, count);
    }
  }
}
