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
// FMA, fmac / fmac4 / fmac_split, canon / canon4: kernels/gpu/wgsl/exact-fma.wgsl, which the host
// prepends.
//
// Entry points: main, one output per invocation, every kind; main4 (below), 4 output channels per
// invocation where every tile is kind 0 (any input but a single position).
// Bindings: 0 x, 1 w [C, Mg, taps], 2 bias (any read buffer when has_bias = 0), 3 y, 4 params.
// Grid: (x, y) cover `total` invocations in workgroups of WG (2-D past the dispatch limit); main:
// N * M * out.
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max].

override WG: u32 = 64u;
override ACT: u32 = 0u;

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

/**
 * main4's col values of one tap: 4 channels (W columns wi + jc) x 4 input positions (x at xi), K
 * in blocks of sk, each block FMAs from +0, the block sums added in order. Unchecked, the FMA
 * emulation skips its range checks: a value past them (inf, NaN, overflow) makes the sums
 * non-finite, and the caller then runs the tap again checked.
 */
fn tap_sums(xi: vec4<u32>, wi: u32, jc: vec4<u32>, sk: u32, checked: bool) -> array<vec4<f32>, 4> {
  var s: array<vec4<f32>, 4>;
  let k = params.cg;
  for (var k0 = 0u; k0 < k; k0 += sk) {
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var xt = xi + vec4<u32>(k0 * params.insz);
    var wt0 = wi + k0 * params.rows;
    let k1 = min(k, k0 + sk);
    for (var t = k0; t < k1; t++) {
      let xq = vec4<f32>(x[xt.x], x[xt.y], x[xt.z], x[xt.w]);
      let w = vec4<f32>(wt[wt0 + jc.x], wt[wt0 + jc.y], wt[wt0 + jc.z], wt[wt0 + jc.w]);
      if (checked) {
        a0 = fmac4(vec4<f32>(w.x), xq, a0);
        a1 = fmac4(vec4<f32>(w.y), xq, a1);
        a2 = fmac4(vec4<f32>(w.z), xq, a2);
        a3 = fmac4(vec4<f32>(w.w), xq, a3);
      } else {
        let xh = split_hi4(xq);
        let xl = xq - xh;
        let wh = split_hi4(w);
        let wl = w - wh;
        a0 = fmac_split(vec4<f32>(w.x), vec4<f32>(wh.x), vec4<f32>(wl.x), xq, xh, xl, a0);
        a1 = fmac_split(vec4<f32>(w.y), vec4<f32>(wh.y), vec4<f32>(wl.y), xq, xh, xl, a1);
        a2 = fmac_split(vec4<f32>(w.z), vec4<f32>(wh.z), vec4<f32>(wl.z), xq, xh, xl, a2);
        a3 = fmac_split(vec4<f32>(w.w), vec4<f32>(wh.w), vec4<f32>(wl.w), xq, xh, xl, a3);
      }
      xt += vec4<u32>(params.insz);
      wt0 += params.rows;
    }
    s[0] = canon4(s[0] + canon4(a0));
    s[1] = canon4(s[1] + canon4(a1));
    s[2] = canon4(s[2] + canon4(a2));
    s[3] = canon4(s[3] + canon4(a3));
  }
  return s;
}

/** Whether any lane of the 4 sums is inf or NaN. */
fn any_nonfinite(d: array<vec4<f32>, 4>) -> bool {
  return !(all(finite4(d[0])) && all(finite4(d[1])) && all(finite4(d[2])) && all(finite4(d[3])));
}

/** tap_sums unchecked, again checked where that gave a non-finite sum. */
fn tap_sums_safe(xi: vec4<u32>, wi: u32, jc: vec4<u32>, sk: u32) -> array<vec4<f32>, 4> {
  let d = tap_sums(xi, wi, jc, sk, false);
  if (FMA == 1u && any_nonfinite(d)) { return tap_sums(xi, wi, jc, sk, true); }
  return d;
}

// Kind 0 everywhere (every tile the blocked kernel: the input is not a single position): 4 output
// channels j0 .. j0 + 3 of one group x 4 output columns ow0 + p sw (p = 0..3) of one stride residue
// per invocation, as the gather kernel: the 4 columns share every tap and read consecutive input
// columns, the 4 channels share each x load. Each lane's K blocks follow its own column's tile (a
// row split gives both tiles the full width, hence one block size; a column split may put the
// quad's columns in two tiles). Channels past Mg read a clamped W column and lanes off the input
// are masked; neither is stored. Grid: N group ceil(Mg / 4) OD OH sw ceil(ceil(OW / sw) / 4).
@compute @workgroup_size(WG)
fn main4(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let idx = gid.x + wid.y * nwg.x * WG;
  if (idx >= params.total) { return; }
  let qn = ((params.ow + params.sw - 1u) / params.sw + 3u) / 4u;
  let row_len = qn * params.sw;
  let slot = idx % row_len;
  let ow0 = slot / qn + (slot % qn) * 4u * params.sw;
  if (ow0 >= params.ow) { return; }
  let oh = (idx / row_len) % params.oh;
  let od = (idx / (row_len * params.oh)) % params.od;
  let blk = idx / (row_len * params.oh * params.od);
  let groups = params.m_all / params.mg;
  let blocks = (params.mg + 3u) / 4u;
  let j0 = (blk % blocks) * 4u;
  let g = (blk / blocks) % groups;
  let img = blk / (blocks * groups);
  let lanes = vec4<u32>(0u, 1u, 2u, 3u);
  let pixel_ok = vec4<u32>(ow0) + lanes * params.sw < vec4<u32>(params.ow);
  let jc = min(vec4<u32>(j0) + lanes, vec4<u32>(params.mg - 1u)) * params.ksz;
  let xg = (img * params.c + g * params.cg) * params.insz;
  let wg = g * params.cg * params.rows;
  var v0 = vec4<f32>(0.0);
  var v1 = vec4<f32>(0.0);
  var v2 = vec4<f32>(0.0);
  var v3 = vec4<f32>(0.0);
  for (var kd = 0u; kd < params.kd; kd++) {
    let id = input_at(od, params.pd, kd, params.dd, params.sd, params.d);
    if (id < 0) { continue; }
    for (var kh = 0u; kh < params.kh; kh++) {
      let ih = input_at(oh, params.ph, kh, params.dh, params.sh, params.h);
      if (ih < 0) { continue; }
      for (var kw = 0u; kw < params.kw; kw++) {
        let num = i32(ow0) + params.pw - i32(kw * params.dw);
        let si = i32(params.sw);
        if (((num % si) + si) % si != 0) { continue; }
        // Input columns iw0 + p (exact division: num is a multiple of sw).
        let iw = vec4<i32>(num / si) + vec4<i32>(lanes);
        let ok = pixel_ok & (iw >= vec4<i32>(0)) & (iw < vec4<i32>(i32(params.w)));
        if (!any(ok)) { continue; }
        let kk = (kd * params.kh + kh) * params.kw + kw;
        let row = (u32(id) * params.h + u32(ih)) * params.w;
        let n = vec4<u32>(row) + bitcast<vec4<u32>>(select(vec4<i32>(0), iw, ok));
        let skv = select(vec4<u32>(params.sk0), vec4<u32>(params.sk1),
          (vec4<u32>(params.split_axis) == vec4<u32>(2u)) & (n >= vec4<u32>(params.split)));
        let xi = vec4<u32>(xg) + n;
        let wi = wg + kk;
        var d = tap_sums_safe(xi, wi, jc, skv.x);
        if (any(skv != vec4<u32>(skv.x))) {
          // The quad straddles a column split: the lanes of the other tile take its K blocks.
          let e = tap_sums_safe(xi, wi, jc, skv.w);
          let other = skv != vec4<u32>(skv.x);
          for (var c = 0u; c < 4u; c++) { d[c] = select(d[c], e[c], other); }
        }
        v0 = select(v0, canon4(v0 + d[0]), ok);
        v1 = select(v1, canon4(v1 + d[1]), ok);
        v2 = select(v2, canon4(v2 + d[2]), ok);
        v3 = select(v3, canon4(v3 + d[3]), ok);
      }
    }
  }
  let vs = array<vec4<f32>, 4>(v0, v1, v2, v3);
  let channels = min(4u, params.mg - j0);
  let out_size = params.ow * params.oh * params.od;
  let oc0 = g * params.mg + j0;
  let pix = (od * params.oh + oh) * params.ow + ow0;
  for (var c = 0u; c < channels; c++) {
    let base = (img * params.m_all + oc0 + c) * out_size + pix;
    for (var p = 0u; p < 4u; p++) {
      if (!pixel_ok[p]) { break; }
      var r = vs[c][p];
      if (params.has_bias != 0u) { r = canon(r + bias[oc0 + c]); }
      y[base + p * params.sw] = activate(r);
    }
  }
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
