// One reduction of the table (host: reduce.ts; oracle: reduce.ref.ts) over any set of axes:
// one thread per output element walks its reduced elements in input (row-major) order. The host
// substitutes the op's INIT / STEP / FINAL (and MAX_PASS), prepends float-math.wgsl and appends
// reduce-axes.wgsl (offset_of).
// bindings: 0 x (f32), 1 y (f32), 2 params, 3 axes table: per input axis (dim, element stride,
// reduced 0/1). Grid: one thread per output element, 2-D past the limit.

override WORKGROUP_SIZE: u32 = 64u;

// mode: ReduceMean's path (reduce-mean.wgsl); 0 for the table ops.
struct ReduceParams { out_count: u32, red_count: u32, rank: u32, mode: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: ReduceParams;
@group(0) @binding(3) var<storage, read> axes: array<i32>;

fn is_nan_f32(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn is_finite_f32(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (o >= params.out_count) { return; }
  let base = offset_of(o, 0);
  let n = params.red_count;
  var m = x[base + offset_of(0u, 1)];
  //MAX_PASS
  //BODY
}
