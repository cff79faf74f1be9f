// SwiGLU (opset 28), float32 (host: attention-gpu.ts; meaning: attention.ref.ts swiGluRef):
// y = (a * sigmoid(alpha * a)) * b per element, sigmoid as 1 / (1 + exp(-alpha * a)). WGSL's
// exp and `/` are not exactly rounded, so this is within a few f32 ulps of the reference
// (and a sigmoid argument past -80 gives at most 2e-35 instead of less).
// Bindings: 0 a, 1 b, 2 y, 3 params.

override WORKGROUP_SIZE: u32 = 64u;

struct Params { total: u32, alpha: f32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (idx >= params.total) { return; }
  let v = a[idx];
  // exp's argument is kept finite (WGSL leaves infinities indeterminate); past 80 the sigmoid is
  // below 2e-35 either way.
  let sig = 1.0 / (1.0 + exp(min(-params.alpha * v, 80.0)));
  y[idx] = (v * sig) * b[idx];
}
