// f32 ConvTranspose in onnxruntime's CPU order, bit-exact with conv-transpose.ref.ts (which replays
// it: conv-transpose-mlas.ts). Host: conv-transpose-exact.ts. 1-D, 2-D and 3-D as D x H x W (the
// missing leading axes are 1), NCHW / NCDHW, groups, strides, dilations, pads (resolved on the host),
// an optional bias and a fused Relu / Clip.
//
// onnxruntime computes, per image and group, col = W_g^T X_g with MLAS (col[i, n], i = output
// channel in group * taps + tap, n = input position, K = input channels per group), then adds each
// col row into the zeroed output in tap order, then the bias. Here one invocation computes one
// output element as a gather over its taps, ascending (the order col2im adds them: for a fixed tap,
// distinct input positions land on distinct outputs), each tap's col value computed as MLAS does for
// that (i, n): the host replays MlasGemm's thread split into at most two tiles (split along the
// rows i or the columns n) and says per tile how that tile's operation sums K:
//   kind 0: the AVX512F kernel: K in blocks of `sk`, each block FMAs from +0 in k order, the
//           block sums added in order;
//   kind 1: the M1 kernels with a vector along K (MlasSgemmKernelM1Avx): K in groups of 4, each
//           product rounded, ((p0 + p1) + p2) + p3, the groups added in order (then a pair, then 1);
//   kind 2: MlasSgemmKernelM1TransposeBAvx: 8 lanes of (product rounded, then added) over k, reduced
//           by a tree that depends on the row's place in its tile (blocks of 4, then 2, then 1).
// Every col value and every sum is +0 rather than -0 in onnxruntime's order (sums start from +0),
// so values are canonicalised to +0 where a compiler may have folded `0.0 + v` to v (SwiftShader
// does).
//
// FMA: WGSL's fma() need not be fused (SwiftShader's is a multiply then an add), so FMA = 1 emulates
// a correctly rounded fused multiply-add from correctly rounded f32 + and * (Dekker's exact product,
// TwoSum, a round-to-odd add, a final add: Boldo & Melquiond's algorithm); FMA = 0 uses fma() where
// the host's probe (conv-transpose-exact.ts) found it fused. Both need the compiler not to contract
// or reassociate `a * b + c` (the probe checks that too); outside normal f32 range (overflow,
// subnormal products) the emulation falls back to the unfused value.
//
// Bindings: 0 x, 1 w [C, Mg, taps], 2 bias (any read buffer when has_bias = 0), 3 y, 4 params.
// Grid: (x, y) cover N * M * out elements in workgroups of WG (2-D past the dispatch limit).
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max].

override WG: u32 = 64u;
override ACT: u32 = 0u;
override FMA: u32 = 1u;

struct Params {
  total: u32, c: u32, cg: u32, mg: u32,
  m_all: u32, ksz: u32, insz: u32, has_bias: u32,
  d: u32, h: u32, w: u32, rows: u32,
  kd: u32, kh: u32, kw: u32, split_axis: u32,
  sd: u32, sh: u32, sw: u32, split: u32,
  dd: u32, dh: u32, dw: u32, pad0: u32,
  pd: i32, ph: i32, pw: i32, pad1: u32,
  od: u32, oh: u32, ow: u32, pad2: u32,
  act_min: f32, act_max: f32, pad3: u32, pad4: u32,
  kind0: u32, sk0: u32, start0: u32, size0: u32,
  kind1: u32, sk1: u32, start1: u32, size1: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn activate(v: f32) -> f32 {
  if (ACT == 1u) { return max(v, 0.0); }
  if (ACT == 2u) { return min(max(v, params.act_min), params.act_max); }
  return v;
}

/** -0 becomes +0 (integer ops: no compiler may fold them away). */
fn canon(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  return bitcast<f32>(select(b, 0u, b == 0x80000000u));
}

fn finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

/** a * b + c rounded once (see FMA above). */
fn fmac(a: f32, b: f32, c: f32) -> f32 {
  if (FMA == 0u) { return fma(a, b, c); }
  let p = a * b;
  let s = c + p;
  let sa = 4097.0 * a;
  let sb = 4097.0 * b;
  if (!finite(s) || !finite(sa) || !finite(sb)) { return s; }
  // p + e = a * b exactly (Veltkamp split into 12-bit halves, Dekker's product).
  let ah = sa - (sa - a);
  let al = a - ah;
  let bh = sb - (sb - b);
  let bl = b - bh;
  let e = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  // s + t = c + p exactly (TwoSum).
  let bb = s - c;
  let t = (c - (s - bb)) + (p - bb);
  // v = t + e rounded to odd: the nearest sum, moved one ulp toward the exact one when inexact and even.
  let v = t + e;
  let bv = v - t;
  let ev = (t - (v - bv)) + (e - bv);
  var vb = bitcast<u32>(v);
  if (ev != 0.0 && (vb & 1u) == 0u) {
    vb = select(vb - 1u, vb + 1u, (ev > 0.0) == (v > 0.0));
  }
  return s + bitcast<f32>(vb);
}

/** col[i, n] of the group whose x column starts at xb and whose W column i starts at wb. */
fn col_value(i: u32, n: u32, xb: u32, wb: u32) -> f32 {
  var tile = 0u;
  if (params.split_axis == 1u && i >= params.split) { tile = 1u; }
  if (params.split_axis == 2u && n >= params.split) { tile = 1u; }
  let kind = select(params.kind0, params.kind1, tile == 1u);
  let k = params.cg;
  let xs = params.insz;
  let ws = params.rows;
  if (kind == 0u) {
    let sk = select(params.sk0, params.sk1, tile == 1u);
    var total = 0.0;
    var acc = 0.0;
    for (var t = 0u; t < k; t++) {
      if (t != 0u && t % sk == 0u) {
        total = canon(total + canon(acc));
        acc = 0.0;
      }
      acc = fmac(wt[wb + t * ws], x[xb + t * xs], acc);
    }
    return canon(total + canon(acc));
  }
  if (kind == 1u) {
    var c = 0.0;
    var t = 0u;
    for (; t + 4u <= k; t += 4u) {
      let p0 = wt[wb + t * ws] * x[xb + t * xs];
      let p1 = wt[wb + (t + 1u) * ws] * x[xb + (t + 1u) * xs];
      let p2 = wt[wb + (t + 2u) * ws] * x[xb + (t + 2u) * xs];
      let p3 = wt[wb + (t + 3u) * ws] * x[xb + (t + 3u) * xs];
      c = canon(((p0 + p1) + p2) + p3 + c);
    }
    if (k - t >= 2u) {
      let p0 = wt[wb + t * ws] * x[xb + t * xs];
      let p1 = wt[wb + (t + 1u) * ws] * x[xb + (t + 1u) * xs];
      c = canon((p0 + p1) + c);
      t += 2u;
    }
    if (t < k) { c = canon(wt[wb + t * ws] * x[xb + t * xs] + c); }
    return c;
  }
  var l: array<f32, 8>;
  for (var t = 0u; t < k; t++) {
    l[t & 7u] = l[t & 7u] + wt[wb + t * ws] * x[xb + t * xs];
  }
  let start = select(params.start0, params.start1, tile == 1u);
  let size = select(params.size0, params.size1, tile == 1u);
  let local = i - start;
  let n4 = size - size % 4u;
  var s: f32;
  if (local < n4) {
    s = (((l[0] + l[1]) + l[2]) + l[3]) + (((l[4] + l[5]) + l[6]) + l[7]);
  } else if (size % 4u >= 2u && local < n4 + 2u) {
    s = ((l[0] + l[2]) + (l[4] + l[6])) + ((l[1] + l[3]) + (l[5] + l[7]));
  } else {
    s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
  }
  return canon(s);
}

/** Input index along one axis for output o and tap k, or -1 when the tap does not land there. */
fn input_at(o: u32, p: i32, k: u32, dil: u32, s: u32, size: u32) -> i32 {
  let num = i32(o) + p - i32(k * dil);
  if (num < 0 || num % i32(s) != 0) { return -1; }
  let i = num / i32(s);
  return select(-1, i, i < i32(size));
}

@compute @workgroup_size(WG)
fn main(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let idx = gid.x + wid.y * nwg.x * WG;
  if (idx >= params.total) { return; }
  let ow = idx % params.ow;
  let oh = (idx / params.ow) % params.oh;
  let od = (idx / (params.ow * params.oh)) % params.od;
  let ch = idx / (params.ow * params.oh * params.od);
  let oc = ch % params.m_all;
  let img = ch / params.m_all;
  let g = oc / params.mg;
  let j = oc % params.mg;
  let xg = (img * params.c + g * params.cg) * params.insz;
  let wg = g * params.cg * params.rows;
  var v = 0.0;
  for (var kd = 0u; kd < params.kd; kd++) {
    let id = input_at(od, params.pd, kd, params.dd, params.sd, params.d);
    if (id < 0) { continue; }
    for (var kh = 0u; kh < params.kh; kh++) {
      let ih = input_at(oh, params.ph, kh, params.dh, params.sh, params.h);
      if (ih < 0) { continue; }
      for (var kw = 0u; kw < params.kw; kw++) {
        let iw = input_at(ow, params.pw, kw, params.dw, params.sw, params.w);
        if (iw < 0) { continue; }
        let i = j * params.ksz + (kd * params.kh + kh) * params.kw + kw;
        let n = (u32(id) * params.h + u32(ih)) * params.w + u32(iw);
        v = canon(v + col_value(i, n, xg + n, wg + i));
      }
    }
  }
  if (params.has_bias != 0u) { v = canon(v + bias[oc]); }
  y[idx] = activate(v);
}

// The host's probe of the arithmetic: for each case (a, b, c) at 3 i, 3 i + 1, 3 i + 2 of x, writes
// fmac(a, b, c), then a * b + c, at y[2 i], y[2 i + 1].
@compute @workgroup_size(WG)
fn probe(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (3u * i + 2u >= arrayLength(&x)) { return; }
  let a = x[3u * i];
  let b = x[3u * i + 1u];
  let c = x[3u * i + 2u];
  y[2u * i] = fmac(a, b, c);
  y[2u * i + 1u] = a * b + c;
}
