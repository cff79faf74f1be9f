// SwiGLU (opset 28), float32 (host: attention-gpu.ts; meaning: attention.ref.ts swiGluRef):
// y = (a * sigmoid(alpha * a)) * b per element, sigmoid as 1 / (1 + exp(-alpha * a)). WGSL's
// exp and `/` are not exactly rounded, so this is within about 16 f32 ulps of the reference
// (and a sigmoid argument past -80 gives at most 2e-35 instead of less).
// Bindings: 0 a, 1 b, 2 y, 3 params.

override WORKGROUP_SIZE: u32 = 64u;

struct Params { total: u32, alpha: f32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

/** a = hi + lo with hi holding the upper 12 significand bits (Veltkamp's split). */
fn split(a: f32) -> vec2<f32> {
  let c = 4097.0 * a;
  let hi = c - (c - a);
  return vec2<f32>(hi, a - hi);
}

/**
 * exp(p + e) for the product p + e = x * y carried exactly (Dekker's two-product), through a
 * Cody-Waite range reduction (Cephes' constants): WGSL's exp is only held to 3 + 2|x| ulps, and
 * the reference multiplies -alpha * a in f64, so both the product's rounding and exp's error
 * at |x| ~ 80 would show; exp(r) with |r| <= ln2/2 is within a few ulps.
 */
fn exp_of_product(x: f32, y: f32) -> f32 {
  let p = x * y;
  let xs = split(x);
  let ys = split(y);
  let e = ((xs.x * ys.x - p) + xs.x * ys.y + xs.y * ys.x) + xs.y * ys.y;
  let q = min(p, 80.0);
  let n = round(q * 1.44269504);
  let r = ((q - n * 0.693359375) - n * -2.12194440e-4) + select(0.0, e, p < 80.0);
  return ldexp(exp(r), i32(n));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (idx >= params.total) { return; }
  let v = a[idx];
  // exp's argument is kept finite (WGSL leaves infinities indeterminate); past 80 the sigmoid is
  // below 2e-35 either way.
  let sig = 1.0 / (1.0 + exp_of_product(-params.alpha, v));
  y[idx] = (v * sig) * b[idx];
}
