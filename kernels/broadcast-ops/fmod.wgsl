// fmod.wgsl: Mod on f32 for broadcast-ops.wgsl (prepended by broadcast-ops.ts), exact as the
// reference's (broadcast-ops.ref.ts: Fmod is JavaScript's %, C's fmod; Mod with fmod = 0 is
// Python's %). fmod's result is always representable, so it is computed on the bit patterns by
// integer long division of the significands: exact for every input, subnormals included, with no
// f32 arithmetic a GPU might flush. Tests: tests/gpu/float-broadcast-table.test.ts,
// tests/gpu/extra-ops-math.test.ts.

const FMOD_NAN: u32 = 0x7fc00000u;

/** C's fmod(x, y) on bit patterns: the sign of x; NaN for y = 0, x infinite or a NaN operand. */
fn fmod_bits(xb: u32, yb: u32) -> u32 {
  let sx = xb & 0x80000000u;
  let ax = xb & 0x7fffffffu;
  let ay = yb & 0x7fffffffu;
  if (ax >= 0x7f800000u || ay > 0x7f800000u || ay == 0u) { return FMOD_NAN; }
  if (ay == 0x7f800000u || ax < ay) { return xb; }
  if (ax == ay) { return sx; }
  // |x| = mx 2^(ex - 150), |y| = my 2^(ey - 150) (subnormals: exponent 1, no implicit bit);
  // ax > ay gives ex >= ey, and the remainder is (mx 2^(ex - ey) mod my) 2^(ey - 150).
  var ex = i32(ax >> 23u);
  var mx = ax & 0x7fffffu;
  if (ex == 0) { ex = 1; } else { mx |= 0x800000u; }
  var ey = i32(ay >> 23u);
  var my = ay & 0x7fffffu;
  if (ey == 0) { ey = 1; } else { my |= 0x800000u; }
  var r = mx % my;
  for (var k = ey; k < ex; k++) { r = (r << 1u) % my; }
  if (r == 0u) { return sx; }
  var e = ey;
  while (r < 0x800000u && e > 1) {
    r = r << 1u;
    e -= 1;
  }
  if (r >= 0x800000u) { return sx | (u32(e) << 23u) | (r & 0x7fffffu); }
  return sx | r;
}

fn fmod_f32(a: f32, b: f32) -> f32 { return bitcast<f32>(fmod_bits(bitcast<u32>(a), bitcast<u32>(b))); }

/**
 * Python's a % b (Mod with fmod = 0, opset 28 on floats): fmod, then a zero takes b's sign and a
 * non-zero remainder whose sign differs from b's gets b added (one f32 addition, as the reference's
 * Float32Array store rounds it). Signs by bit (b = -0 already gave NaN).
 */
fn pymod_f32(a: f32, b: f32) -> f32 {
  let bb = bitcast<u32>(b);
  let rb = fmod_bits(bitcast<u32>(a), bb);
  if ((rb & 0x7fffffffu) > 0x7f800000u) { return bitcast<f32>(rb); }
  if ((rb & 0x7fffffffu) == 0u) { return bitcast<f32>(bb & 0x80000000u); }
  if ((rb & 0x80000000u) != (bb & 0x80000000u)) { return bitcast<f32>(rb) + b; }
  return bitcast<f32>(rb);
}
