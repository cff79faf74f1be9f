// Normalizations over channels and spatial positions of X [N, C, D1, ...], computed in float64
// and rounded once to X's float type:
//   InstanceNormalization: per (n, c) over D1...: y = (x - mean) / sqrt(var + eps) * scale[c] + B[c]
//   GroupNormalization:    per (n, group of C/G channels) over those channels and D1...; the affine
//                          parameters are per group (opset 18) or per channel (opset 21)
//   MeanVarianceNormalization: over `axes`: y = (x - mean) / (sqrt(var) + 1e-9) (its ONNX function)
//   LpNormalization: y = x / ||x||_p along `axis` (p 1 or 2; a zero norm gives 0, as the ONNX reference)
//   LRN: y = x / (bias + alpha / size * sum of x^2 over the channel window) ^ beta
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';
import { normAxis } from './layer-norm.ref.js';

function spatialSize(dims: readonly number[]): number {
  return dims.slice(2).reduce((s, v) => s * v, 1);
}

/**
 * Normalizes X [N, C, ...] in `groups` groups of C / groups consecutive channels; `scale`/`bias`
 * hold `perParam` values, indexed by channel (perParam = C) or by group (perParam = groups).
 */
function groupedNorm(
  x: Tensor,
  groups: number,
  scale: Tensor,
  bias: Tensor,
  epsilon: number,
  what: string,
): Tensor {
  assertFloat(x, `${what} input`);
  if (x.dims.length < 2) throw new Error(`${what} input needs [N, C, ...], got [${x.dims}]`);
  const [n, c] = x.dims;
  if (groups <= 0 || c % groups !== 0)
    throw new Error(`${what}: ${c} channels do not split into ${groups} groups`);
  const s = readFloats(scale);
  const b = readFloats(bias);
  if (s.length !== b.length || (s.length !== c && s.length !== groups))
    throw new Error(`${what}: scale and bias have ${s.length} and ${b.length} values; expected ${c}`);
  const perChannel = s.length === c;
  const spatial = spatialSize(x.dims);
  const perGroup = (c / groups) * spatial;
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let ng = 0; ng < n * groups; ng++) {
    const base = ng * perGroup;
    let sum = 0;
    for (let k = 0; k < perGroup; k++) sum += xs[base + k];
    const mean = sum / perGroup;
    let sq = 0;
    for (let k = 0; k < perGroup; k++) sq += (xs[base + k] - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / perGroup + epsilon);
    const g = ng % groups;
    for (let k = 0; k < perGroup; k++) {
      const p = perChannel ? g * (c / groups) + Math.floor(k / spatial) : g;
      ys[base + k] = (xs[base + k] - mean) * inv * s[p] + b[p];
    }
  }
  return floatTensor(x.dtype, x.dims, ys);
}

export function instanceNormalization(x: Tensor, scale: Tensor, bias: Tensor, epsilon = 1e-5): Tensor {
  if (x.dims.length < 3)
    throw new Error(`InstanceNormalization input needs [N, C, D1, ...], got [${x.dims}]`);
  if (readFloats(scale).length !== x.dims[1])
    throw new Error(`InstanceNormalization scale has ${scale.dims} values; expected ${x.dims[1]}`);
  return groupedNorm(x, x.dims[1], scale, bias, epsilon, 'InstanceNormalization');
}

/**
 * @param perChannel opset 21 (scale/bias [C]); false for opset 18 (scale/bias [num_groups])
 */
export function groupNormalization(
  x: Tensor,
  scale: Tensor,
  bias: Tensor,
  numGroups: number,
  epsilon = 1e-5,
  perChannel = true,
): Tensor {
  const want = perChannel ? x.dims[1] : numGroups;
  for (const [t, name] of [
    [scale, 'scale'],
    [bias, 'bias'],
  ] as const) {
    if (t.data.length !== want)
      throw new Error(`GroupNormalization ${name} has ${t.data.length} values; expected ${want}`);
  }
  return groupedNorm(x, numGroups, scale, bias, epsilon, 'GroupNormalization');
}

export function meanVarianceNormalization(x: Tensor, axes: readonly number[] = [0, 2, 3]): Tensor {
  assertFloat(x, 'MeanVarianceNormalization input');
  const rank = x.dims.length;
  const reduced = new Set(axes.map((a) => normAxis(a, rank, 'MeanVarianceNormalization')));
  // Group the elements by their index along the kept axes.
  const strides = x.dims.map((_, i) => x.dims.slice(i + 1).reduce((s, v) => s * v, 1));
  const total = x.dims.reduce((s, v) => s * v, 1);
  const keyOf = new Int32Array(total);
  let groups = 0;
  const keyIndex = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    let key = 0;
    for (let d = 0; d < rank; d++) {
      if (reduced.has(d)) continue;
      key = key * x.dims[d] + (Math.floor(i / strides[d]) % x.dims[d]);
    }
    let g = keyIndex.get(key);
    if (g === undefined) {
      g = groups++;
      keyIndex.set(key, g);
    }
    keyOf[i] = g;
  }
  const xs = readFloats(x);
  const sum = new Float64Array(groups);
  const count = new Float64Array(groups);
  for (let i = 0; i < total; i++) {
    sum[keyOf[i]] += xs[i];
    count[keyOf[i]]++;
  }
  const mean = sum.map((v, g) => v / count[g]);
  const sq = new Float64Array(groups);
  for (let i = 0; i < total; i++) sq[keyOf[i]] += (xs[i] - mean[keyOf[i]]) ** 2;
  const ys = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const g = keyOf[i];
    ys[i] = (xs[i] - mean[g]) / (Math.sqrt(sq[g] / count[g]) + 1e-9);
  }
  return floatTensor(x.dtype, x.dims, ys);
}

export function lpNormalization(x: Tensor, axis = -1, p = 2): Tensor {
  assertFloat(x, 'LpNormalization input');
  if (p !== 1 && p !== 2) throw new Error(`LpNormalization p = ${p} is not supported (only 1 and 2)`);
  const a = normAxis(axis, x.dims.length, 'LpNormalization');
  const len = x.dims[a];
  const inner = x.dims.slice(a + 1).reduce((s, v) => s * v, 1);
  const outer = x.dims.slice(0, a).reduce((s, v) => s * v, 1);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let acc = 0;
      for (let k = 0; k < len; k++) {
        const v = xs[base + k * inner];
        acc += p === 1 ? Math.abs(v) : v * v;
      }
      const norm = p === 1 ? acc : Math.sqrt(acc);
      for (let k = 0; k < len; k++) ys[base + k * inner] = norm === 0 ? 0 : xs[base + k * inner] / norm;
    }
  }
  return floatTensor(x.dtype, x.dims, ys);
}

export interface LrnParams {
  readonly size: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly bias?: number;
}

export function lrn(x: Tensor, p: LrnParams): Tensor {
  assertFloat(x, 'LRN input');
  if (x.dims.length < 3) throw new Error(`LRN input needs [N, C, D1, ...], got [${x.dims}]`);
  if (!Number.isInteger(p.size) || p.size < 1)
    throw new Error(`LRN size ${p.size} must be a positive integer`);
  const { alpha = 1e-4, beta = 0.75, bias = 1 } = p;
  const [n, c] = x.dims;
  const spatial = spatialSize(x.dims);
  const lo = Math.floor((p.size - 1) / 2);
  const hi = Math.ceil((p.size - 1) / 2);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const from = Math.max(0, ch - lo);
      const to = Math.min(c - 1, ch + hi);
      for (let s = 0; s < spatial; s++) {
        let sq = 0;
        for (let j = from; j <= to; j++) sq += xs[(b * c + j) * spatial + s] ** 2;
        const i = (b * c + ch) * spatial + s;
        ys[i] = xs[i] / (bias + (alpha / p.size) * sq) ** beta;
      }
    }
  }
  return floatTensor(x.dtype, x.dims, ys);
}
