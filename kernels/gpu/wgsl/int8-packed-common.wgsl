// int8-packed-common.wgsl: helpers of the "packed" int8 kernels (conv2d-int8-packed.wgsl,
// conv2d-int8-depthwise-packed.wgsl, dense-int8-gemv.wgsl), appended after int8-gemm-core.wgsl
// (they use its bindings 0..3, GemmParams and requantize_value, never its tiles or gemm_main).
//
// Why separate kernels: on a CPU-emulated adapter (SwiftShader: 4-lane SIMD "subgroups", barriers
// as coroutine switches, private arrays with dynamic indices as memory) the tiled core spends its
// time in int64 bookkeeping, barriers and dynamically indexed accumulator arrays. The packed
// kernels serve the common class (accumulator int32 or wrap-N, no statistics): there the result is
// the low 32 (or N) bits of the exact sum, and wrapping int32 arithmetic gives exactly those bits
// in any order, so each invocation keeps plain i32 accumulators in named registers, reads its
// operands straight from storage (no workgroup memory, no barriers) and writes whole packed words.

// The four bytes e .. e+3 of a packed 8-bit buffer (any alignment), as one little-endian word.
// The caller guarantees e + 3 lies inside the binding (the second word is read only when needed).
fn bytes_at(buf_word0: u32, buf_word1: u32, e: u32) -> u32 {
  let s = (e & 3u) * 8u;
  return select((buf_word0 >> s) | (buf_word1 << (32u - s)), buf_word0, s == 0u);
}

// The 4 signed bytes of a word as f32 (byte i in component i). On SwiftShader, f32 fma of unpacked
// values is several times cheaper per MAC than dot4I8Packed or its fallback when each unpacked
// value serves several MACs (the conv kernel; not the GEMV, where each weight is used once and
// dot4 measured faster); |a*b| <= 2^14, so sums of <= 1024 such products are exact in f32.
fn bytes_f32(word: u32) -> vec4<f32> {
  let v = vec4<i32>(bitcast<i32>(word));
  return vec4<f32>((v << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

fn dot4x4(a: u32, w: vec4<u32>) -> vec4<i32> {
  return vec4<i32>(dot4_i8(a, w.x), dot4_i8(a, w.y), dot4_i8(a, w.z), dot4_i8(a, w.w));
}

// Transposes a 4x4 byte matrix: r[i] holds 4 pixels of channel i; the result's word j holds the
// 4 channels of pixel j (byte i = channel i).
fn transpose_bytes(r: vec4<u32>) -> vec4<u32> {
  let t0 = (r.x & 0x00ff00ffu) | ((r.y & 0x00ff00ffu) << 8u);
  let t1 = ((r.x >> 8u) & 0x00ff00ffu) | (r.y & 0xff00ff00u);
  let t2 = (r.z & 0x00ff00ffu) | ((r.w & 0x00ff00ffu) << 8u);
  let t3 = ((r.z >> 8u) & 0x00ff00ffu) | (r.w & 0xff00ff00u);
  return vec4<u32>(
    (t0 & 0xffffu) | (t2 << 16u),
    (t1 & 0xffffu) | (t3 << 16u),
    (t0 >> 16u) | (t2 & 0xffff0000u),
    (t1 >> 16u) | (t3 & 0xffff0000u));
}

// SwiftShader runs both sides of every branch (masked), so what varies per pipeline is
// compile-time here: the requantize scheme and whether every invocation writes whole words.
override REQUANT: u32 = 0u;          // as requant_code(): 0 none (int32 out), 1 ort, 2 gemmlowp, 3/4 TVM
override WHOLE_WORDS: bool = false;  // every store_quad writes 4 outputs at an aligned index

// The final value of an output in the exact modes: low 32 bits of the sum plus bias, wrapped to
// N bits for wrap-N (acc_bits = 32 for int32: a shift by 0), then requantized.
fn packed_value(sum: i32, chan: u32) -> i32 {
  let bias = tables[gemm.bias_base + select(0u, chan, gemm.has_bias != 0u)];
  var v = sum + select(0, bias, gemm.has_bias != 0u);
  let sh = 32u - gemm.acc_bits;
  v = (v << sh) >> sh;
  if (REQUANT == 0u) { return v; }
  let w0 = tables[gemm.rq_base + 2u * chan];
  let w1 = tables[gemm.rq_base + 2u * chan + 1u];
  var r = 0;
  if (REQUANT == 1u) { r = requantize_ort(v, bitcast<u32>(w0)); }
  else if (REQUANT == 2u) { r = requantize_gemmlowp(v, w0, w1); }
  else { r = requantize_tvm(v, w0, w1, REQUANT == 4u); }
  return clamp(r + gemm.zy, gemm.qmin, gemm.qmax);
}

// Stores `count` (1..4) consecutive outputs starting at element `index`: int32 values, or bytes
// packed into words (a whole aligned word is stored at once; otherwise the buffer was cleared and
// the bytes are OR-ed in).
fn store_quad(index: u32, v: vec4<i32>, count: u32) {
  let local = index - gemm.out_base;
  if (REQUANT == 0u) {
    for (var j = 0u; j < count; j = j + 1u) { atomicStore(&output[local + j], bitcast<u32>(v[j])); }
    return;
  }
  let b = bitcast<vec4<u32>>(v) & vec4<u32>(0xffu);
  if (WHOLE_WORDS) {
    atomicStore(&output[local >> 2u], b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u));
    return;
  }
  for (var j = 0u; j < count; j = j + 1u) {
    let e = local + j;
    atomicOr(&output[e >> 2u], b[j] << (8u * (e & 3u)));
  }
}

// Keeps the statistics binding in the pipeline's automatic layout (the packed kernels run without
// statistics; the host never selects them when statistics are on).
fn touch_stats() {
  if (stats_on()) { atomicAdd(&stats[0], 0u); }
}

// The core's gemm_main needs these; the packed entry points never call it.
fn a_group(batch: u32) -> u32 { return 0u; }
fn b_group(batch: u32) -> u32 { return 0u; }
fn load_a(batch: u32, m: u32, k: u32) -> i32 { return 0; }
fn load_b(batch: u32, n: u32, k: u32) -> i32 { return 0; }
fn out_index(batch: u32, m: u32, n: u32) -> u32 { return 0u; }
