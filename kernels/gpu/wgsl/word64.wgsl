// int64 values as (lo, hi) u32 word pairs, two's complement, wrapping like BigInt64Array: the
// arithmetic and comparisons int-map.wgsl runs on them. Needs int64-math.wgsl (mul_u32_wide)
// prepended too.

fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn sub64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  return vec2<u32>(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}
fn neg64(a: vec2<u32>) -> vec2<u32> { return sub64(vec2<u32>(0u, 0u), a); }
fn is_neg64(a: vec2<u32>) -> bool { return (a.y >> 31u) != 0u; }
/** Signed a < b. */
fn lt64(a: vec2<u32>, b: vec2<u32>) -> bool {
  return bitcast<i32>(a.y) < bitcast<i32>(b.y) || (a.y == b.y && a.x < b.x);
}
fn eq64(a: vec2<u32>, b: vec2<u32>) -> bool { return a.x == b.x && a.y == b.y; }
/** The low 64 bits of a * b (the same bits signed or not). */
fn mul64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let p = mul_u32_wide(a.x, b.x);
  return vec2<u32>(p.x, p.y + a.x * b.y + a.y * b.x);
}
/** Unsigned 64-bit quotient by shift-and-subtract (b != 0). */
fn udiv64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  var q = vec2<u32>(0u, 0u);
  var r = vec2<u32>(0u, 0u);
  for (var k = 63i; k >= 0; k--) {
    r = vec2<u32>(r.x << 1u, (r.y << 1u) | (r.x >> 31u));
    let bit = select((a.x >> u32(k)) & 1u, (a.y >> u32(k - 32)) & 1u, k >= 32);
    r.x |= bit;
    let ge = r.y > b.y || (r.y == b.y && r.x >= b.x);
    if (ge) {
      r = sub64(r, b);
      if (k >= 32) { q.y |= 1u << u32(k - 32); } else { q.x |= 1u << u32(k); }
    }
  }
  return q;
}
/** Signed quotient truncated toward zero; min / -1 wraps to min (b != 0). */
fn div64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let q = udiv64(select(a, neg64(a), is_neg64(a)), select(b, neg64(b), is_neg64(b)));
  return select(q, neg64(q), is_neg64(a) != is_neg64(b));
}
