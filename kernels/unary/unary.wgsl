// One op of the unary table (unary.ref.ts): y[i] = f(x[i], a, b). The host substitutes the op's
// WGSL expression for the marked 0.0 in unary_f and prepends kernels/gpu/wgsl/float-math.wgsl.
// bindings: 0 x (f32), 1 y (f32), 2 params. One thread per element; 2-D grid past the limit:
// i = gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.

override WORKGROUP_SIZE: u32 = 64u;

struct UnaryParams {
  count: u32,
  /** f(NaN), f(+inf), f(-inf) as the reference computes them (bit patterns). */
  nan_out: u32,
  a: f32,
  b: f32,
  pinf_out: u32,
  ninf_out: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> x_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(2) var<uniform> params: UnaryParams;

fn unary_f(v: f32, a: f32, b: f32) -> f32 {
  return /*EXPR*/0.0;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  let v = x_in[i];
  let bits = bitcast<u32>(v) & 0x7fffffffu;
  if (bits >= 0x7f800000u) {
    // NaN or an infinity: by bits, since WGSL may assume floats are finite.
    var special = params.nan_out;
    if (bits == 0x7f800000u) { special = select(params.pinf_out, params.ninf_out, (bitcast<u32>(v) >> 31u) == 1u); }
    y_out[i] = bitcast<f32>(special);
    return;
  }
  y_out[i] = unary_f(v, params.a, params.b);
}
