// Cast between the dtypes the GPU stores (host: cast-gpu.ts; oracle: cast.ref.ts's castRef),
// bit-exact. Kinds: 0 float32, 1 int32, 2 uint32 (one word each), 3 int8, 4 uint8, 5 bool (packed
// 4 per word, little endian), 6 int64 (a (lo, hi) word pair). FROM and TO are pipeline constants,
// so each pair compiles to straight code.
// No WGSL numeric conversion is used: f32 -> i32 clamps out-of-range values (x86-64 gives the
// minimum), i32 -> f32 need not round ties to even, and NaN tests may be folded away. Everything
// works on the bits instead:
// - float -> integer truncates; NaN and out-of-range give INT32_MIN (int32 and the 8-bit types,
//   which keep the low bits) or INT64_MIN; uint32 takes values in [2^31, 2^32) as they are, 0 for
//   >= 2^32 (cvttss2si of x - 2^31, top bit flipped).
// - integer -> float32 rounds the exact 64-bit value once, to nearest even.
// - integer -> integer keeps the low bits of the 64-bit two's complement value.
// - -> bool is x != 0 (NaN true, -0 false).
// One invocation per output word; int64 outputs write both words of their element.
// bindings: 0 x, 1 y, 2 params.

override FROM: u32 = 0u;
override TO: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

const F32: u32 = 0u;
const I32: u32 = 1u;
const U32: u32 = 2u;
const I8: u32 = 3u;
const U8: u32 = 4u;
const BOOL: u32 = 5u;
const I64: u32 = 6u;

struct CastParams { total: u32, invocations: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: CastParams;

/** 64-bit v << n, n in [0, 64). */
fn shl64(v: vec2<u32>, n: u32) -> vec2<u32> {
  if (n == 0u) { return v; }
  if (n >= 32u) { return vec2<u32>(0u, v.x << (n - 32u)); }
  return vec2<u32>(v.x << n, (v.y << n) | (v.x >> (32u - n)));
}

/** 64-bit unsigned v >> n, n in [0, 64). */
fn shr64(v: vec2<u32>, n: u32) -> vec2<u32> {
  if (n == 0u) { return v; }
  if (n >= 32u) { return vec2<u32>(v.y >> (n - 32u), 0u); }
  return vec2<u32>((v.x >> n) | (v.y << (32u - n)), v.y >> n);
}

/** Two's complement negation of a 64-bit value. */
fn neg64(v: vec2<u32>) -> vec2<u32> {
  let lo = ~v.x + 1u;
  return vec2<u32>(lo, ~v.y + select(0u, 1u, lo == 0u));
}

/** Whether the low n bits of v (n in [0, 64)) are not all zero. */
fn lowBitsSet(v: vec2<u32>, n: u32) -> bool {
  if (n >= 32u) { return v.x != 0u || (v.y & ((1u << (n - 32u)) - 1u)) != 0u; }
  return (v.x & ((1u << n) - 1u)) != 0u;
}

/** Element i of the source as a 64-bit two's complement integer (integer sources only). */
fn loadInt(i: u32) -> vec2<u32> {
  if (FROM == I64) { return vec2<u32>(x[2u * i], x[2u * i + 1u]); }
  if (FROM == I32) { let w = x[i]; return vec2<u32>(w, select(0u, 0xffffffffu, w >= 0x80000000u)); }
  if (FROM == U32) { return vec2<u32>(x[i], 0u); }
  let b = (x[i >> 2u] >> (8u * (i & 3u))) & 0xffu;
  if (FROM == I8) { return vec2<u32>(select(b, b | 0xffffff00u, b >= 0x80u), select(0u, 0xffffffffu, b >= 0x80u)); }
  return vec2<u32>(b, 0u);
}

/** The exact 64-bit integer v rounded once to the nearest float32 (ties to even), as bits. */
fn intToF32(v: vec2<u32>) -> u32 {
  let negative = v.y >= 0x80000000u;
  let m = select(v, neg64(v), negative); // INT64_MIN stays 2^63, read unsigned
  if (m.x == 0u && m.y == 0u) { return 0u; }
  // p: position of the leading one bit.
  var p: u32;
  if (m.y != 0u) { p = 63u - countLeadingZeros(m.y); } else { p = 31u - countLeadingZeros(m.x); }
  var mant: u32;
  if (p <= 23u) {
    mant = m.x << (23u - p);
  } else {
    let drop = p - 23u;
    mant = shr64(m, drop).x; // 24 bits
    let roundBit = (shr64(m, drop - 1u).x & 1u) == 1u;
    if (roundBit && (lowBitsSet(m, drop - 1u) || (mant & 1u) == 1u)) {
      mant += 1u;
      if (mant == 0x1000000u) {
        mant = 0x800000u;
        p += 1u;
      }
    }
  }
  return select(0u, 0x80000000u, negative) | ((p + 127u) << 23u) | (mant & 0x7fffffu);
}

/** |trunc(f)| as a 64-bit integer for biased exponent e in [127, 190) (below 2^63). */
fn truncMagnitude(f: u32, e: u32) -> vec2<u32> {
  let m = (f & 0x7fffffu) | 0x800000u;
  if (e >= 150u) { return shl64(vec2<u32>(m, 0u), e - 150u); }
  return vec2<u32>(m >> (150u - e), 0u);
}

fn isNan(f: u32) -> bool {
  return (f & 0x7f800000u) == 0x7f800000u && (f & 0x7fffffu) != 0u;
}

/** x86-64 cvttss2si with a 32-bit result, as bits: the minimum for NaN and out-of-range. */
fn floatToI32(f: u32) -> u32 {
  let e = (f >> 23u) & 0xffu;
  if (isNan(f) || e >= 158u) { return 0x80000000u; }
  if (e < 127u) { return 0u; }
  let mag = truncMagnitude(f, e).x;
  return select(mag, 0u - mag, f >= 0x80000000u);
}

/** float32 -> uint32: values in [2^31, 2^32) convert as they are, larger ones give 0. */
fn floatToU32(f: u32) -> u32 {
  let e = (f >> 23u) & 0xffu;
  if (f < 0x80000000u && !isNan(f) && e >= 158u) {
    if (e >= 159u) { return 0u; }
    return ((f & 0x7fffffu) | 0x800000u) << 8u;
  }
  return floatToI32(f);
}

/** x86-64 cvttss2si with a 64-bit result. */
fn floatToI64(f: u32) -> vec2<u32> {
  let e = (f >> 23u) & 0xffu;
  if (isNan(f) || e >= 190u) { return vec2<u32>(0u, 0x80000000u); }
  if (e < 127u) { return vec2<u32>(0u, 0u); }
  let mag = truncMagnitude(f, e);
  return select(mag, neg64(mag), f >= 0x80000000u);
}

/** Element i converted: the target's word (low 8 bits for 8-bit targets) or int64 word pair. */
fn convert(i: u32) -> vec2<u32> {
  if (FROM == F32) {
    let f = x[i];
    if (TO == BOOL) { return vec2<u32>(select(0u, 1u, (f & 0x7fffffffu) != 0u), 0u); }
    if (TO == I64) { return floatToI64(f); }
    if (TO == U32) { return vec2<u32>(floatToU32(f), 0u); }
    return vec2<u32>(floatToI32(f), 0u);
  }
  let v = loadInt(i);
  if (TO == F32) { return vec2<u32>(intToF32(v), 0u); }
  if (TO == BOOL) { return vec2<u32>(select(0u, 1u, (v.x | v.y) != 0u), 0u); }
  return v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.invocations) { return; }
  if (TO == I8 || TO == U8 || TO == BOOL) {
    var word = 0u;
    for (var j = 0u; j < 4u; j++) {
      let o = 4u * i + j;
      if (o >= params.total) { break; }
      word |= (convert(o).x & 0xffu) << (8u * j);
    }
    y[i] = word;
  } else if (TO == I64) {
    let v = convert(i);
    y[2u * i] = v.x;
    y[2u * i + 1u] = v.y;
  } else {
    y[i] = convert(i).x;
  }
}
