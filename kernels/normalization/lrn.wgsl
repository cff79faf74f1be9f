// LRN over the channels of [N, C, spatial] (host: float-norms.ts; oracle: channel-norm.ref.ts's
// lrn, float64): one invocation per element sums the squares of its channel window
// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] in f32 and writes
// x / (bias + alpha / size * sum) ^ beta. Within the tests' stated tolerance of the reference.
// bindings: 0 x, 1 y, 2 params.

override WORKGROUP_SIZE: u32 = 64u;

struct LrnParams { count: u32, channels: u32, spatial: u32, lo: u32, hi: u32, alpha_over_size: f32, beta: f32, bias: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: LrnParams;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  let s = i % params.spatial;
  let c = (i / params.spatial) % params.channels;
  let plane = i - (c * params.spatial + s);
  let first = u32(max(i32(c) - i32(params.lo), 0));
  let last = min(c + params.hi, params.channels - 1u);
  var sq = 0.0;
  for (var j = first; j <= last; j++) {
    let v = x[plane + j * params.spatial + s];
    sq += v * v;
  }
  y[i] = x[i] / pow(params.bias + params.alpha_over_size * sq, params.beta);
}
