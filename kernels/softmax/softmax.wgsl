// f32 Softmax along one axis (host: softmax.ts; oracle: softmax.ref.ts). The tensor is seen as
// [outer, len, inner]; row r = (o, i) holds the `len` elements base + k inner, base = o len inner + i.
//   y = exp(x - max(row)) / sum(exp(x - max(row)))      (LOG = 1: x - max(row) - log(sum(...)))
// One workgroup per row: WORKGROUP_SIZE threads stride over the row, then tree-reduce the max and
// the sum in workgroup memory. Bindings: 0 x, 1 y, 2 params. Grid: rows (2-D past the limit).

override WORKGROUP_SIZE: u32 = 64u;
override LOG: u32 = 0u;

struct Params { rows: u32, len: u32, inner: u32, pad0: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;
var<private> NEG_INF_BITS: u32 = 0xff800000u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  // Uniform control flow: every thread of a workgroup agrees on `row`, so barriers are reached.
  let row = wid.x + wid.y * nwg.x;
  let in_range = row < params.rows;
  let inner = params.inner;
  let base = (row / max(inner, 1u)) * params.len * inner + row % max(inner, 1u);
  var m = bitcast<f32>(NEG_INF_BITS);
  if (in_range) {
    for (var k = t; k < params.len; k += WORKGROUP_SIZE) { m = max(m, x[base + k * inner]); }
  }
  scratch[t] = m;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s /= 2u) {
    if (t < s) { scratch[t] = max(scratch[t], scratch[t + s]); }
    workgroupBarrier();
  }
  let row_max = scratch[0];
  workgroupBarrier();
  var sum = 0.0;
  if (in_range) {
    for (var k = t; k < params.len; k += WORKGROUP_SIZE) { sum += exp(x[base + k * inner] - row_max); }
  }
  scratch[t] = sum;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s /= 2u) {
    if (t < s) { scratch[t] += scratch[t + s]; }
    workgroupBarrier();
  }
  let total = scratch[0];
  if (in_range) {
    let log_total = log(total);
    for (var k = t; k < params.len; k += WORKGROUP_SIZE) {
      let v = x[base + k * inner] - row_max;
      y[base + k * inner] = select(exp(v) / total, v - log_total, LOG == 1u);
    }
  }
}
