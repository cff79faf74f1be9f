// div-nearest.wgsl: an exactly rounded f32 division. WGSL's `/` is only accurate to 2.5 ULP, while
// onnxruntime's f32 arithmetic divides correctly rounded; kernels that must equal it bit for bit
// use this instead. Tests: tests/gpu/qlinear-softmax8.test.ts (against JavaScript's division).
// (A quotient of two floats is never exactly halfway between two floats, so ties cannot occur.)

// Set when a quotient overflowed f32 (div_nearest then returns a finite value the caller must
// ignore; WGSL gives infinities no defined runtime behaviour, so none is produced).
var<private> div_overflow: bool = false;

// a / b correctly rounded (ties to even) for finite a and normal b of either sign; results below
// the normal range come back as (signed) 0 (callers only round them to an integer), results above
// it set div_overflow.
fn div_nearest(a: f32, b: f32) -> f32 {
  let negative = (bitcast<u32>(a) ^ bitcast<u32>(b)) >= 0x80000000u;
  let r = div_nearest_abs(abs(a), abs(b));
  return select(r, -r, negative);
}

fn div_nearest_abs(a: f32, b: f32) -> f32 {
  let ab = bitcast<u32>(a);
  let bb = bitcast<u32>(b);
  let ea = i32(ab >> 23u);
  let eb = i32(bb >> 23u);
  if (ea == 0) { return 0.0; }
  let ma = (ab & 0x7fffffu) | 0x800000u;
  let mb = (bb & 0x7fffffu) | 0x800000u;
  // q = floor(ma * 2^26 / mb) in [2^25, 2^27); rem stays below 2^25.
  var q = 0u;
  var rem = ma;
  for (var i = 0u; i < 27u; i++) {
    q = q << 1u;
    if (rem >= mb) { rem -= mb; q |= 1u; }
    rem = rem << 1u;
  }
  var e = ea - eb + 127;
  var mant = 0u;
  var guard = 0u;
  var sticky = rem != 0u;
  if (q >= (1u << 26u)) {
    mant = q >> 3u;
    guard = (q >> 2u) & 1u;
    sticky = sticky || (q & 3u) != 0u;
  } else {
    mant = q >> 2u;
    guard = (q >> 1u) & 1u;
    sticky = sticky || (q & 1u) != 0u;
    e -= 1;
  }
  if (guard == 1u && (sticky || (mant & 1u) == 1u)) { mant += 1u; }
  if (mant == (1u << 24u)) { mant = mant >> 1u; e += 1; }
  if (e <= 0) { return 0.0; }
  if (e >= 255) { div_overflow = true; return 0.0; }
  return bitcast<f32>((u32(e) << 23u) | (mant & 0x7fffffu));
}

