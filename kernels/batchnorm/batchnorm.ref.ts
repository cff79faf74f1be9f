// BatchNormalization in inference mode (every opset): y = (x - mean) / sqrt(var + eps) * scale + B,
// computed like onnxruntime as x * s' + b' with s' = scale / sqrt(var + eps), b' = B - mean * s',
// in float64. Parameters are per channel, or per (channel, spatial...) element for the opset 6-8
// `spatial = 0` form (detected from their size).
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
  const eps = Math.fround(epsilon);
  const s = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = params[0][i] / Math.sqrt(params[3][i] + eps);
    b[i] = params[1][i] - params[2][i] * s[i];
  }
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let k = 0; k < batch; k++) {
    for (let j = 0; j < perBatch; j++) {
      const p = Math.floor(j / spread);
      const i = k * perBatch + j;
      ys[i] = xs[i] * s[p] + b[p];
    }
  }
  return floatTensor(x.dtype, x.dims, ys);
}
