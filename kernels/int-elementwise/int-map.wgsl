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

// add64 ... div64: kernels/gpu/wgsl/word64.wgsl; broadcast_offsets: broadcast-offsets.wgsl (prepended).

//LOADERS

//ELEMENT

/** The raw output element i: input offsets by the broadcast strides, then element(). */
fn output_element(i: u32) -> vec2<u32> {
  let j = broadcast_offsets(i);
  return element(load0(j.x), load1(j.y), load2(j.z));
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
