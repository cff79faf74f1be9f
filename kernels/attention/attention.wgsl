// Attention (opsets 23-25), float32 (host: attention-gpu.ts; meaning: attention.ref.ts). One
// workgroup per query row (b, h, i). K and V are the present tensors [B, Hkv, T, D] / [.., Dv]
// that kv-concat.wgsl wrote (past followed by the new keys); query head h reads KV head
// h / reps (grouped-query attention). Per key j (threads strided over j):
//   raw = sum_e (q[e] * scale) * (k[j, e] * scale)        (scale = sqrt of the attribute's scale)
//   s   = softcap > 0 ? tanh(raw / softcap) * softcap : raw
//   masked when causal and j > i + offset, outside the left/right window, past the mask's last
//   dim, a false bool mask entry or a -inf float entry, or j >= nonpad_kv_seqlen[b]; else
//   s + mask (float) or s (bool / none). offset: the past length with past_key, else
//   nonpad_kv_seqlen[b] - Sq with it (may be negative), else 0.
// then softmax over the unmasked keys (a row with none gives zeros) and y[e] = sum_j p_j v[j, e].
// The scores / probabilities of each row live in the `probs` scratch buffer [rows, T]: a
// dispatch covers rows [row0, rows), so a long sequence runs as several dispatches sharing a
// bounded scratch (WebGPU orders them within the pass). qk gets
// qk_matmul_output per mode (0 raw, 1 softcapped, 2 with the mask, 3 the softmax) when HAS_QK.
// -inf is written as a bit pattern from the params (WGSL leaves infinite arithmetic indeterminate)
// and never fed to exp / tanh. Q and Y are addressed through strides (3-D inputs are [B, S, H*D]).
// Bindings: 0 q, 1 k, 2 v, 3 mask (u32 words: f32 bits, or bool bytes packed 4 per word; a dummy
// without), 4 probs, 5 y, 6 qk (a dummy without HAS_QK), 7 nonpad (i32 [B]; a dummy without
// HAS_NONPAD), 8 params.

override WORKGROUP_SIZE: u32 = 64u;
override HAS_QK: u32 = 0u;
override MASK_KIND: u32 = 0u; // 0 none, 1 float, 2 bool
override HAS_NONPAD: u32 = 0u;

struct Params {
  rows: u32, hq: u32, sq: u32, total: u32,
  d: u32, dv: u32, reps: u32, hkv: u32,
  qsb: u32, qsh: u32, qss: u32, ysb: u32,
  ysh: u32, yss: u32, mode: u32, causal: u32,
  offset: i32, left: i32, right: i32, ninf: u32,
  mask_last: u32, msb: u32, msh: u32, msq: u32,
  scale: f32, softcap: f32, row0: u32, causal_from_nonpad: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read_write> probs: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<f32>;
@group(0) @binding(6) var<storage, read_write> qk: array<f32>;
@group(0) @binding(7) var<storage, read> nonpad: array<i32>;
@group(0) @binding(8) var<uniform> params: Params;

var<workgroup> red_f: array<f32, WORKGROUP_SIZE>;
var<workgroup> red_u: array<u32, WORKGROUP_SIZE>;

fn reduce_max(t: u32, x: f32) -> f32 {
  red_f[t] = x;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s /= 2u) {
    if (t < s) { red_f[t] = max(red_f[t], red_f[t + s]); }
    workgroupBarrier();
  }
  let r = red_f[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(t: u32, x: f32) -> f32 {
  red_f[t] = x;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s /= 2u) {
    if (t < s) { red_f[t] += red_f[t + s]; }
    workgroupBarrier();
  }
  let r = red_f[0];
  workgroupBarrier();
  return r;
}

fn reduce_count(t: u32, x: u32) -> u32 {
  red_u[t] = x;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s /= 2u) {
    if (t < s) { red_u[t] += red_u[t + s]; }
    workgroupBarrier();
  }
  let r = red_u[0];
  workgroupBarrier();
  return r;
}

fn is_ninf(x: f32) -> bool { return bitcast<u32>(x) == params.ninf; }

/** The mask's additive value at (b, h, i, j), or -inf (params.ninf bits) when the key is masked. */
fn bias(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let ninf = bitcast<f32>(params.ninf);
  var at = i32(i) + params.offset;
  if (HAS_NONPAD == 1u) {
    if (i32(j) >= nonpad[b]) { return ninf; }
    // Without past_key the causal diagonal ends at each batch's last valid key.
    if (params.causal_from_nonpad == 1u) { at = i32(i) + nonpad[b] - i32(params.sq); }
  }
  if (params.causal == 1u && i32(j) > at) { return ninf; }
  let diff = at - i32(j);
  if (params.left >= 0 && diff > params.left) { return ninf; }
  if (params.right >= 0 && -diff > params.right) { return ninf; }
  if (MASK_KIND == 0u) { return 0.0; }
  if (j >= params.mask_last) { return ninf; }
  let m = b * params.msb + h * params.msh + i * params.msq + j;
  if (MASK_KIND == 1u) { return bitcast<f32>(mask[m]); }
  let byte = (mask[m / 4u] >> ((m % 4u) * 8u)) & 0xffu;
  return select(ninf, 0.0, byte != 0u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  // Uniform control flow: every thread of a workgroup agrees on `row`, so barriers are reached.
  let row = params.row0 + wid.x + wid.y * nwg.x;
  let in_range = row < params.rows;
  let total = params.total;
  let i = row % params.sq;
  let h = (row / params.sq) % params.hq;
  let b = row / (params.sq * params.hq);
  let kv = (b * params.hkv + h / params.reps) * total;
  let qb = b * params.qsb + h * params.qsh + i * params.qss;
  let qkb = row * total;
  let pb = (row - params.row0) * total;
  let ninf = bitcast<f32>(params.ninf);

  var lmax = -3.4028234e38;
  var count = 0u;
  if (in_range) {
    for (var j = t; j < total; j += WORKGROUP_SIZE) {
      let kb = (kv + j) * params.d;
      var dot = 0.0;
      for (var e = 0u; e < params.d; e++) {
        dot += (q[qb + e] * params.scale) * (k[kb + e] * params.scale);
      }
      var s = dot;
      // tanh(x) rounds to +-1 in f32 past |x| = 9.1, so the clamp changes nothing.
      if (params.softcap > 0.0) { s = tanh(clamp(dot / params.softcap, -10.0, 10.0)) * params.softcap; }
      let m = bias(b, h, i, j);
      let masked = is_ninf(m);
      let wb = select(s + m, ninf, masked);
      if (HAS_QK == 1u) {
        if (params.mode == 0u) { qk[qkb + j] = dot; }
        if (params.mode == 1u) { qk[qkb + j] = s; }
        if (params.mode == 2u) { qk[qkb + j] = wb; }
      }
      probs[pb + j] = wb;
      if (!masked) {
        lmax = max(lmax, wb);
        count += 1u;
      }
    }
  }
  let gmax = reduce_max(t, lmax);
  let gcount = reduce_count(t, count);
  var lsum = 0.0;
  if (in_range) {
    for (var j = t; j < total; j += WORKGROUP_SIZE) {
      let x = probs[pb + j];
      let masked = is_ninf(x);
      let ex = select(exp(select(x - gmax, 0.0, masked)), 0.0, masked);
      probs[pb + j] = ex;
      lsum += ex;
    }
  }
  var gsum = reduce_sum(t, lsum);
  if (gsum == 0.0) { gsum = 1.0; }
  if (in_range) {
    for (var j = t; j < total; j += WORKGROUP_SIZE) {
      let p = select(probs[pb + j] / gsum, 0.0, gcount == 0u);
      probs[pb + j] = p;
      if (HAS_QK == 1u && params.mode == 3u) { qk[qkb + j] = p; }
    }
  }
  // Each thread's output values read every key's probability.
  storageBarrier();
  if (in_range) {
    let yb = b * params.ysb + h * params.ysh + i * params.yss;
    for (var e = t; e < params.dv; e += WORKGROUP_SIZE) {
      var acc = 0.0;
      for (var j = 0u; j < total; j++) { acc += probs[pb + j] * v[(kv + j) * params.dv + e]; }
      y[yb + e] = acc;
    }
  }
}
