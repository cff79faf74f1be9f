// RNN, GRU and LSTM in float32 (host: recurrent-gpu.ts; meaning: rnn.ref.ts, gru.ref.ts,
// lstm.ref.ts through recurrent.ts's driver).
//
// Why one workgroup per (direction, batch row) looping over time: the recurrence is sequential,
// and each step needs the whole previous state, so the only parallelism inside a row is over the
// hidden units. A workgroup holds a row's state in `work` (storage, so any hidden size fits) and
// storageBarrier() separates the steps; invocation `lid` computes units lid, lid + WG, ... Every
// gate recomputes its X·W row inside the step instead of a separate matmul up front: one dispatch,
// no scratch of seq × gates × hidden, and the sums keep the reference's order
// (X·W + H·R + Wb + Rb, each dot product from k = 0), only in f32 instead of f64.
//
// Bindings: 0 X, 1 W, 2 R, 3 aux (u32 words: 4 per activation [kind, alpha, beta, 0], then B,
// sequence_lens, initial_h, initial_c, P at the params' offsets, copied in by the host), 4 Y,
// 5 work (Y_h region, Y_c region, then 5 * hidden words per workgroup: two h buffers, c, z, rh),
// 6 error words (1 flag + batch sequence_lens values), 7 params.

override WORKGROUP_SIZE: u32 = 64u;
/** 0 RNN, 1 GRU, 2 LSTM. */
override CELL: u32 = 0u;

const ABSENT: u32 = 0xffffffffu;

struct Params {
  seq: u32,
  batch: u32,
  input: u32,
  hidden: u32,
  dirs: u32,
  batch_major: u32,
  reverse_all: u32,
  has_clip: u32,
  clip: f32,
  linear_before_reset: u32,
  input_forget: u32,
  has_y: u32,
  off_b: u32,
  off_lens: u32,
  off_h0: u32,
  off_c0: u32,
  off_p: u32,
  scratch: u32,
  yc_off: u32,
  check_lens: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> r: array<f32>;
@group(0) @binding(3) var<storage, read> aux: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> work: array<f32>;
@group(0) @binding(6) var<storage, read_write> err: array<u32>;
@group(0) @binding(7) var<uniform> params: Params;

fn auxf(i: u32) -> f32 {
  return bitcast<f32>(aux[i]);
}

/** tanh through exp (WGSL's tanh has no stated accuracy); within about 1e-7 absolute. */
fn tanh_f(v: f32) -> f32 {
  let e = exp(2.0 * min(abs(v), 20.0));
  let t = 1.0 - 2.0 / (e + 1.0);
  return select(-t, t, v >= 0.0);
}

/** Activation number `slot` (direction * per-direction + position) applied to v. */
fn act(slot: u32, v: f32) -> f32 {
  let kind = aux[4u * slot];
  let alpha = auxf(4u * slot + 1u);
  let beta = auxf(4u * slot + 2u);
  switch kind {
    case 0u: { return max(v, 0.0); }
    case 1u: { return tanh_f(v); }
    case 2u: { return 1.0 / (1.0 + exp(-clamp(v, -80.0, 80.0))); }
    case 3u: { return alpha * v + beta; }
    case 4u: { return select(alpha * v, v, v >= 0.0); }
    case 5u: { return select(0.0, v, v > alpha); }
    case 6u: { return alpha * tanh_f(beta * v); }
    case 7u: { return max(0.0, min(1.0, alpha * v + beta)); }
    case 8u: { return select(alpha * (exp(min(v, 0.0)) - 1.0), v, v >= 0.0); }
    case 9u: { return v / (1.0 + abs(v)); }
    default: { return max(v, 0.0) + log(1.0 + exp(-abs(v))); }
  }
}

fn clipv(v: f32) -> f32 {
  if (params.has_clip != 0u) { return min(params.clip, max(-params.clip, v)); }
  return v;
}

/** B's value at index i of direction d's [Wb, Rb] (0 without B). */
fn bias(d: u32, i: u32, gates: u32) -> f32 {
  if (params.off_b == ABSENT) { return 0.0; }
  return auxf(params.off_b + d * 2u * gates * params.hidden + i);
}

/** X_t · W_row + H · R_row + Wb_row + Rb_row for gate row `row` of direction d. */
fn dots(d: u32, row: u32, xo: u32, h: u32, gates: u32) -> vec2<f32> {
  let gr = d * gates * params.hidden + row;
  var sx = 0.0;
  for (var k = 0u; k < params.input; k++) { sx += x[xo + k] * w[gr * params.input + k]; }
  var sh = 0.0;
  for (var k = 0u; k < params.hidden; k++) { sh += work[h + k] * r[gr * params.hidden + k]; }
  return vec2<f32>(sx, sh);
}

fn lin(d: u32, row: u32, xo: u32, h: u32, gates: u32) -> f32 {
  let s = dots(d, row, xo, h, gates);
  return s.x + s.y + bias(d, row, gates) + bias(d, gates * params.hidden + row, gates);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let H = params.hidden;
  let S = params.seq;
  let B = params.batch;
  let dirs = params.dirs;
  let d = wg.x / B;
  let b = wg.x % B;
  let gates = select(select(4u, 3u, CELL == 1u), 1u, CELL == 0u);
  let per_dir = select(select(3u, 2u, CELL == 1u), 1u, CELL == 0u);

  var len = S;
  if (params.off_lens != ABSENT) {
    let l = bitcast<i32>(aux[params.off_lens + b]);
    let ok = l >= 0 && u32(l) <= S;
    // A bad length cannot stop the kernel: the row runs no step and the host fails the run.
    len = select(0u, u32(l), ok);
    if (params.check_lens != 0u && lid == 0u && d == 0u) {
      err[1u + b] = bitcast<u32>(l);
      if (!ok) { err[0] = 1u; }
    }
  }
  let s_off = select((d * B + b) * H, (b * dirs + d) * H, params.batch_major == 1u);
  let base = params.scratch + wg.x * 5u * H;
  let cb = base + 2u * H;
  let zb = base + 3u * H;
  let rhb = base + 4u * H;
  for (var j = lid; j < H; j += WORKGROUP_SIZE) {
    work[base + j] = select(0.0, auxf(params.off_h0 + s_off + j), params.off_h0 != ABSENT);
    work[cb + j] = select(0.0, auxf(params.off_c0 + s_off + j), params.off_c0 != ABSENT);
  }
  storageBarrier();
  let reverse = params.reverse_all != 0u || d == 1u;
  for (var k = 0u; k < len; k++) {
    let t = select(k, len - 1u - k, reverse);
    let cur = base + (k & 1u) * H;
    let nxt = base + ((k + 1u) & 1u) * H;
    let xo = select(t * B + b, b * S + t, params.batch_major == 1u) * params.input;
    let yo = select((t * dirs + d) * B + b, (b * S + t) * dirs + d, params.batch_major == 1u) * H;
    if (CELL == 0u) {
      for (var j = lid; j < H; j += WORKGROUP_SIZE) {
        work[nxt + j] = act(d, clipv(lin(d, j, xo, cur, 1u)));
      }
    } else if (CELL == 1u) {
      // Gates z, r, h; B = [Wb_z, Wb_r, Wb_h, Rb_z, Rb_r, Rb_h].
      let f = per_dir * d;
      for (var j = lid; j < H; j += WORKGROUP_SIZE) {
        let z = act(f, clipv(lin(d, j, xo, cur, 3u)));
        let rg = act(f, clipv(lin(d, H + j, xo, cur, 3u)));
        work[zb + j] = z;
        // linear_before_reset 0 multiplies H by r before R_h (every unit reads every r . H);
        // 1 applies r after, per unit.
        work[rhb + j] = select(rg * work[cur + j], rg, params.linear_before_reset != 0u);
      }
      storageBarrier();
      for (var j = lid; j < H; j += WORKGROUP_SIZE) {
        let row = 2u * H + j;
        let wb = bias(d, row, 3u);
        let rb = bias(d, 3u * H + row, 3u);
        var pre: f32;
        if (params.linear_before_reset != 0u) {
          let s = dots(d, row, xo, cur, 3u);
          pre = s.x + work[rhb + j] * (s.y + rb) + wb;
        } else {
          let s = dots(d, row, xo, rhb, 3u);
          pre = s.x + s.y + rb + wb;
        }
        let z = work[zb + j];
        work[nxt + j] = (1.0 - z) * act(f + 1u, clipv(pre)) + z * work[cur + j];
      }
    } else {
      // Gates i, o, f, c; B = [Wb_i, Wb_o, Wb_f, Wb_c, Rb_i, Rb_o, Rb_f, Rb_c]; P = [P_i, P_o, P_f].
      let f = per_dir * d;
      let po = params.off_p + d * 3u * H;
      for (var j = lid; j < H; j += WORKGROUP_SIZE) {
        let c = work[cb + j];
        var p_i = 0.0;
        var p_o = 0.0;
        var p_f = 0.0;
        if (params.off_p != ABSENT) {
          p_i = auxf(po + j);
          p_o = auxf(po + H + j);
          p_f = auxf(po + 2u * H + j);
        }
        let o = lin(d, H + j, xo, cur, 4u);
        let ig = act(f, clipv(lin(d, j, xo, cur, 4u) + p_i * c));
        var fg: f32;
        if (params.input_forget != 0u) {
          fg = 1.0 - ig;
        } else {
          fg = act(f, clipv(lin(d, 2u * H + j, xo, cur, 4u) + p_f * c));
        }
        let cc = act(f + 1u, clipv(lin(d, 3u * H + j, xo, cur, 4u)));
        let c2 = fg * c + ig * cc;
        work[cb + j] = c2;
        work[nxt + j] = act(f, clipv(o + p_o * c2)) * act(f + 2u, c2);
      }
    }
    if (params.has_y != 0u) {
      for (var j = lid; j < H; j += WORKGROUP_SIZE) { y[yo + j] = work[nxt + j]; }
    }
    storageBarrier();
  }
  // Steps at or past the row's length are zero in Y; Y_h / Y_c are zero for an empty row.
  if (params.has_y != 0u) {
    for (var t = len; t < S; t++) {
      let yo = select((t * dirs + d) * B + b, (b * S + t) * dirs + d, params.batch_major == 1u) * H;
      for (var j = lid; j < H; j += WORKGROUP_SIZE) { y[yo + j] = 0.0; }
    }
  }
  let last = base + (len & 1u) * H;
  for (var j = lid; j < H; j += WORKGROUP_SIZE) {
    work[s_off + j] = select(0.0, work[last + j], len > 0u);
    work[params.yc_off + s_off + j] = select(0.0, work[cb + j], len > 0u);
  }
}
