// Attention's present_key / present_value (host: attention-gpu.ts): past [B, Hkv, P, D] followed
// along the sequence axis by the current K or V, read through strides so a 3-D [B, S, Hkv*D]
// input is split into heads here. Output [B, Hkv, P + S, D]; one invocation per element.
// Bindings: 0 past (a dummy when P = 0), 1 cur, 2 present, 3 params.

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  total: u32, heads: u32, past: u32, seq: u32,
  head: u32, sb: u32, sh: u32, ss: u32,
}

@group(0) @binding(0) var<storage, read> past: array<f32>;
@group(0) @binding(1) var<storage, read> cur: array<f32>;
@group(0) @binding(2) var<storage, read_write> present: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (idx >= params.total) { return; }
  let len = params.past + params.seq;
  let e = idx % params.head;
  let j = (idx / params.head) % len;
  let bh = idx / (params.head * len);
  if (j < params.past) {
    present[idx] = past[(bh * params.past + j) * params.head + e];
  } else {
    let h = bh % params.heads;
    let b = bh / params.heads;
    present[idx] = cur[b * params.sb + h * params.sh + (j - params.past) * params.ss + e];
  }
}
