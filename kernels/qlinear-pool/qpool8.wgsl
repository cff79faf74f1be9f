// 8-bit pooling on packed bytes (host: qpool8.ts; oracles: pool.ref.ts maxPool on int8/uint8,
// qlinear-pool.ref.ts qlinearGlobalAveragePool). One invocation per output WORD: it computes the
// 4 outputs packed in it and stores the word whole (no atomics, no clear needed).
//
// MODE 0, MaxPool (NCHW, 2-D; 1-D as H = 1): the largest tap inside the input; padding never wins.
//   ih = oh sh - pt + kh dh, iw = ow sw - pl + kw dw; a window with no tap inside gives 0 (the
//   reference's -inf stored in an integer array).
// MODE 1, QLinearGlobalAveragePool (MLAS qlgavgpool + MlasRequantizeOutput), integers then one
//   correctly rounded f32 product:
//   acc = sum(x) - zx * size (exact int32); y = clamp(roundHalfEven(f32(f32(acc) * scale)) + zy)
//   with scale = f32(xs / f32(ys * f32(size))) computed on the host exactly as the reference does.
//   Element p of plane (n, c) lies at n * size * C + c * c_stride + p * p_stride (NCHW: c_stride =
//   size, p_stride = 1; channels_last: c_stride = 1, p_stride = C).
// MODE 2, QLinearAveragePool (NCHW, 2-D; 1-D as H = 1; no window may be empty: the host checks)
//   in onnxruntime's f32 order: x_f = f32(xs * (x - zx)); sum = f32 running sum over the clipped
//   window, rows then columns; avg = f32(sum / divisor); t = f32(f32(avg / ys) + zy);
//   y = clamp(nearbyint(t) as int32, qmin, qmax), where an out-of-range t gives INT32_MIN (x86).
//   The divisions use div_nearest (div-nearest.wgsl, prepended by the host): WGSL's `/` is only
//   accurate to 2.5 ULP. The host keeps xs >= 2^-100 so no x_f or partial sum is subnormal.
// WGSL's f32 + and * are correctly rounded and round() is ties-to-even, so every mode is exact.

override MODE: u32 = 0u;
override SIGNED: bool = true;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  h: u32, w: u32, oh: u32, ow: u32,
  kh: u32, kw: u32, sh: u32, sw: u32,
  dh: u32, dw: u32, pt: u32, pl: u32,
  total: u32, words: u32, channels: u32, size: u32,
  c_stride: u32, p_stride: u32, zx: i32, zy: i32,
  scale: f32, qmin: i32, qmax: i32, pad0: u32,
  y_scale: f32, include_pad: u32, pad1: u32, pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

// The value of 8-bit element e (sign-extended for int8).
fn load8(e: u32) -> i32 {
  let b = (x[e >> 2u] >> (8u * (e & 3u))) & 0xffu;
  if (SIGNED) { return (bitcast<i32>(b) << 24u) >> 24u; }
  return bitcast<i32>(b);
}

// f32(v) correctly rounded whatever the device's i32 conversion does (see requantize.wgsl).
fn exact_f32_of_i32(v: i32) -> f32 {
  let low = v & 0xffff;
  return f32(v - low) + f32(low);
}

fn max_pool(o: u32) -> i32 {
  let ow = o % params.ow;
  let row = o / params.ow;
  let oh = row % params.oh;
  let nc = row / params.oh;
  let base = nc * params.h * params.w;
  var best = 0;
  var found = false;
  for (var kh = 0u; kh < params.kh; kh++) {
    let ih = i32(oh * params.sh + kh * params.dh) - i32(params.pt);
    if (ih < 0 || ih >= i32(params.h)) { continue; }
    for (var kw = 0u; kw < params.kw; kw++) {
      let iw = i32(ow * params.sw + kw * params.dw) - i32(params.pl);
      if (iw < 0 || iw >= i32(params.w)) { continue; }
      let v = load8(base + u32(ih) * params.w + u32(iw));
      if (!found || v > best) { best = v; }
      found = true;
    }
  }
  return best;
}

fn global_average(o: u32) -> i32 {
  let c = o % params.channels;
  let n = o / params.channels;
  let base = n * params.size * params.channels + c * params.c_stride;
  var acc = -params.zx * i32(params.size);
  for (var p = 0u; p < params.size; p++) { acc += load8(base + p * params.p_stride); }
  let v = i32(clamp(round(exact_f32_of_i32(acc) * params.scale), -1073741824.0, 1073741824.0));
  return clamp(v + params.zy, params.qmin, params.qmax);
}

fn average_pool(o: u32) -> i32 {
  let ow = o % params.ow;
  let row = o / params.ow;
  let oh = row % params.oh;
  let nc = row / params.oh;
  let base = nc * params.h * params.w;
  let h0 = i32(oh * params.sh) - i32(params.pt);
  let w0 = i32(ow * params.sw) - i32(params.pl);
  let h_lo = u32(max(h0, 0));
  let h_hi = u32(min(h0 + i32(params.kh), i32(params.h)));
  let w_lo = u32(max(w0, 0));
  let w_hi = u32(min(w0 + i32(params.kw), i32(params.w)));
  var sum = 0.0;
  for (var ih = h_lo; ih < h_hi; ih++) {
    for (var iw = w_lo; iw < w_hi; iw++) {
      sum = sum + params.scale * f32(load8(base + ih * params.w + iw) - params.zx);
    }
  }
  let count = select((h_hi - h_lo) * (w_hi - w_lo), params.kh * params.kw, params.include_pad != 0u);
  div_overflow = false;
  let avg = div_nearest(sum, f32(count));
  let t = div_nearest(avg, params.y_scale) + f32(params.zy);
  var v = i32(-2147483647 - 1);
  if (!div_overflow && abs(t) < 2147483648.0) { v = i32(round(t)); }
  return clamp(v, params.qmin, params.qmax);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.words) { return; }
  var word = 0u;
  for (var j = 0u; j < 4u; j++) {
    let o = 4u * i + j;
    if (o >= params.total) { break; }
    var v = 0;
    if (MODE == 0u) { v = max_pool(o); } else if (MODE == 1u) { v = global_average(o); } else { v = average_pool(o); }
    word |= (bitcast<u32>(v) & 0xffu) << (8u * j);
  }
  y[i] = word;
}
