// ReduceSum, ReduceMean, ReduceL1, ReduceSumSquare and ReduceProd on bfloat16 as ONNX's reference
// computes them with numpy on ml_dtypes.bfloat16: np.sum / np.prod accumulate in bfloat16, one
// rounding per term, in the input's row-major order (checked against numpy on random shapes and
// axis sets); np.square rounds each square; np.mean divides the bfloat16 sum and rounds again.
import { decodeSmallFloat, encodeSmallFloat } from '../dtypes/small-floats.js';
import { castRef } from '../shape-ops/cast.ref.js';
import type { Tensor } from '../tensor.js';
import { type ReduceAxes, reduceGeometry } from './reduce.ref.js';

const round = (v: number) => decodeSmallFloat('bfloat16', encodeSmallFloat('bfloat16', v));

export type Bfloat16Reduction = 'ReduceSum' | 'ReduceMean' | 'ReduceL1' | 'ReduceSumSquare' | 'ReduceProd';

export function reduceBfloat16Ref(name: Bfloat16Reduction, x: Tensor, p: ReduceAxes): Tensor {
  const xs = castRef(x, 'float32').data as Float32Array;
  const { reduced, outDims } = reduceGeometry(x.dims, p);
  const rank = x.dims.length;
  // Output strides over the kept axes (0 for reduced ones): input flat index -> output index.
  const outStride = new Array<number>(rank).fill(0);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--)
    if (!reduced[a]) {
      outStride[a] = s;
      s *= x.dims[a];
    }
  const outCount = s;
  const acc = new Float64Array(outCount);
  const seen = new Uint32Array(outCount);
  const idx = new Array<number>(rank).fill(0);
  const term = (v: number) =>
    name === 'ReduceL1' ? Math.abs(v) : name === 'ReduceSumSquare' ? round(v * v) : v;
  for (let i = 0; i < xs.length; i++) {
    let o = 0;
    for (let a = 0; a < rank; a++) o += idx[a] * outStride[a];
    const t = term(xs[i]);
    acc[o] = seen[o] === 0 ? t : round(name === 'ReduceProd' ? acc[o] * t : acc[o] + t);
    seen[o]++;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < x.dims[a]) break;
      idx[a] = 0;
    }
  }
  for (let o = 0; o < outCount; o++) {
    // An empty group (a zero-size reduced axis) gives the identity: 1 for products, else 0.
    if (seen[o] === 0) acc[o] = name === 'ReduceProd' ? 1 : name === 'ReduceMean' ? Number.NaN : 0;
    else if (name === 'ReduceMean') acc[o] = round(acc[o] / seen[o]);
  }
  return castRef({ dtype: 'float64', dims: outDims, data: acc }, 'bfloat16');
}
