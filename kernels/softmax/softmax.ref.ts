// Softmax and LogSoftmax references. Opset 13+ normalizes along one axis; opsets 1-12 flatten the
// input to 2-D at `axis` ([prod(dims[:axis]), prod(dims[axis:])]) and normalize each row. Float64
// throughout, with the row maximum subtracted so exp never overflows; LogSoftmax is
// x - max - log(sum(exp(x - max))).
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/**
 * @param axis the softmax axis (negative counts from the end)
 * @param coerceTo2d true for opset < 13: everything from `axis` on is one row
 */
export function softmax(x: Tensor, axis: number, coerceTo2d = false): Tensor {
  return softmaxLike(x, axis, coerceTo2d, false);
}

/** LogSoftmax, with Softmax's axis rules. */
export function logSoftmax(x: Tensor, axis: number, coerceTo2d = false): Tensor {
  return softmaxLike(x, axis, coerceTo2d, true);
}

function softmaxLike(x: Tensor, axis: number, coerceTo2d: boolean, log: boolean): Tensor {
  assertFloat(x, log ? 'LogSoftmax input' : 'Softmax input');
  const rank = x.dims.length;
  if (rank === 0) return floatTensor(x.dtype, x.dims, [log ? 0 : 1]);
  const a = coerceTo2d && axis === rank ? rank : normalizeAxis(axis, rank);
  const outer = x.dims.slice(0, a).reduce((p, d) => p * d, 1);
  // inner: elements after the axis that are NOT part of the normalized group (stride of the axis).
  const len = coerceTo2d ? x.dims.slice(a).reduce((p, d) => p * d, 1) : x.dims[a];
  const inner = coerceTo2d ? 1 : x.dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < len; k++) max = Math.max(max, xs[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) {
        const e = Math.exp(xs[base + k * inner] - max);
        ys[base + k * inner] = e;
        sum += e;
      }
      if (log) {
        const shift = max + Math.log(sum);
        for (let k = 0; k < len; k++) ys[base + k * inner] = xs[base + k * inner] - shift;
      } else {
        for (let k = 0; k < len; k++) ys[base + k * inner] /= sum;
      }
    }
  }
  return floatTensor(x.dtype, x.dims, ys);
}
