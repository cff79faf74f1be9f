// f32 math helpers shared by the float kernels (elementwise.wgsl, unary.wgsl): prepended by the
// hosts. Each matches its float64 reference within a few ULP where WGSL's builtins do not
// (erf, tanh for large |x|, expm1 and log1p near 0, log's edge values, round half to even, sin
// and cos).

// Private variables, not constants: a constant expression may not produce inf or NaN.
var<private> MATH_INF_BITS: u32 = 0x7f800000u;
var<private> MATH_NAN_BITS: u32 = 0x7fc00000u;

fn nan_f32() -> f32 { return bitcast<f32>(MATH_NAN_BITS); }

fn erf_f32(v: f32) -> f32 {
  let a = abs(v);
  if (a < 0.5) {
    // 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)), terms up to n = 6 (below 1e-8 relative).
    let s = v * v;
    let p = 1.0 + s * (-1.0 / 3.0 + s * (1.0 / 10.0 + s * (-1.0 / 42.0 + s * (1.0 / 216.0 + s * (-1.0 / 1320.0 + s * (1.0 / 9360.0))))));
    return 1.1283791670955126 * v * p;
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  let poly = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(poly);
  return select(-r, r, v >= 0.0);
}

fn tanh_f32(v: f32) -> f32 {
  // tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|): never inf/inf for large |x|.
  if (abs(v) < 0.0625) {
    let s = v * v;
    return v * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0))));
  }
  let e = exp(-2.0 * abs(v));
  let r = (1.0 - e) / (1.0 + e);
  return select(-r, r, v >= 0.0);
}

/** exp(v) - 1 without cancellation near 0 (Taylor below |v| < 0.03, 5 terms: < 1e-9 relative). */
fn expm1_f32(v: f32) -> f32 {
  if (abs(v) < 0.03) {
    return v * (1.0 + v * (0.5 + v * (1.0 / 6.0 + v * (1.0 / 24.0 + v * (1.0 / 120.0)))));
  }
  return exp(v) - 1.0;
}

/** log(1 + v) without cancellation near 0. */
fn log1p_f32(v: f32) -> f32 {
  if (abs(v) < 0.01) {
    return v * (1.0 + v * (-0.5 + v * (1.0 / 3.0 + v * (-0.25 + v * 0.2))));
  }
  return log(1.0 + v);
}

/** log with C's edge values (WGSL leaves log(x <= 0) undefined). */
fn log_f32(v: f32) -> f32 {
  if (v == 0.0) { return -bitcast<f32>(MATH_INF_BITS); }
  if (v < 0.0) { return bitcast<f32>(MATH_NAN_BITS); }
  if (v == bitcast<f32>(MATH_INF_BITS)) { return v; }
  return log(v);
}

/** log(1 + exp(v)) without overflow (onnxruntime's Softplus). */
fn softplus_f32(v: f32) -> f32 {
  if (v > 0.0) { return v + log1p_f32(exp(-v)); }
  return log1p_f32(exp(v));
}

/** Round half to even; keeps -0, NaN and infinities. */
fn round_even_f32(v: f32) -> f32 {
  if (abs(v) >= 8388608.0 || v != v) { return v; } // already an integer (or NaN / inf)
  let f = floor(v);
  let d = v - f;
  var r = f;
  if (d > 0.5 || (d == 0.5 && (i32(f) & 1) != 0)) { r = f + 1.0; }
  if (r == 0.0 && v < 0.0) { return -0.0; }
  return r;
}

/** sin or cos (cosine: `quadrant_shift` 1) with Cody-Waite reduction by pi/2 and minimax
 *  polynomials on [-pi/4, pi/4]: ~1 ULP up to |v| ~ 1e5 (WGSL's builtins only bound the absolute
 *  error by 2^-11 on [-pi, pi]). */
fn sincos_f32(v: f32, quadrant_shift: i32) -> f32 {
  let k = round(v * 0.63661977236758134);
  // pi/2 split in three f32 parts, each exact when multiplied by k (< 2^17).
  var r = v - k * 1.5703125;
  r = r - k * 4.8351287841796875e-4;
  r = r - k * 3.13855707e-7;
  let q = (i32(k) + quadrant_shift) & 3;
  let s = r * r;
  let sin_r = r + r * s * (-1.6666654611e-1 + s * (8.3321608736e-3 + s * -1.9515295891e-4));
  let cos_r = 1.0 - 0.5 * s + s * s * (4.166664568298827e-2 + s * (-1.388731625493765e-3 + s * 2.443315711809948e-5));
  switch (q) {
    case 0: { return sin_r; }
    case 1: { return cos_r; }
    case 2: { return -sin_r; }
    default: { return -cos_r; }
  }
}

fn sin_f32(v: f32) -> f32 { return sincos_f32(v, 0); }
fn cos_f32(v: f32) -> f32 { return sincos_f32(v, 1); }
