// widen8.wgsl: 8-bit values packed 4 per u32 (little endian) -> one i32 each, sign-extended for
// int8. Run-time zero points reach the quantize / integer kernels, which read i32 words, this way.
// Bindings: 0 src (packed), 1 dst (i32), 2 params { count, signed }.

struct Params { count: u32, signed: u32, }

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<i32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  var v = i32((src[i / 4u] >> (8u * (i % 4u))) & 0xffu);
  if (params.signed == 1u) { v = (v << 24u) >> 24u; }
  dst[i] = v;
}
