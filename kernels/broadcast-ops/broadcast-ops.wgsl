// Broadcasting elementwise map over up to three inputs (host: broadcast-ops.ts; oracle:
// broadcast-ops.ref.ts). The host generates LOADERS (load0..load2: the raw element j of each input,
// a u32 word or one byte of a packed 8-bit tensor) and ELEMENT (fn element(ra, rb, rc) -> u32, the
// raw output element) and prepends kernels/gpu/wgsl/float-math.wgsl and broadcast-offsets.wgsl.
// bindings: 0..2 inputs (unused ones bound to input 0), 3 output, 4 params, 5 shape table: the
// output dims, then each input's element strides per output axis (0 where broadcast); rank 0: all
// inputs have the output's layout. Word outputs: one thread per element; byte outputs (bool, 8-bit):
// one thread per output word of 4 bytes, so no two threads write one word.

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
@group(0) @binding(4) var<uniform> params: MapParams;
@group(0) @binding(5) var<storage, read> shape: array<i32>;

fn is_nan_f32(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn byte_of(w: u32, j: u32) -> u32 { return (w >> ((j & 3u) * 8u)) & 0xffu; }

//LOADERS

//ELEMENT

/** The raw output element i: input offsets by the broadcast strides, then element(). */
fn output_element(i: u32) -> u32 {
  let j = broadcast_offsets(i);
  return element(load0(j.x), load1(j.y), load2(j.z));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn word_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  out_words[i] = output_element(i);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn byte_main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let w = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (w * 4u >= params.count) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = w * 4u + k;
    if (i < params.count) { word |= (output_element(i) & 0xffu) << (8u * k); }
  }
  out_words[w] = word;
}
