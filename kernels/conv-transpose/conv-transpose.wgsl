// f32 ConvTranspose, 1-D (as H = 1) and 2-D, NCHW (host: conv-transpose.ts; oracle:
// conv-transpose.ref.ts), with groups, strides, dilations, pads (resolved on the host from
// auto_pad / output_shape / output_padding), an optional fused bias and Relu / Clip.
//
// Output-stationary: the reference scatters x[n, c, i] * w[c, j, k] onto output o = i s - p + k d;
// here each invocation gathers, for its outputs, every (c, kh, kw) whose input position
// (o + p - k d) / s is a whole number inside the input. No atomics, one writer per output, so the
// result does not depend on scheduling:
//
//   y[n, g Mg + j, oh, ow] = act(bias[g Mg + j] + sum_{c < Cg, kh, kw : s | (oh + pt - kh dh), ...}
//       x[n, g Cg + c, (oh + pt - kh dh) / sh, (ow + pl - kw dw) / sw] * w[g Cg + c, j, kh, kw])
//
// The taps that divide exactly depend only on (oh + pt) mod sh and (ow + pl) mod sw: kh runs
// kh0[r], kh0[r] + step_h, ... with step_h = sh / gcd(sh, dh) (the host's table holds kh0 per
// residue, KH when none fits). So an invocation takes 4 output columns of ONE residue, ow0 + p sw
// (p = 0..3): they share every tap, and their input columns are consecutive (one clamped quad
// load per channel). A row is sw runs of invocations, one per residue, so neighbouring
// invocations (SwiftShader runs 4 in lockstep) take the same tap loop instead of diverging on
// stride parity. OCB output channels of one group per invocation share each x quad (4, or 1 when
// a group has fewer than 4 output channels, e.g. depthwise); channels past Mg read a clamped
// weight and are not stored.
// Bindings: 0 x, 1 w [C, Mg, KH, KW], 2 bias (any read buffer when has_bias = 0), 3 y, 4 params,
// 5 table (i32: kh0 for residues 0..sh-1, then kw0 for residues 0..sw-1).
// Grid: (x, y) cover ceil(OH sw qw / WG) workgroups (2-D past the dispatch limit; qw = quads per
// residue), z = N group ob (ob = channel blocks per group).
// ACT: 0 none, 1 Relu, 2 Clip [act_min, act_max].

override WG: u32 = 64u;
override ACT: u32 = 0u;
override OCB: u32 = 4u;

struct Params {
  c: u32, h: u32, w: u32, cg: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, pt: i32, pl: i32,
  oh: u32, ow: u32, mg: u32, m: u32,
  has_bias: u32, qw: u32, step_h: u32, step_w: u32,
  act_min: f32, act_max: f32, ob: u32, group: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<storage, read> table: array<i32>;

fn activate(v: f32) -> f32 {
  if (ACT == 1u) { return max(v, 0.0); }
  if (ACT == 2u) { return min(max(v, params.act_min), params.act_max); }
  return v;
}

/** a mod s in [0, s) for a possibly negative a. */
fn residue(a: i32, s: u32) -> u32 {
  let si = i32(s);
  return u32(((a % si) + si) % si);
}

// Input columns iw0 .. iw0 + 3 of row `row` (clamped; lanes outside the input read 0).
fn load_quad(base: u32, row: u32, iw0: i32) -> vec4<f32> {
  let iw = vec4<i32>(iw0) + vec4<i32>(0, 1, 2, 3);
  let wi = i32(params.w) - 1;
  let col = vec4<u32>(clamp(iw, vec4<i32>(0), vec4<i32>(wi)));
  let b = base + row * params.w;
  let v = vec4<f32>(x[b + col.x], x[b + col.y], x[b + col.z], x[b + col.w]);
  return select(vec4<f32>(0.0), v, (iw >= vec4<i32>(0)) & (iw <= vec4<i32>(wi)));
}

@compute @workgroup_size(WG)
fn main(
  @builtin(global_invocation_id) gid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let inv = gid.x + wid.y * nwg.x * WG;
  let row_len = params.sw * params.qw;
  let oh = inv / row_len;
  if (oh >= params.oh) { return; }
  let t = inv % row_len;
  let rw = t / params.qw;
  // The 4 pixels: columns ow0 + p sw (p = 0..3) of residue rw, whose input columns for a tap are
  // iw0 + p: consecutive, so the loads of one channel are one clamped quad.
  let ow0 = residue(i32(rw) - params.pl, params.sw) + (t % params.qw) * 4u * params.sw;
  if (ow0 >= params.ow) { return; }
  let ob = wid.z % params.ob;
  let g = (wid.z / params.ob) % params.group;
  let img = wid.z / (params.ob * params.group);
  let j0 = ob * OCB;
  let ksz = params.kh * params.kw;
  let plane = params.h * params.w;
  // Weight offsets of the OCB channels from channel j0 (clamped to the group's last channel).
  let last = params.mg - 1u - j0;
  let wo = vec4<u32>(0u, min(1u, last), min(2u, last), min(3u, last)) * ksz;
  let x_base = (img * params.c + g * params.cg) * plane;
  let w_base = (g * params.cg * params.mg + j0) * ksz;
  let w_chan = params.mg * ksz;
  let rh = residue(i32(oh) + params.pt, params.sh);
  let kh0 = u32(table[rh]);
  let kw0 = u32(table[params.sh + rw]);
  let h_num = i32(oh) + params.pt;
  let w_num = i32(ow0) + params.pl;
  // acc<j>: output channel j0 + j, one lane per pixel.
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var kh = kh0; kh < params.kh; kh += params.step_h) {
    // Exact division: kh was chosen so that sh divides the numerator (truncation is harmless).
    let ih = (h_num - i32(kh * params.dh)) / i32(params.sh);
    if (ih < 0) { break; } // ih only falls as kh grows
    if (ih >= i32(params.h)) { continue; }
    for (var kw = kw0; kw < params.kw; kw += params.step_w) {
      let iw0 = (w_num - i32(kw * params.dw)) / i32(params.sw);
      if (iw0 + 3 < 0) { break; } // so does iw
      if (iw0 >= i32(params.w)) { continue; }
      var base = x_base;
      var wi = w_base + kh * params.kw + kw;
      for (var c = 0u; c < params.cg; c++) {
        let xv = load_quad(base, u32(ih), iw0);
        acc0 = fma(xv, vec4<f32>(wt[wi]), acc0);
        if (OCB == 4u) {
          acc1 = fma(xv, vec4<f32>(wt[wi + wo.y]), acc1);
          acc2 = fma(xv, vec4<f32>(wt[wi + wo.z]), acc2);
          acc3 = fma(xv, vec4<f32>(wt[wi + wo.w]), acc3);
        }
        base += plane;
        wi += w_chan;
      }
    }
  }
  let accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let n = min(OCB, params.mg - j0);
  let pixels = min(4u, (params.ow - ow0 + params.sw - 1u) / params.sw);
  let oc0 = g * params.mg + j0;
  for (var i = 0u; i < n; i++) {
    let oc = oc0 + i;
    let b = select(0.0, bias[min(oc, params.m - 1u)], params.has_bias != 0u);
    let r = accs[i] + vec4<f32>(b);
    let out = ((img * params.m + oc) * params.oh + oh) * params.ow + ow0;
    for (var p = 0u; p < pixels; p++) { y[out + p * params.sw] = activate(r[p]); }
  }
}
