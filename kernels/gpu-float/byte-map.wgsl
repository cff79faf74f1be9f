// Byte map: 8-bit elements (packed 4 per u32, little endian) gathered along strides, optionally
// through a lookup table. Host: byte-map.ts. Used by the WebGPU executor for int8/uint8 Concat and
// for quantized element-wise ops whose output byte depends only on the input byte(s), with the
// table built by the CPU reference op itself (QLinearSigmoid, QLinearLeakyRelu, QLinearConcat's
// requantization: 256 entries; QLinearAdd / QLinearMul: 65536 entries indexed a * 256 + b).
//
// One thread per element of a `rank`-dim domain (row-major over n_d); for domain index c:
//   d = dst_base + sum_d c_d dst_stride_d,  i = a_base + sum c_d a_stride_d  (j likewise for b)
//   v = byte(a, i); BINARY: v = v * 256 + byte(b, j); LUT: v = byte(lut, v)
//   dst byte d |= v   (atomicOr: several threads share a destination word; the host clears it)
// Table T (i32): [rank, count, dst_base, a_base, b_base, 0, 0, 0], then per axis
// [n, dst_stride, a_stride, b_stride]. Bindings: 0 dst, 1 a, 2 b, 3 lut, 4 T.

override BINARY: bool = false;
override LUT: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> dst: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read> lut: array<u32>;
@group(0) @binding(4) var<storage, read> T: array<i32>;

const HEADER: u32 = 8u;
const AXIS_WORDS: u32 = 4u;

fn byte_at(word: u32, i: u32) -> u32 {
  return (word >> (8u * (i & 3u))) & 0xffu;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (e >= u32(T[1])) { return; }
  let rank = u32(T[0]);
  var rest = e;
  var d = u32(T[2]);
  var i = u32(T[3]);
  var j = u32(T[4]);
  for (var k = i32(rank) - 1; k >= 0; k--) {
    let base = HEADER + u32(k) * AXIS_WORDS;
    let n = u32(T[base]);
    let c = rest % n;
    rest = rest / n;
    d += c * u32(T[base + 1u]);
    i += c * u32(T[base + 2u]);
    j += c * u32(T[base + 3u]);
  }
  var v = byte_at(a[i >> 2u], i);
  if (BINARY) { v = v * 256u + byte_at(b[j >> 2u], j); }
  if (LUT) { v = byte_at(lut[v >> 2u], v); }
  atomicOr(&dst[d >> 2u], v << (8u * (d & 3u)));
}
