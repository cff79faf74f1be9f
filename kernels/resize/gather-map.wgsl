// Gather through an index map: y[i] = x[map[i]] for every output element i (host: gather-map.ts).
// The map is made on the host at plan time (nearest Resize: the CPU reference run on a tensor of
// element indices), so the result is the reference's exactly, whatever its coordinate arithmetic.
// BYTES: 8-bit elements packed 4 per word (each invocation builds one whole output word), else
// 32-bit elements (one invocation per element). Bindings: 0 x, 1 y, 2 params, 3 map (i32).

override BYTES: bool = true;
override WORKGROUP_SIZE: u32 = 64u;

struct Params { total: u32, invocations: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read> map: array<i32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.invocations) { return; }
  if (!BYTES) {
    y[i] = x[u32(map[i])];
    return;
  }
  var word = 0u;
  for (var j = 0u; j < 4u; j++) {
    let o = 4u * i + j;
    if (o >= params.total) { break; }
    let e = u32(map[o]);
    word |= ((x[e >> 2u] >> (8u * (e & 3u))) & 0xffu) << (8u * j);
  }
  y[i] = word;
}
