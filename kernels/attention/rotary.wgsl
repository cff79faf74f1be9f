// RotaryEmbedding (opset 23), float32 (host: attention-gpu.ts; meaning: attention.ref.ts
// rotaryEmbeddingRef). One invocation per output element. X is [B, H, S, D] (4-D) or
// [B, S, H*D] (3-D, LAYOUT3 = 1); the first `rd` values of each head are rotated in pairs, either
// (2t, 2t+1) (INTERLEAVED = 1) or (t, t + rd/2), the rest copied. cos / sin rows are
// position_ids[b, s] (HAS_POS = 1, i32 table made from the constant ids) or b * S + s, each
// `half` values wide. Each product is rounded to f32 before the sum, as the reference: WGSL's f32
// `*` and `-` are correctly rounded, so the result is bit-exact where the compiler does not fuse
// `v * c - w * sn` into an fma (SwiftShader does not; a GPU driver that does is 1 ulp off).
// Bindings: 0 x, 1 cos, 2 sin, 3 pos (a dummy without HAS_POS), 4 y, 5 params.

override WORKGROUP_SIZE: u32 = 64u;
override INTERLEAVED: u32 = 0u;
override LAYOUT3: u32 = 0u;
override HAS_POS: u32 = 0u;

struct Params { total: u32, seq: u32, heads: u32, head: u32, rd: u32, half: u32, pad0: u32, pad1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> cos_cache: array<f32>;
@group(0) @binding(2) var<storage, read> sin_cache: array<f32>;
@group(0) @binding(3) var<storage, read> pos: array<i32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (idx >= params.total) { return; }
  let d = idx % params.head;
  if (d >= params.rd) {
    y[idx] = x[idx];
    return;
  }
  var s: u32;
  var b: u32;
  if (LAYOUT3 == 1u) {
    s = (idx / (params.head * params.heads)) % params.seq;
    b = idx / (params.head * params.heads * params.seq);
  } else {
    s = (idx / params.head) % params.seq;
    b = idx / (params.head * params.seq * params.heads);
  }
  let bs = b * params.seq + s;
  var row = bs * params.half;
  if (HAS_POS == 1u) { row = u32(pos[bs]) * params.half; }
  var t: u32;
  var first: bool;
  var partner: u32;
  if (INTERLEAVED == 1u) {
    t = d / 2u;
    first = (d % 2u) == 0u;
    partner = select(idx - 1u, idx + 1u, first);
  } else {
    first = d < params.half;
    t = select(d - params.half, d, first);
    partner = select(idx - params.half, idx + params.half, first);
  }
  let c = cos_cache[row + t];
  let sn = sin_cache[row + t];
  let v = x[idx];
  let w = x[partner];
  if (first) {
    y[idx] = v * c - w * sn;
  } else {
    y[idx] = v * c + w * sn;
  }
}
