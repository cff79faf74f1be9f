// MeanVarianceNormalization (host: float-norms.ts; oracle: channel-norm.ref.ts's
// meanVarianceNormalization, float64): one invocation per group of the kept axes walks its reduced
// elements three times in f32: the mean, the mean square deviation, then
// (x - mean) / (sqrt(variance) + 1e-9). Within the tests' stated tolerance of the reference, except
// a group of equal values whose f32 sum rounds: its f32 mean is off by an ULP and the 1e-9 turns
// that into large values where the float64 reference gives 0.
// bindings: 0 x, 1 y, 2 params, 3 axes table: per input axis (dim, element stride, reduced 0/1),
// as reduce.wgsl's; the host appends reduce-axes.wgsl (offset_of).

override WORKGROUP_SIZE: u32 = 64u;

struct MvnParams { groups: u32, count: u32, rank: u32, pad0: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: MvnParams;
@group(0) @binding(3) var<storage, read> axes: array<i32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (g >= params.groups) { return; }
  let base = offset_of(g, 0);
  let n = params.count;
  var total = 0.0;
  for (var r = 0u; r < n; r++) { total += x[base + offset_of(r, 1)]; }
  let mean = total / f32(n);
  var sq = 0.0;
  for (var r = 0u; r < n; r++) {
    let d = x[base + offset_of(r, 1)] - mean;
    sq += d * d;
  }
  let deviation = sqrt(sq / f32(n)) + 1e-9;
  for (var r = 0u; r < n; r++) {
    let i = base + offset_of(r, 1);
    y[i] = (x[i] - mean) / deviation;
  }
}
