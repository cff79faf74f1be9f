// LayerNormalization (opset 17) and RMSNormalization (opset 23) references. Both see X as
// [outer, cols] with cols = prod(dims[axis:]) and normalize each row:
//   LayerNorm: y = (x - mean) / sqrt(var + eps) * scale + B   (var: population variance)
//   RMSNorm:   y = x / sqrt(mean(x^2) + eps) * scale
// Scale and B broadcast unidirectionally to X (numpy rules). Computed in float64 and rounded once
// to the output's float type (onnxruntime's float32 kernels agree to ~1e-6 relative). Not its exact
// bits: probing onnxruntime-node 1.30 shows its row sums vectorized (8 lanes, two accumulators,
// then a scalar tail; rows shorter than a vector summed in order), and where the vector part starts
// follows each row's memory alignment, so its order is not a function of the values alone. The
// optional
// Mean and InvStdDev outputs of LayerNorm have X's leading dims and 1s from `axis` on, in float32
// (stash_type 1, the only stash type implemented).
import { broadcastIndexMap } from '../broadcast/broadcast.js';
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';

/** `axis` in [0, rank): negative values count from the end. */
export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${what} axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Rows and row length of X seen as [prod(dims[:axis]), prod(dims[axis:])]. */
export function rowsCols(dims: readonly number[], axis: number): { rows: number; cols: number } {
  const prod = (d: readonly number[]) => d.reduce((s, v) => s * v, 1);
  return { rows: prod(dims.slice(0, axis)), cols: prod(dims.slice(axis)) };
}

/** The values of `p` broadcast unidirectionally to `dims` (fails naming `what` when it cannot). */
export function expandTo(p: Tensor, dims: readonly number[], what: string): Float64Array {
  if (p.dims.length > dims.length) throw new Error(`${what} [${p.dims}] has a higher rank than X [${dims}]`);
  for (let i = 0; i < p.dims.length; i++) {
    const d = p.dims[i];
    const x = dims[dims.length - p.dims.length + i];
    if (d !== 1 && d !== x) throw new Error(`${what} [${p.dims}] does not broadcast to X [${dims}]`);
  }
  const src = readFloats(p);
  const map = broadcastIndexMap(p.dims, dims);
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = src[map[i]];
  return out;
}

export interface LayerNormResult {
  readonly y: Tensor;
  /** Per-row mean, dims [...X.dims[:axis], 1...], float32. */
  readonly mean: Tensor;
  /** Per-row 1 / sqrt(var + eps), same dims as `mean`. */
  readonly invStdDev: Tensor;
}

export function layerNormalization(
  x: Tensor,
  scale: Tensor,
  bias: Tensor | undefined,
  axis = -1,
  epsilon = 1e-5,
): LayerNormResult {
  assertFloat(x, 'LayerNormalization X');
  const a = normAxis(axis, x.dims.length, 'LayerNormalization');
  const { rows, cols } = rowsCols(x.dims, a);
  const s = expandTo(scale, x.dims, 'LayerNormalization Scale');
  const b = bias ? expandTo(bias, x.dims, 'LayerNormalization B') : undefined;
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  const means = new Float64Array(rows);
  const invs = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let k = 0; k < cols; k++) sum += xs[base + k];
    const mean = sum / cols;
    let sq = 0;
    for (let k = 0; k < cols; k++) sq += (xs[base + k] - mean) ** 2;
    const inv = 1 / Math.sqrt(sq / cols + epsilon);
    means[r] = mean;
    invs[r] = inv;
    for (let k = 0; k < cols; k++) {
      const i = base + k;
      ys[i] = (xs[i] - mean) * inv * s[i] + (b ? b[i] : 0);
    }
  }
  const statDims = x.dims.map((d, i) => (i < a ? d : 1));
  return {
    y: floatTensor(x.dtype, x.dims, ys),
    mean: floatTensor('float32', statDims, means),
    invStdDev: floatTensor('float32', statDims, invs),
  };
}

/** RMSNormalization; Y has the scale's float type (V in the schema). */
export function rmsNormalization(x: Tensor, scale: Tensor, axis = -1, epsilon = 1e-5): Tensor {
  assertFloat(x, 'RMSNormalization X');
  assertFloat(scale, 'RMSNormalization scale');
  const a = normAxis(axis, x.dims.length, 'RMSNormalization');
  const { rows, cols } = rowsCols(x.dims, a);
  const s = expandTo(scale, x.dims, 'RMSNormalization scale');
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sq = 0;
    for (let k = 0; k < cols; k++) sq += xs[base + k] * xs[base + k];
    const inv = 1 / Math.sqrt(sq / cols + epsilon);
    for (let k = 0; k < cols; k++) ys[base + k] = xs[base + k] * inv * s[base + k];
  }
  return floatTensor(scale.dtype, x.dims, ys);
}
