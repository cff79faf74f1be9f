// f32 MaxPool (with optional int64 Indices) and AveragePool of any rank from a host table
// (pool-order.ts; host: pool-table.ts; oracle: pool.ref.ts). One invocation per output (plane, q).
// Table: outStart[out_size + 1] | groupStart | taps | storage taps | divisor bits[out_size].
//   max: the first tap of the window, then each larger one (padding never wins; a leading NaN
//        stays, as in the reference); an empty window gives -inf and index -1. The index is
//        plane * in_size + the tap's storage offset (row- or column-major), as (lo, hi) words.
//   average: the groups folded left (g0, then + g1 ...), each group folded from +0 (or from its
//        first tap, INIT_FIRST), then divided exactly (div-nearest.wgsl) by the output's divisor;
//        GLOBAL: MLAS's four lanes over the plane. Divisor word 0 keeps the sum, NaN bits give NaN.
// Bindings: 0 x, 1 y, 2 indices (u32 words; a 4-byte dummy without INDICES), 3 params, 4 table.
// Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;
override MODE: u32 = 0u; // 0 max, 1 average
override INDICES: bool = false;
override INIT_FIRST: bool = false;
override GLOBAL: bool = false;

struct Params {
  planes: u32,
  in_size: u32,
  out_size: u32,
  groups_base: u32,
  taps_base: u32,
  storage_base: u32,
  divisor_base: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> indices: array<u32>;
@group(0) @binding(3) var<uniform> P: Params;
@group(0) @binding(4) var<storage, read> table: array<i32>;

// A runtime value: a constant expression may not be infinite.
var<private> NEG_INF_BITS: u32 = 0xff800000u;

fn group_sum(base: u32, g: u32) -> f32 {
  let first = u32(table[P.groups_base + g]);
  let last = u32(table[P.groups_base + g + 1u]);
  var acc = 0.0;
  var k = first;
  if (INIT_FIRST && first < last) {
    acc = x[base + u32(table[P.taps_base + first])];
    k = first + 1u;
  }
  for (; k < last; k++) {
    acc = acc + x[base + u32(table[P.taps_base + k])];
  }
  return acc;
}

/** MlasPool's global kernel: lanes i mod 4 over the vector part, (l0 + l2) + (l1 + l3), then the rest. */
fn global_sum(base: u32) -> f32 {
  let vec_end = P.in_size - P.in_size % 4u;
  var l = vec4<f32>(0.0);
  for (var i = 0u; i < vec_end; i += 4u) {
    l = l + vec4<f32>(x[base + i], x[base + i + 1u], x[base + i + 2u], x[base + i + 3u]);
  }
  var acc = (l.x + l.z) + (l.y + l.w);
  for (var i = vec_end; i < P.in_size; i++) {
    acc = acc + x[base + i];
  }
  return acc;
}

/** s / d rounded once, as the reference's fround(s / d); d a positive integer-valued f32. */
fn average(s: f32, d_bits: u32) -> f32 {
  if (d_bits == 0u) { return s; }
  if (d_bits == 0x7fc00000u) { return bitcast<f32>(d_bits); }
  let d = bitcast<f32>(d_bits);
  // inf / d and NaN / d are themselves; +-0 / d is +-0 (div_nearest's subnormal inputs flush to 0).
  if ((bitcast<u32>(s) & 0x7f800000u) == 0x7f800000u || d == 1.0) { return s; }
  return div_nearest(s, d);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (t >= P.planes * P.out_size) { return; }
  let plane = t / P.out_size;
  let q = t % P.out_size;
  let base = plane * P.in_size;
  if (MODE == 0u) {
    let g = u32(table[q]);
    let first = u32(table[P.groups_base + g]);
    let last = u32(table[P.groups_base + g + 1u]);
    var best = bitcast<f32>(NEG_INF_BITS);
    var at = -1;
    for (var k = first; k < last; k++) {
      let v = x[base + u32(table[P.taps_base + k])];
      if (at < 0 || v > best) {
        best = v;
        at = i32(k);
      }
    }
    y[t] = best;
    if (INDICES) {
      var lo = 0xffffffffu;
      var hi = 0xffffffffu;
      if (at >= 0) {
        lo = base + u32(table[P.storage_base + u32(at)]);
        hi = 0u;
      }
      indices[2u * t] = lo;
      indices[2u * t + 1u] = hi;
    }
    return;
  }
  var r = 0.0;
  if (GLOBAL) {
    r = global_sum(base);
  } else {
    let g0 = u32(table[q]);
    let g1 = u32(table[q + 1u]);
    for (var g = g0; g < g1; g++) {
      let s = group_sum(base, g);
      r = select(r + s, s, g == g0);
    }
  }
  y[t] = average(r, bitcast<u32>(table[P.divisor_base + q]));
}
