// References of the normalizations: LayerNormalization (17), RMSNormalization (23),
// GroupNormalization (18: scale/bias per group; 21: per channel), InstanceNormalization,
// MeanVarianceNormalization, LpNormalization and LRN. Statistics in float64 (two passes: mean,
// then the mean of squared deviations), results rounded once to the tensor's float type; within
// 1e-5 relative of onnxruntime's float32 sums on the tested ranges.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { normalizeAxis } from '../shape-ops/axes.js';
import type { Tensor } from '../tensor.js';

/** Broadcast read of a parameter tensor (scale / bias) over `dims` (numpy rules, trailing). */
function broadcastParam(p: Tensor | undefined, dims: readonly number[]): (i: number) => number {
  if (!p) return () => Number.NaN;
  const v = readFloats(p);
  if (v.length === 1) return () => v[0];
  const rank = dims.length;
  const pd = [...new Array(rank - p.dims.length).fill(1), ...p.dims];
  const strides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = pd[a] === 1 ? 0 : s;
    s *= pd[a];
  }
  return (i) => {
    let rest = i;
    let at = 0;
    for (let a = rank - 1; a >= 0; a--) {
      const c = rest % dims[a];
      rest = Math.floor(rest / dims[a]);
      at += c * strides[a];
    }
    return v[at];
  };
}

/** Mean and 1/sqrt(var + eps) of each run of `n` consecutive values. */
function rowStats(x: ArrayLike<number>, rows: number, n: number, epsilon: number, rms = false) {
  const mean = new Float64Array(rows);
  const inv = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += x[r * n + j];
    const m = rms ? 0 : sum / n;
    let sq = 0;
    for (let j = 0; j < n; j++) sq += (x[r * n + j] - m) ** 2;
    mean[r] = m;
    inv[r] = 1 / Math.sqrt(sq / n + epsilon);
  }
  return { mean, inv };
}

/** LayerNormalization: normalizes over axes [axis, rank); Mean and InvStdDev keep 1s there. */
export function layerNormRef(
  x: Tensor,
  scale: Tensor,
  bias: Tensor | undefined,
  axisIn: number,
  epsilon: number,
  rms = false,
): { y: Tensor; mean: Tensor; invStdDev: Tensor } {
  assertFloat(x, rms ? 'RMSNormalization X' : 'LayerNormalization X');
  const rank = x.dims.length;
  const axis = normalizeAxis(axisIn, rank);
  const n = x.dims.slice(axis).reduce((a, b) => a * b, 1);
  const rows = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const { mean, inv } = rowStats(xs, rows, n, epsilon, rms);
  const tail = x.dims.slice(axis);
  const s = broadcastParam(scale, tail);
  const b = bias ? broadcastParam(bias, tail) : () => 0;
  const ys = new Float64Array(xs.length);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      ys[i] = (xs[i] - mean[r]) * inv[r] * s(j) + b(j);
    }
  const statDims = [...x.dims.slice(0, axis), ...new Array(rank - axis).fill(1)];
  return {
    y: floatTensor(x.dtype, x.dims, ys),
    mean: floatTensor('float32', statDims, mean),
    invStdDev: floatTensor('float32', statDims, inv),
  };
}

/** GroupNormalization: statistics per (n, group); scale/bias per group (opset 18) or channel (21). */
export function groupNormRef(
  x: Tensor,
  scale: Tensor,
  bias: Tensor,
  groups: number,
  epsilon: number,
): Tensor {
  assertFloat(x, 'GroupNormalization X');
  const [batch, channels] = x.dims;
  if (!(groups > 0) || channels % groups !== 0)
    throw new Error(`GroupNormalization: ${channels} channels do not split into ${groups} groups`);
  const spatial = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const per = (channels / groups) * spatial;
  const xs = readFloats(x);
  const { mean, inv } = rowStats(xs, batch * groups, per, epsilon);
  const s = readFloats(scale);
  const b = readFloats(bias);
  const perChannel = s.length === channels;
  if (!perChannel && s.length !== groups)
    throw new Error(`GroupNormalization scale has ${s.length} values; expected ${groups} or ${channels}`);
  const ys = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const c = Math.floor(i / spatial) % channels;
    const g = Math.floor(c / (channels / groups));
    const row = Math.floor(i / (channels * spatial)) * groups + g;
    const k = perChannel ? c : g;
    ys[i] = (xs[i] - mean[row]) * inv[row] * s[k] + b[k];
  }
  return floatTensor(x.dtype, x.dims, ys);
}

/** InstanceNormalization: statistics per (n, c) over the spatial axes. */
export function instanceNormRef(x: Tensor, scale: Tensor, bias: Tensor, epsilon: number): Tensor {
  const channels = x.dims[1];
  const s = readFloats(scale);
  const b = readFloats(bias);
  if (s.length !== channels || b.length !== channels)
    throw new Error(`InstanceNormalization scale/B need ${channels} values`);
  return groupNormRef(x, scale, bias, channels, epsilon);
}

/** MeanVarianceNormalization: (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9) over `axes`. */
export function mvnRef(x: Tensor, axesIn: readonly number[]): Tensor {
  assertFloat(x, 'MeanVarianceNormalization X');
  const rank = x.dims.length;
  const axes = new Set(axesIn.map((a) => normalizeAxis(a, rank)));
  const xs = readFloats(x);
  const keyOf = (i: number) => {
    let rest = i;
    let key = 0;
    let mul = 1;
    for (let a = rank - 1; a >= 0; a--) {
      const c = rest % x.dims[a];
      rest = Math.floor(rest / x.dims[a]);
      if (!axes.has(a)) {
        key += c * mul;
        mul *= x.dims[a];
      }
    }
    return key;
  };
  const keys = Int32Array.from({ length: xs.length }, (_, i) => keyOf(i));
  const groups = Math.max(...keys, 0) + 1;
  const sum = new Float64Array(groups);
  const sq = new Float64Array(groups);
  const count = new Float64Array(groups);
  for (let i = 0; i < xs.length; i++) {
    sum[keys[i]] += xs[i];
    sq[keys[i]] += xs[i] * xs[i];
    count[keys[i]]++;
  }
  const ys = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const k = keys[i];
    const m = sum[k] / count[k];
    const v = Math.max(sq[k] / count[k] - m * m, 0);
    ys[i] = (xs[i] - m) / (Math.sqrt(v) + 1e-9);
  }
  return floatTensor(x.dtype, x.dims, ys);
}

/** LpNormalization: X / ||X||_p along `axis` (p = 1 or 2); a zero norm gives 0. */
export function lpNormRef(x: Tensor, axisIn: number, p: number): Tensor {
  assertFloat(x, 'LpNormalization X');
  if (p !== 1 && p !== 2) throw new Error(`LpNormalization p must be 1 or 2, got ${p}`);
  const rank = x.dims.length;
  const axis = normalizeAxis(axisIn, rank);
  const len = x.dims[axis];
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let norm = 0;
      for (let t = 0; t < len; t++) {
        const v = xs[(o * len + t) * inner + j];
        norm += p === 1 ? Math.abs(v) : v * v;
      }
      if (p === 2) norm = Math.sqrt(norm);
      for (let t = 0; t < len; t++) {
        const i = (o * len + t) * inner + j;
        ys[i] = norm === 0 ? 0 : xs[i] / norm;
      }
    }
  return floatTensor(x.dtype, x.dims, ys);
}

/** LRN across channels: X / (bias + alpha / size * sum of squares in the window) ^ beta. */
export function lrnRef(x: Tensor, size: number, alpha: number, beta: number, bias: number): Tensor {
  assertFloat(x, 'LRN X');
  const channels = x.dims[1];
  const spatial = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  const lo = Math.floor((size - 1) / 2);
  const hi = Math.ceil((size - 1) / 2);
  for (let i = 0; i < xs.length; i++) {
    const c = Math.floor(i / spatial) % channels;
    const base = i - c * spatial;
    let sq = 0;
    for (let k = Math.max(0, c - lo); k <= Math.min(channels - 1, c + hi); k++)
      sq += xs[base + k * spatial] ** 2;
    ys[i] = xs[i] / (bias + (alpha / size) * sq) ** beta;
  }
  return floatTensor(x.dtype, x.dims, ys);
}
