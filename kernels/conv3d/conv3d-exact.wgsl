// f32 3-D Conv, NCDHW, bit-exact with conv2d.ref.ts (onnxruntime's MLAS im2col + SGEMM order;
// host: conv3d.ts, plan: conv3d-mlas-plan.ts). One invocation per output (n, m, position p): the
// GEMM's K (t = c * taps + tap, weight order; a tap in the padding reads 0 as im2col writes it)
// summed as the MLAS operations of the plan say, then + bias. Kinds (see conv3d-mlas-plan.ts):
//   0: blocks of sk from the op's k0, each FMA'd from +0 in k order, each block's sum added to C;
//   1: groups of 4 from k0, products rounded, ((p0 + p1) + p2) + p3 + C, then a pair, then one;
//   2: (one output position) 8 lanes of rounded products from k0, lane (t - k0) mod 8, reduced by
//      the tree of the row's place in its row tile (blocks of 4, then 2, then 1), + C.
// C starts at +0; -0 is canonicalised to +0 where MLAS's sums give +0 (as conv-transpose-exact).
// FMA, fmac and canon: kernels/gpu/wgsl/exact-fma.wgsl (prepended by the host), shared with
// conv-transpose-exact.wgsl, whose probe the host shares too.
// Bindings: 0 x, 1 w, 2 bias (a dummy without HAS_BIAS), 3 y, 4 params, 5 plan table.
// Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;
override HAS_BIAS: bool = false;

struct Params {
  d: u32, h: u32, w: u32, cg: u32,
  od: u32, oh: u32, ow: u32, mg: u32,
  kd: u32, kh: u32, kw: u32, m: u32,
  sd: u32, sh: u32, sw: u32, total: u32,
  dd: u32, dh: u32, dw: u32, group: u32,
  pd: u32, ph: u32, pw: u32, m_split: u32,
  seq_start_base: u32, ops_base: u32, pad0: u32, pad1: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;
@group(0) @binding(5) var<storage, read> plan: array<i32>;

var<private> xbase: u32;
var<private> wbase: u32;
var<private> z0: i32;
var<private> y0: i32;
var<private> x0: i32;

// A walk along K in order (c, kz, ky, kx) without a division per tap: seek once, then step.
var<private> tc: u32;
var<private> tz: u32;
var<private> ty: u32;
var<private> tx: u32;

fn seek(t: u32) {
  let ksize = P.kd * P.kh * P.kw;
  tc = t / ksize;
  let tap = t % ksize;
  tx = tap % P.kw;
  ty = (tap / P.kw) % P.kh;
  tz = tap / (P.kw * P.kh);
}

fn step() {
  tx += 1u;
  if (tx == P.kw) {
    tx = 0u;
    ty += 1u;
    if (ty == P.kh) {
      ty = 0u;
      tz += 1u;
      if (tz == P.kd) {
        tz = 0u;
        tc += 1u;
      }
    }
  }
}

/** im2col's col[t, p] at the walk's tap for this invocation's position: 0 in the padding. */
fn col_here() -> f32 {
  let iz = z0 + i32(tz * P.dd);
  let iy = y0 + i32(ty * P.dh);
  let ix = x0 + i32(tx * P.dw);
  let inside = iz >= 0 && iz < i32(P.d) && iy >= 0 && iy < i32(P.h) && ix >= 0 && ix < i32(P.w);
  let at = xbase + ((tc * P.d + u32(max(iz, 0))) * P.h + u32(max(iy, 0))) * P.w + u32(max(ix, 0));
  return select(0.0, x[min(at, arrayLength(&x) - 1u)], inside);
}

/** w[t] * col[t] rounded (the M1 kernels), t the walk's current tap; then steps the walk. */
fn prod(t: u32) -> f32 {
  let v = wt[wbase + t] * col_here();
  step();
  return v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= P.total) { return; }
  let out_size = P.od * P.oh * P.ow;
  let p = i % out_size;
  let m = (i / out_size) % P.m;
  let n = i / (out_size * P.m);
  let g = m / P.mg;
  let ow = p % P.ow;
  let oh = (p / P.ow) % P.oh;
  let od = p / (P.ow * P.oh);
  xbase = (n * P.group + g) * P.cg * P.d * P.h * P.w;
  let k = P.cg * P.kd * P.kh * P.kw;
  wbase = m * k;
  z0 = i32(od * P.sd) - i32(P.pd);
  y0 = i32(oh * P.sh) - i32(P.ph);
  x0 = i32(ow * P.sw) - i32(P.pw);
  let tile = select(0u, 1u, m % P.mg >= P.m_split);
  let seq = u32(plan[tile * out_size + p]);
  let op0 = u32(plan[P.seq_start_base + seq]);
  let op1 = u32(plan[P.seq_start_base + seq + 1u]);
  var acc_c = 0.0;
  for (var o = op0; o < op1; o++) {
    let base = P.ops_base + 4u * o;
    let k0 = u32(plan[base]);
    let k1 = u32(plan[base + 1u]);
    let kind = plan[base + 2];
    if (kind == 0) {
      let sk = u32(plan[base + 3u]);
      for (var b0 = k0; b0 < k1; b0 += sk) {
        let b1 = min(k1, b0 + sk);
        var acc = 0.0;
        seek(b0);
        for (var t = b0; t < b1; t++) {
          acc = fmac(wt[wbase + t], col_here(), acc);
          step();
        }
        acc_c = canon(acc_c + canon(acc));
      }
    } else if (kind == 2) {
      var l: array<f32, 8>;
      seek(k0);
      for (var t = k0; t < k1; t++) {
        l[(t - k0) & 7u] = l[(t - k0) & 7u] + prod(t);
      }
      let mi = m % P.mg;
      let local = select(mi, mi - P.m_split, tile == 1u);
      let size = select(P.m_split, P.mg - P.m_split, tile == 1u);
      let n4 = size - size % 4u;
      var s: f32;
      if (local < n4) {
        s = (((l[0] + l[1]) + l[2]) + l[3]) + (((l[4] + l[5]) + l[6]) + l[7]);
      } else if (size % 4u >= 2u && local < n4 + 2u) {
        s = ((l[0] + l[2]) + (l[4] + l[6])) + ((l[1] + l[3]) + (l[5] + l[7]));
      } else {
        s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
      }
      acc_c = canon(canon(s) + acc_c);
    } else {
      var t = k0;
      seek(k0);
      for (; t + 4u <= k1; t += 4u) {
        let p0 = prod(t);
        let p1 = prod(t + 1u);
        let p2 = prod(t + 2u);
        let p3 = prod(t + 3u);
        acc_c = canon(((p0 + p1) + p2) + p3 + acc_c);
      }
      if (k1 - t >= 2u) {
        let p0 = prod(t);
        let p1 = prod(t + 1u);
        acc_c = canon((p0 + p1) + acc_c);
        t += 2u;
      }
      if (t < k1) { acc_c = canon(prod(t) + acc_c); }
    }
  }
  if (HAS_BIAS) { acc_c = acc_c + bias[m]; }
  y[i] = acc_c;
}
