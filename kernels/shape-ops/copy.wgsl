// Strided copy: one kernel for the data-movement ops that are not views (host: copy.ts; oracles:
// transpose/slice/concat/split/gather.ref.ts, pad/pad.ref.ts, resize/resize.ref.ts nearest).
//
// A copy walks a `rank`-dim domain (row-major over n_d). For domain index c:
//   dst = dst_base + sum_d c_d dst_stride_d
//   s_d = table_d >= 0 ? T[table_d + c_d] : c_d step_d + start_d     (source coordinate on axis d)
//   s_d outside [0, extent_d): PAD_MODE 0 writes pad_value, 1 clamps (edge), 2 reflects, 3 wraps
//   src = src_base + sum_d s_d src_stride_d
// Transpose/Slice/Split/Pad/Expand are one copy; Concat is one per input (dst_base = its offset);
// Gather and nearest Resize use per-axis tables of source coordinates.
// Table T (i32): [rank, count, dst_base, src_base, pad_value_bits, 0, 0, 0] then per axis
// [n, dst_stride, src_stride, step, start, extent, table] (7 words), then the coordinate tables.
// BYTES = 0: 32-bit elements, one thread per element. BYTES = 1: 8-bit elements packed 4 per u32;
// the destination must be the whole contiguous output (dst_base 0, row-major): one thread per
// destination word, so no two threads write one word.
// Bindings: 0 src (u32), 1 dst (u32), 2 T. Grid: linear, 2-D past the dispatch limit.

override BYTES: u32 = 0u;
override PAD_MODE: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> T: array<i32>;

const HEADER: u32 = 8u;
const AXIS_WORDS: u32 = 7u;

fn source_coordinate(s: i32, extent: i32) -> i32 {
  if (s >= 0 && s < extent) { return s; }
  switch (PAD_MODE) {
    case 1u: { return clamp(s, 0, extent - 1); }
    case 2u: {
      if (extent == 1) { return 0; }
      let period = 2 * (extent - 1);
      var r = abs(s) % period;
      if (r >= extent) { r = period - r; }
      return r;
    }
    case 3u: { return ((s % extent) + extent) % extent; }
    default: { return -1; }
  }
}

/** Source element index of domain element e (-1: the pad value), and its destination index. */
fn locate(e: u32) -> vec2<i32> {
  let rank = u32(T[0]);
  var rest = e;
  var s_index = T[3];
  var d_index = T[2];
  var outside = false;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let a = HEADER + u32(d) * AXIS_WORDS;
    let n = u32(T[a]);
    let c = rest % n;
    rest = rest / n;
    d_index += i32(c) * T[a + 1u];
    var s: i32;
    if (T[a + 6u] >= 0) { s = T[u32(T[a + 6u]) + c]; } else { s = i32(c) * T[a + 3u] + T[a + 4u]; }
    s = source_coordinate(s, T[a + 5u]);
    if (s < 0) { outside = true; }
    s_index += s * T[a + 2u];
  }
  return vec2<i32>(select(s_index, -1, outside), d_index);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  let count = u32(T[1]);
  let pad_value = bitcast<u32>(T[4]);
  if (BYTES == 0u) {
    if (i >= count) { return; }
    let at = locate(i);
    dst[u32(at.y)] = select(src[u32(at.x)], pad_value, at.x < 0);
    return;
  }
  if (i * 4u >= count) { return; }
  var word = 0u;
  for (var j = 0u; j < 4u; j++) {
    let e = i * 4u + j;
    if (e >= count) { break; }
    let at = locate(e);
    var byte = pad_value & 0xffu;
    if (at.x >= 0) { byte = (src[u32(at.x) / 4u] >> (8u * (u32(at.x) % 4u))) & 0xffu; }
    word |= byte << (8u * j);
  }
  dst[i] = word;
}
