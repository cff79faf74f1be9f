// f32 row normalization (host: normalize.ts; oracles: layer-norm.ref.ts, channel-norm.ref.ts).
// The input is `rows` contiguous rows of `len` elements. For each row:
//   MODE 0 (mean/variance): y = (x - mean) * inv * scale[p] + bias[p],  inv = 1 / sqrt(var + eps)
//   MODE 1 (RMS):           y = x * inv * scale[p],                      inv = 1 / sqrt(mean(x^2) + eps)
// with the parameter index p = (row % pmod) * pmul + k / pdiv for element k of the row, which
// covers LayerNorm / RMSNorm (p = k), InstanceNorm (p = channel) and GroupNorm (p = channel or group).
// HAS_BIAS = 0: no bias (binding 2 is then a dummy). HAS_STATS = 1: thread 0 of each row also
// writes the row's mean and inv to mean_out / inv_out (LayerNormalization's Mean and InvStdDev). Mean and variance are two passes (the
// variance sums (x - mean)^2, no E[x^2] - E[x]^2 cancellation), each a strided per-thread sum
// tree-reduced in workgroup memory. One workgroup per row. Bindings: 0 x, 1 scale, 2 bias, 3 y,
// 4 mean_out, 5 inv_out (dummies without HAS_STATS), 6 params. Grid: rows (2-D past the limit).

override WORKGROUP_SIZE: u32 = 64u;
override MODE: u32 = 0u;
override HAS_BIAS: u32 = 1u;
override HAS_STATS: u32 = 0u;

struct Params { rows: u32, len: u32, pmod: u32, pmul: u32, pdiv: u32, eps: f32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> scale: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> inv_out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;

fn reduce_sum(t: u32, v: f32) -> f32 {
  scratch[t] = v;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s /= 2u) {
    if (t < s) { scratch[t] += scratch[t + s]; }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  // Uniform control flow: every thread of a workgroup agrees on `row`, so barriers are reached.
  let row = wid.x + wid.y * nwg.x;
  let in_range = row < params.rows;
  let len = params.len;
  let base = row * len;
  let n = f32(len);
  var mean = 0.0;
  if (MODE == 0u) {
    var s = 0.0;
    if (in_range) { for (var k = t; k < len; k += WORKGROUP_SIZE) { s += x[base + k]; } }
    mean = reduce_sum(t, s) / n;
  }
  var sq = 0.0;
  if (in_range) {
    for (var k = t; k < len; k += WORKGROUP_SIZE) {
      let d = x[base + k] - mean;
      sq += d * d;
    }
  }
  let inv = 1.0 / sqrt(reduce_sum(t, sq) / n + params.eps);
  if (HAS_STATS == 1u && in_range && t == 0u) {
    mean_out[row] = mean;
    inv_out[row] = inv;
  }
  if (in_range) {
    let pbase = (row % params.pmod) * params.pmul;
    for (var k = t; k < len; k += WORKGROUP_SIZE) {
      let p = pbase + k / params.pdiv;
      var v = (x[base + k] - mean) * inv * scale[p];
      if (HAS_BIAS == 1u) { v += bias[p]; }
      y[base + k] = v;
    }
  }
}
