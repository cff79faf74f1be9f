// LpNormalization, p = 1 or 2 (host: float-norms.ts; oracle: channel-norm.ref.ts's lpNormalization,
// float64): one invocation per (outer, inner) line sums |x| or x * x along the axis in f32, then
// writes x / norm (0 where the norm is 0). Within the tests' stated tolerance of the reference.
// bindings: 0 x, 1 y, 2 params.

override WORKGROUP_SIZE: u32 = 64u;

struct LpParams { count: u32, len: u32, inner: u32, p: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: LpParams;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (o >= params.count) { return; }
  let inner = params.inner;
  let base = (o / inner) * params.len * inner + o % inner;
  var acc = 0.0;
  for (var k = 0u; k < params.len; k++) {
    let v = x[base + k * inner];
    acc += select(v * v, abs(v), params.p == 1u);
  }
  let norm = select(sqrt(acc), acc, params.p == 1u);
  for (var k = 0u; k < params.len; k++) {
    let i = base + k * inner;
    y[i] = select(x[i] / norm, 0.0, norm == 0.0);
  }
}
