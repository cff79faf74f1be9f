// Broadcasting integer element map over up to three inputs (host: int-map.ts; oracles: the CPU
// references of the ops it runs). Like broadcast-ops.wgsl, but every raw element is a vec2<u32> so
// int64 word pairs (lo, hi) fit: a 32-bit word or a byte of a packed 8-bit tensor arrives as
// (value, 0). The host generates LOADERS (load0..load2), ELEMENT (fn element(ra, rb, rc) ->
// vec2<u32>) and, for Div, ERROR (the error word's binding, set to 1 on a zero divisor).
// bindings: 0..2 inputs (unused ones bound to input 0), 3 output, [4 error word], then params and
// the shape table: the output dims, then each input's element strides per output axis (0 where
// broadcast); rank 0: all inputs have the output's layout. word_main: one thread per 32-bit
// element; byte_main: one thread per output word of 4 bytes; pair_main: one thread per int64.

override WORKGROUP_SIZE: u32 = 64u;

struct MapParams {
  count: u32,
  rank: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> in0: array<u32>;
@group(0) @binding(1) var<storage, read> in1: array<u32>;
@group(0) @binding(2) var<storage, read> in2: array<u32>;
@group(0) @binding(3) var<storage, read_write> out_words: array<u32>;
//ERROR
@group(0) @binding(PARAMS_BINDING) var<uniform> params: MapParams;
@group(0) @binding(TABLE_BINDING) var<storage, read> shape: array<i32>;

fn byte_of(w: u32, j: u32) -> u32 { return (w >> ((j & 3u) * 8u)) & 0xffu; }
/** A byte's signed value. */
fn sx8(r: u32) -> i32 { return bitcast<i32>(r << 24u) >> 24u; }

// int64 as (lo, hi) words, two's complement, wrapping like BigInt64Array.
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
/** The full 64-bit product of two u32 through 16-bit limbs (no partial sum overflows). */
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>((p00 & 0xffffu) | (mid << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}
/** The low 64 bits of a * b (the same bits signed or not). */
fn mul64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let p = mul_wide(a.x, b.x);
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

//LOADERS

//ELEMENT

/** The raw output element i: input offsets by the broadcast strides, then element(). */
fn output_element(i: u32) -> vec2<u32> {
  let rank = i32(params.rank);
  var j0 = i;
  var j1 = i;
  var j2 = i;
  if (rank > 0) {
    var rest = i32(i);
    var o0 = 0;
    var o1 = 0;
    var o2 = 0;
    for (var d = rank - 1; d >= 0; d--) {
      let n = shape[d];
      let c = rest % n;
      rest = rest / n;
      o0 += c * shape[rank + d];
      o1 += c * shape[2 * rank + d];
      o2 += c * shape[3 * rank + d];
    }
    j0 = u32(o0);
    j1 = u32(o1);
    j2 = u32(o2);
  }
  return element(load0(j0), load1(j1), load2(j2));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn word_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  out_words[i] = output_element(i).x;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn byte_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (w * 4u >= params.count) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = w * 4u + k;
    if (i < params.count) { word |= (output_element(i).x & 0xffu) << (8u * k); }
  }
  out_words[w] = word;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn pair_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  let v = output_element(i);
  out_words[2u * i] = v.x;
  out_words[2u * i + 1u] = v.y;
}
