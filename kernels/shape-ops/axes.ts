// Helpers shared by the data-movement refs: axis normalization and element copying by index.
import { allocData, type Tensor } from '../tensor.js';
import { elements } from './cast.ref.js';

/** An axis in [-rank, rank) as a non-negative axis; throws when out of range. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/** A new tensor of src's dtype and the given dims whose element i is src element map[i]. */
export function pickElements(src: Tensor, dims: readonly number[], map: ArrayLike<number>): Tensor {
  const out = allocData(src.dtype, map.length);
  const o = elements(out);
  const s = elements(src.data);
  for (let i = 0; i < map.length; i++) o[i] = s[map[i]];
  return { dtype: src.dtype, dims: [...dims], data: out };
}

/**
 * For an output of shape `outDims`, the flat source index of each element, where output index
 * (i0..ik) reads source offset `base + sum(i_d * srcStrides[d])`.
 */
export function stridedIndexMap(
  outDims: readonly number[],
  srcStrides: readonly number[],
  base = 0,
): Int32Array {
  let total = 1;
  for (const d of outDims) total *= d;
  const map = new Int32Array(total);
  if (total === 0) return map;
  const rank = outDims.length;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let k = 0; k < total; k++) {
    map[k] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      off += srcStrides[d];
      if (idx[d] < outDims[d]) break;
      off -= srcStrides[d] * idx[d];
      idx[d] = 0;
    }
  }
  return map;
}
