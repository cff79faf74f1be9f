// ReduceMean reference: sums in float64, divided once, rounded once to the tensor's float type.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';

export interface ReduceParams {
  /** Axes to reduce (negative counts from the end); empty or undefined means all, unless noop. */
  readonly axes?: readonly number[];
  readonly keepdims?: boolean;
  /** Opset 18+: with no axes, return the input unchanged instead of reducing everything. */
  readonly noopWithEmptyAxes?: boolean;
}

export function reduceMean(x: Tensor, p: ReduceParams = {}): Tensor {
  assertFloat(x, 'ReduceMean input');
  const rank = x.dims.length;
  const keepdims = p.keepdims ?? true;
  if (!p.axes?.length && p.noopWithEmptyAxes) return floatTensor(x.dtype, x.dims, readFloats(x));
  const reduced = new Array<boolean>(rank).fill(!p.axes?.length);
  for (const axis of p.axes ?? []) {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new Error(`ReduceMean axis ${axis} is out of range for rank ${rank}`);
    reduced[a] = true;
  }
  const outDimsKeep = x.dims.map((d, i) => (reduced[i] ? 1 : d));
  const outSize = outDimsKeep.reduce((a, b) => a * b, 1);
  // Output strides with zero on reduced axes: every input element finds its output slot directly.
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = reduced[i] ? 0 : s;
    s *= outDimsKeep[i];
  }
  const xs = readFloats(x);
  const sums = new Float64Array(outSize);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < xs.length; i++) {
    sums[o] += xs[i];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      o += outStrides[a];
      if (idx[a] < x.dims[a]) break;
      o -= outStrides[a] * idx[a];
      idx[a] = 0;
    }
  }
  const count = x.dims.reduce((acc, d, i) => (reduced[i] ? acc * d : acc), 1);
  for (let i = 0; i < outSize; i++) sums[i] = count > 0 ? sums[i] / count : Number.NaN;
  const outDims = keepdims ? outDimsKeep : x.dims.filter((_, i) => !reduced[i]);
  return floatTensor(x.dtype, outDims, sums);
}
