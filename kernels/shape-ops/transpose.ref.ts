// Transpose: output axis i is input axis perm[i]; without perm the axes are reversed (ONNX default).
import type { Tensor } from '../tensor.js';
import { pickElements, stridedIndexMap, stridesOf } from './axes.js';

export function transposeRef(x: Tensor, perm?: readonly number[]): Tensor {
  const rank = x.dims.length;
  const p = perm ?? x.dims.map((_, i) => rank - 1 - i);
  const seen = new Set(p);
  if (p.length !== rank || seen.size !== rank || p.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) {
    throw new Error(`Transpose perm [${p}] is not a permutation of ${rank} axes`);
  }
  const strides = stridesOf(x.dims);
  const outDims = p.map((a) => x.dims[a]);
  return pickElements(
    x,
    outDims,
    stridedIndexMap(
      outDims,
      p.map((a) => strides[a]),
    ),
  );
}
