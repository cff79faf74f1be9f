// Softmax on bfloat16 as ONNX's reference computes it with numpy on ml_dtypes.bfloat16: every
// numpy step rounds to bfloat16 (x - max, exp, each partial sum of the row in index order, the
// division), so one float32 softmax rounded at the end would differ in the last bit.
import { decodeSmallFloat, encodeSmallFloat } from '../dtypes/small-floats.js';
import { castRef } from '../shape-ops/cast.ref.js';
import type { Tensor } from '../tensor.js';

const round = (v: number) => decodeSmallFloat('bfloat16', encodeSmallFloat('bfloat16', v));

export function softmaxBfloat16Ref(x: Tensor, axisIn: number): Tensor {
  if (x.dtype !== 'bfloat16') throw new Error(`expected bfloat16, got ${x.dtype}`);
  const rank = x.dims.length;
  const axis = axisIn < 0 ? axisIn + rank : axisIn;
  if (axis < 0 || axis >= rank) throw new Error(`Softmax axis ${axisIn} is out of range for rank ${rank}`);
  const xs = castRef(x, 'float32').data as Float32Array;
  const n = x.dims[axis];
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(xs.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * n + k) * inner + i;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) max = xs[at(k)] > max || Number.isNaN(xs[at(k)]) ? xs[at(k)] : max;
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const e = round(Math.exp(round(xs[at(k)] - max)));
        out[at(k)] = e;
        sum = k === 0 ? e : round(sum + e);
      }
      for (let k = 0; k < n; k++) out[at(k)] = round(out[at(k)] / sum);
    }
  return castRef({ dtype: 'float64', dims: [...x.dims], data: out }, 'bfloat16');
}
