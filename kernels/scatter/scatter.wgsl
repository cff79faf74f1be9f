// ScatterND / ScatterElements on 32-bit elements (host: scatter.ts; meaning: scatter.ref.ts).
// The host turns the (constant) indices into the flat data offset of each update row's slice
// (ScatterElements: slices of 1 element). One invocation per output element copies data, then
// folds in, in update order, every update whose slice covers it: the sequential reference's
// result exactly, duplicates and reductions included. ELEM: 0 f32, 1 i32, 2 u32 (bit patterns in
// u32 words). REDUCTION: 0 none, 1 add, 2 mul, 3 max, 4 min. Bindings: 0 data, 1 updates,
// 2 y, 3 params, 4 table (i32 slice offsets).

override ELEM: u32 = 0u;
override REDUCTION: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

struct Params { total: u32, slice: u32, rows: u32, pad0: u32 }

@group(0) @binding(0) var<storage, read> data: array<u32>;
@group(0) @binding(1) var<storage, read> updates: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> table: array<i32>;

fn combineF(a: f32, b: f32) -> f32 {
  switch (REDUCTION) {
    case 1u: { return a + b; }
    case 2u: { return a * b; }
    // As the reference: b wins when greater (smaller) or NaN.
    case 3u: { return select(a, b, b > a || b != b); }
    case 4u: { return select(a, b, b < a || b != b); }
    default: { return b; }
  }
}

fn combineI(a: i32, b: i32) -> i32 {
  switch (REDUCTION) {
    case 1u: { return a + b; }
    case 2u: { return a * b; }
    case 3u: { return max(a, b); }
    case 4u: { return min(a, b); }
    default: { return b; }
  }
}

fn combineU(a: u32, b: u32) -> u32 {
  switch (REDUCTION) {
    case 1u: { return a + b; }
    case 2u: { return a * b; }
    case 3u: { return max(a, b); }
    case 4u: { return min(a, b); }
    default: { return b; }
  }
}

fn combine(a: u32, b: u32) -> u32 {
  if (ELEM == 0u) { return bitcast<u32>(combineF(bitcast<f32>(a), bitcast<f32>(b))); }
  if (ELEM == 1u) { return bitcast<u32>(combineI(bitcast<i32>(a), bitcast<i32>(b))); }
  return combineU(a, b);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (e >= params.total) { return; }
  let within = e % params.slice;
  let start = i32(e - within);
  var v = data[e];
  for (var n = 0u; n < params.rows; n++) {
    if (table[n] == start) { v = combine(v, updates[n * params.slice + within]); }
  }
  y[e] = v;
}
