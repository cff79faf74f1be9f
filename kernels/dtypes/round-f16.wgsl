// Round f32 values to the nearest float16 value, kept in f32 storage (host: round-f16.ts; oracle:
// kernels/tensor.ts numberToFloat16Bits). Integer bit manipulation only, so no shader-f16:
// round to nearest even, past the largest finite half (65504, ties at 65520 go up) to inf,
// half subnormals (multiples of 2^-24) rounded likewise, NaN kept (made quiet), -0 kept.
//
// bindings: 0 x (f32 bits), 1 y (f32 bits), 2 params { count }
// One thread per element; i = gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

fn round_to_f16(bits: u32) -> u32 {
  let sign = bits & 0x80000000u;
  let a = bits & 0x7fffffffu;
  if (a > 0x7f800000u) { return bits | 0x00400000u; } // NaN
  if (a >= 0x477ff000u) { return sign | 0x7f800000u; } // >= 65520: inf (inf stays inf)
  if (a >= 0x38800000u) {
    // Normal half range (>= 2^-14): keep 10 mantissa bits; a carry moves into the exponent.
    let rem = a & 0x1fffu;
    var base = a & 0xffffe000u;
    if (rem > 0x1000u || (rem == 0x1000u && (base & 0x2000u) != 0u)) { base = base + 0x2000u; }
    return sign | base;
  }
  // Half subnormals: r = round(v / 2^-24), v = mant * 2^(exp - 150).
  let e = a >> 23u;
  if (e < 102u) { return sign; } // below 2^-25 (f32 subnormals included): +-0
  let mant = (a & 0x7fffffu) | 0x800000u;
  let shift = 126u - e; // 14 ..= 24
  var r = mant >> shift;
  let rem = mant & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (r & 1u) != 0u)) { r = r + 1u; }
  if (r == 0u) { return sign; }
  // r * 2^-24 exactly: the exponent of f32(r) (r <= 1024) lowered by 24.
  return sign | (bitcast<u32>(f32(r)) - (24u << 23u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  y[i] = round_to_f16(x[i]);
}
