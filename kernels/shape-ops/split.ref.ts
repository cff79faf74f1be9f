// Split along an axis into given sizes, or into equal parts (onnxruntime: the last part is
// smaller when num_outputs does not divide the dimension, opset 18).
import type { Tensor } from '../tensor.js';
import { normalizeAxis } from './axes.js';
import { sliceRef } from './slice.ref.js';

/**
 * Sizes of the parts: `split` when given (must sum to the dimension), otherwise `parts` chunks of
 * ceil(dim / parts), the last one taking what is left. `evenOnly` (before opset 18) refuses a
 * dimension that `parts` does not divide.
 */
export function splitSizes(
  dim: number,
  parts: number,
  split?: readonly number[],
  evenOnly = false,
): number[] {
  if (split) {
    const total = split.reduce((a, b) => a + b, 0);
    if (split.some((s) => s < 0) || total !== dim) {
      throw new Error(`Split sizes [${split}] do not add up to the dimension ${dim}`);
    }
    return [...split];
  }
  if (parts < 1) throw new Error('Split needs at least one output');
  if (evenOnly && dim % parts !== 0) throw new Error(`Split of dimension ${dim} into ${parts} equal parts`);
  const chunk = Math.ceil(dim / parts);
  const sizes = Array.from({ length: parts }, (_, i) => Math.min(chunk, Math.max(0, dim - i * chunk)));
  if (sizes[parts - 1] <= 0 && dim > 0) {
    throw new Error(`Split of dimension ${dim} into ${parts} parts leaves an empty last part`);
  }
  return sizes;
}

export function splitRef(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const ax = normalizeAxis(axis, x.dims.length, 'Split axis');
  let start = 0;
  return sizes.map((s) => {
    const part = sliceRef(x, [start], [start + s], [ax]);
    start += s;
    return part;
  });
}
