// LpPool over f32 (oracle: lp-pool.ref.ts): one invocation per output element (plane, q). The
// windows are the reference's own (poolWindows: auto_pad, pads, strides, dilations, ceil_mode, any
// rank), made on the host as a table: start[q] .. start[q + 1] index the input offsets (within a
// plane) of output position q; padding adds nothing. y = (sum |x|^p)^(1/p), adding in f32 in the
// window's order: p = 1 and 2 as |x| and x * x then sqrt, other p through pow (0 and NaN kept).
// Bindings: 0 x, 1 y, 2 params, 3 table (start[out_size + 1], then offsets).
// Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  planes: u32,
  in_size: u32,
  out_size: u32,
  p: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;
@group(0) @binding(3) var<storage, read> table: array<i32>;

/** v^e for v >= 0 or NaN: 0 and NaN kept (WGSL's pow is undefined at 0, and gives inf for NaN on SwiftShader). */
fn power(v: f32, e: f32) -> f32 {
  if (v == 0.0 || (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) { return v; }
  return pow(v, e);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (t >= P.planes * P.out_size) { return; }
  let plane = t / P.out_size;
  let q = t % P.out_size;
  let base = plane * P.in_size;
  let first = table[q];
  let last = table[q + 1u];
  let offsets = P.out_size + 1u;
  var acc = 0.0;
  for (var k = first; k < last; k++) {
    let v = abs(x[base + u32(table[offsets + u32(k)])]);
    if (P.p == 1.0) {
      acc = acc + v;
    } else if (P.p == 2.0) {
      acc = acc + v * v;
    } else {
      acc = acc + power(v, P.p);
    }
  }
  if (P.p == 1.0) {
    y[t] = acc;
  } else if (P.p == 2.0) {
    y[t] = sqrt(acc);
  } else {
    y[t] = power(acc, 1.0 / P.p);
  }
}
