// batchnorm-runtime.wgsl: inference BatchNormalization whose scale / B / mean / var are GPU values
// (graph inputs, computed tensors), in the reference's order (kernels/batchnorm/batchnorm.ref.ts):
//   inv = 1 / sqrt(var + eps), s = inv * scale, b = B - mean * s, y = x * s + b
// in f32. WGSL's sqrt and `/` are not correctly rounded (and a compiler may fuse x * s + b), so this
// is within float tolerance of the reference, not bit-exact; constant parameters take the exact
// path (lower-float.ts, s and b made on the host).
// Parameter p of element i: ((i % per_batch) / spread), spread = per_batch / count of parameters.
// Bindings: 0 x, 1 scale, 2 B, 3 mean, 4 var, 5 y, 6 params.

struct Params { count: u32, per_batch: u32, spread: u32, epsilon: f32, }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> scale: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (i >= params.count) { return; }
  let p = (i % params.per_batch) / params.spread;
  let inv = 1.0 / sqrt(variance[p] + params.epsilon);
  let s = inv * scale[p];
  let b = bias[p] - mean[p] * s;
  y[i] = x[i] * s + b;
}
