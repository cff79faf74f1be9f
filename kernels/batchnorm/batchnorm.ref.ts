// BatchNormalization in inference mode (every opset): y = (x - mean) / sqrt(var + eps) * scale + B,
// computed like onnxruntime's CPU kernel (Eigen arrays, no FMA) as x * s' + b' with
// inv = 1 / sqrt(var + eps), s' = inv * scale, b' = B - mean * s', y = x * s' + b', each step
// rounded to float32 for float32 tensors: bit-exact with onnxruntime (float64 / float16 tensors:
// computed in float64, rounded once). Parameters are per channel, or per (channel, spatial...)
// element for the opset 6-8 `spatial = 0` form (detected from their size).
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';

export function batchNormalization(
  x: Tensor,
  scale: Tensor,
  bias: Tensor,
  mean: Tensor,
  variance: Tensor,
  epsilon = 1e-5,
): Tensor {
  assertFloat(x, 'BatchNormalization X');
  if (x.dims.length < 2) throw new Error(`BatchNormalization X needs [N, C, ...], got [${x.dims}]`);
  const batch = x.dims[0];
  const perBatch = x.dims.slice(1).reduce((a, b) => a * b, 1);
  const channels = x.dims[1];
  const params = [scale, bias, mean, variance].map(readFloats);
  const n = params[0].length;
  for (const p of params)
    if (p.length !== n) throw new Error('BatchNormalization scale, B, mean and var differ in size');
  // n === channels: one value per channel; n === perBatch: one per element of a sample (spatial=0).
  const spread = n === channels ? perBatch / channels : n === perBatch ? 1 : 0;
  if (!spread)
    throw new Error(`BatchNormalization parameters have ${n} values; X [${x.dims}] needs ${channels}`);
  const f = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const { s, b } = batchNormScaleShift(params[0], params[1], params[2], params[3], epsilon, f);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let k = 0; k < batch; k++) {
    for (let j = 0; j < perBatch; j++) {
      const p = Math.floor(j / spread);
      const i = k * perBatch + j;
      ys[i] = f(f(xs[i] * s[p]) + b[p]);
    }
  }
  return floatTensor(x.dtype, x.dims, ys);
}

/**
 * The per-channel multiplier s' and shift b' of y = x * s' + b', in onnxruntime's order with every
 * step rounded by `round` (Math.fround for float32; shared with the WebGPU lowering).
 */
export function batchNormScaleShift(
  scale: ArrayLike<number>,
  bias: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  epsilon: number,
  round: (v: number) => number = Math.fround,
): { s: Float64Array; b: Float64Array } {
  const eps = Math.fround(epsilon);
  const n = scale.length;
  const s = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const inv = round(1 / round(Math.sqrt(round(variance[i] + eps))));
    s[i] = round(inv * scale[i]);
    b[i] = round(bias[i] - round(mean[i] * s[i]));
  }
  return { s, b };
}

/**
 * BatchNormalization in training mode (opset 14+): Y normalized with the batch's own per-channel
 * mean and population variance (over N and the spatial axes), and the running statistics
 * `input * momentum + batch * (1 - momentum)`, as ONNX's reference. Sums in float64.
 */
export function batchNormalizationTraining(
  x: Tensor,
  scale: Tensor,
  bias: Tensor,
  mean: Tensor,
  variance: Tensor,
  epsilon = 1e-5,
  momentum = 0.9,
): { y: Tensor; runningMean: Tensor; runningVar: Tensor } {
  assertFloat(x, 'BatchNormalization X');
  if (x.dims.length < 2) throw new Error(`BatchNormalization X needs [N, C, ...], got [${x.dims}]`);
  const [batch, channels] = x.dims;
  const spatial = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const count = batch * spatial;
  const xs = readFloats(x);
  const batchMean = new Float64Array(channels);
  const batchVar = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let k = 0; k < batch; k++)
      for (let j = 0; j < spatial; j++) sum += xs[(k * channels + c) * spatial + j];
    const m = sum / count;
    let sq = 0;
    for (let k = 0; k < batch; k++)
      for (let j = 0; j < spatial; j++) sq += (xs[(k * channels + c) * spatial + j] - m) ** 2;
    batchMean[c] = m;
    batchVar[c] = sq / count;
  }
  const [s, b, m0, v0] = [scale, bias, mean, variance].map(readFloats);
  for (const p of [s, b, m0, v0])
    if (p.length !== channels)
      throw new Error(`BatchNormalization parameters have ${p.length} values; X needs ${channels}`);
  const ys = new Float64Array(xs.length);
  for (let k = 0; k < batch; k++)
    for (let c = 0; c < channels; c++) {
      const inv = 1 / Math.sqrt(batchVar[c] + epsilon);
      for (let j = 0; j < spatial; j++) {
        const i = (k * channels + c) * spatial + j;
        ys[i] = (xs[i] - batchMean[c]) * inv * s[c] + b[c];
      }
    }
  const running = (old: ArrayLike<number>, now: Float64Array) =>
    floatTensor(
      mean.dtype,
      [channels],
      Float64Array.from(now, (v, c) => old[c] * momentum + v * (1 - momentum)),
    );
  return {
    y: floatTensor(x.dtype, x.dims, ys),
    runningMean: running(m0, batchMean),
    runningVar: running(v0, batchVar),
  };
}
