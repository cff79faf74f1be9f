// Linear and cubic Resize of float32 data (host: resize-taps.ts). The host turns the reference's
// per-axis taps (resize.ref.ts: resizePlan) into a table, so the coordinate arithmetic is the
// reference's exactly; the kernel sums tap products in float32 (the reference sums in float64).
// Table (i32): per axis a < rank, a header at 4a: [output length, taps per coordinate, offset of
// the axis' taps, input stride]; taps are (input index, weight bits) pairs, index -1 = no tap,
// -2 on a coordinate's first tap = outside the input (tf_crop_and_resize: extrapolation_value).
// Bindings: 0 x, 1 y, 2 params, 3 table.

override WORKGROUP_SIZE: u32 = 64u;
const MAX_RANK: u32 = 6u;

struct Params { total: u32, rank: u32, extrapolation: f32, pad: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read> table: array<i32>;

// The first table slot of output coordinate o's taps on axis a.
fn tapBase(a: u32, o: u32) -> u32 {
  return u32(table[4u * a + 2u]) + 2u * o * u32(table[4u * a + 1u]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.total) { return; }
  let rank = params.rank;
  var base: array<u32, MAX_RANK>;
  var width: array<u32, MAX_RANK>;
  var rem = i;
  var combos = 1u;
  for (var k = 0u; k < rank; k++) {
    let a = rank - 1u - k;
    let len = u32(table[4u * a]);
    let o = rem % len;
    rem = rem / len;
    base[a] = tapBase(a, o);
    if (table[base[a]] == -2) {
      y[i] = params.extrapolation;
      return;
    }
    width[a] = u32(table[4u * a + 1u]);
    combos *= width[a];
  }
  var acc = 0.0;
  for (var c = 0u; c < combos; c++) {
    var w = 1.0;
    var flat = 0u;
    var r = c;
    var skip = false;
    for (var k = 0u; k < rank; k++) {
      let a = rank - 1u - k;
      let t = base[a] + 2u * (r % width[a]);
      r = r / width[a];
      let index = table[t];
      if (index < 0) { skip = true; break; }
      w *= bitcast<f32>(table[t + 1u]);
      flat += u32(index) * u32(table[4u * a + 3u]);
    }
    if (!skip && w != 0.0) { acc += w * x[flat]; }
  }
  y[i] = acc;
}
