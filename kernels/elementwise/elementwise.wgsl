// Elementwise f32 kernels (host: elementwise.ts; oracle: elementwise.ref.ts, activation.ref.ts).
//
// unary_main:  y[i] = f(x[i])                       bindings: 0 x, 1 y, 2 params
// binary_main: y[i] = a[ia(i)] (op) b[ib(i)]        bindings: 0 a, 1 b, 2 y, 3 params, 4 shape
//   numpy broadcasting: `shape` holds the output dims, then A's and B's element strides per output
//   axis (0 where that input is broadcast); rank 0 means all three have the same layout.
// Data are u32 words (f32 / i32 bit patterns) so Cast int32 -> float32 is one more unary op.
// One thread per element; the grid is 2-D when it exceeds the per-dimension limit:
// i = gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.
// Accuracy: + - * are exact f32 roundings; / and sqrt/exp/log follow the WGSL ULP bounds; erf is a
// Taylor series below 0.5 and Numerical Recipes' erfc (1.2e-7 relative) above.

override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  rank: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<storage, read> x_in: array<u32>;
@group(0) @binding(1) var<storage, read_write> y_unary: array<u32>;
@group(0) @binding(2) var<uniform> unary_params: Params;

// erf_f32 and tanh_f32: kernels/gpu/wgsl/float-math.wgsl, which the host prepends.

/** clamp(t, 0, 1) that lets NaN through (WGSL min/max may drop it, the reference keeps it). */
fn clamp01_keep_nan(t: f32) -> f32 {
  return select(select(t, 1.0, t > 1.0), 0.0, t < 0.0);
}

fn unary_op(bits: u32, p: Params) -> u32 {
  let v = bitcast<f32>(bits);
  var r: f32;
  switch (OP) {
    case 0u: { r = select(v, 0.0, v < 0.0); }                                // Relu (NaN stays)
    case 1u: { r = select(select(v, p.beta, v > p.beta), p.alpha, v < p.alpha); } // Clip [alpha, beta]
    case 2u: { r = select(p.alpha * v, v, v >= 0.0); }                        // LeakyRelu
    case 3u: {                                                               // Sigmoid
      if (v >= 0.0) { r = 1.0 / (1.0 + exp(-v)); } else { let e = exp(v); r = e / (1.0 + e); }
    }
    case 4u: { r = clamp01_keep_nan(p.alpha * v + p.beta); }                 // HardSigmoid
    case 5u: { r = v * clamp01_keep_nan(v / 6.0 + 0.5); }                     // HardSwish
    case 6u: { r = tanh_f32(v); }                                            // Tanh
    case 7u: { r = erf_f32(v); }                                             // Erf
    case 8u: { r = sqrt(v); }                                                // Sqrt
    case 9u: { r = v; }                                                      // Identity (copy)
    case 10u: { r = -v; }                                                    // Neg
    case 11u: { r = abs(v); }                                                // Abs
    case 12u: { r = exp(v); }                                                // Exp
    case 13u: { r = log(v); }                                                // Log
    case 14u: { r = 1.0 / v; }                                               // Reciprocal
    case 15u: { r = f32(bitcast<i32>(bits)); }                               // Cast int32 -> float32
    default: { r = v; }
  }
  return bitcast<u32>(r);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn unary_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= unary_params.count) { return; }
  y_unary[i] = unary_op(x_in[i], unary_params);
}

@group(0) @binding(0) var<storage, read> a_in: array<u32>;
@group(0) @binding(1) var<storage, read> b_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> y_binary: array<u32>;
@group(0) @binding(3) var<uniform> binary_params: Params;
@group(0) @binding(4) var<storage, read> shape: array<i32>;

// Private variables, not constants: a constant expression may not produce inf or NaN.
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;

/** C pow() on f32: WGSL pow is undefined for x < 0 and x = 0. */
fn pow_f32(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (x == 0.0) { return select(bitcast<f32>(INF_BITS), 0.0, y > 0.0); }
  if (x < 0.0) {
    if (floor(y) != y) { return bitcast<f32>(NAN_BITS); }
    let m = pow(-x, y);
    let odd = abs(y) < 16777216.0 && (i32(abs(y)) & 1) == 1;
    return select(m, -m, odd);
  }
  return pow(x, y);
}

fn binary_op(a: f32, b: f32) -> f32 {
  switch (OP) {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    case 4u: { return pow_f32(a, b); }
    case 5u: { return a * a; }        // Pow with the exponent 2 shortcut (onnxruntime)
    case 6u: { return a * a * a; }    // Pow with the exponent 3 shortcut
    default: { return a; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn binary_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= binary_params.count) { return; }
  let rank = binary_params.rank;
  var ia = i;
  var ib = i;
  if (rank > 0u) {
    var rest = i32(i);
    var oa = 0;
    var ob = 0;
    for (var d = i32(rank) - 1; d >= 0; d--) {
      let n = shape[d];
      let c = rest % n;
      rest = rest / n;
      oa += c * shape[i32(rank) + d];
      ob += c * shape[2 * i32(rank) + d];
    }
    ia = u32(oa);
    ib = u32(ob);
  }
  let r = binary_op(bitcast<f32>(a_in[ia]), bitcast<f32>(b_in[ib]));
  y_binary[i] = bitcast<u32>(r);
}
