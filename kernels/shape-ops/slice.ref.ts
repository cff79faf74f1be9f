// Slice with onnxruntime semantics: negative starts/ends count from the end, then clamp ([0, dim]
// for positive steps, [0, dim-1] / [-1, dim-1] for negative ones). An end of INT32_MAX or
// INT64_MAX means "no end" (numpy's None) in onnxruntime: with a negative step it runs to the
// first element, where the spec's clamping would stop at dim-1. Bounds arrive as numbers (INT64
// values keep their magnitude: INT64_MAX becomes 2^63). An empty range gives a zero-sized dim.
import type { Tensor } from '../tensor.js';
import { normalizeAxis, pickElements, stridedIndexMap, stridesOf } from './axes.js';

export interface AxisRange {
  readonly start: number;
  readonly step: number;
  readonly count: number;
}

/** The clamped start and element count of one sliced axis of size `dim`. */
export function sliceRange(dim: number, start: number, end: number, step: number): AxisRange {
  if (step === 0) throw new Error('Slice step cannot be 0');
  const noEnd = end === 2147483647 || end >= 2 ** 63 - 1;
  if (start < 0) start += dim;
  if (noEnd) end = step < 0 ? -1 : dim;
  else if (end < 0) end += dim;
  if (step > 0) {
    start = Math.min(Math.max(start, 0), dim);
    end = Math.min(Math.max(end, 0), dim);
  } else {
    start = Math.min(Math.max(start, 0), dim - 1);
    end = Math.min(Math.max(end, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  return { start, step, count };
}

export function sliceRef(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
): Tensor {
  const rank = x.dims.length;
  if (starts.length !== ends.length) throw new Error('Slice starts and ends differ in length');
  const ax = axes ?? starts.map((_, i) => i);
  if (ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw new Error('Slice starts, ends, axes and steps must have one length');
  }
  const ranges: AxisRange[] = x.dims.map((d) => ({ start: 0, step: 1, count: d }));
  const seen = new Set<number>();
  ax.forEach((a, i) => {
    const axis = normalizeAxis(a, rank, 'Slice axis');
    if (seen.has(axis)) throw new Error(`Slice axis ${axis} appears twice`);
    seen.add(axis);
    ranges[axis] = sliceRange(x.dims[axis], starts[i], ends[i], steps ? steps[i] : 1);
  });
  const strides = stridesOf(x.dims);
  const outDims = ranges.map((r) => r.count);
  const base = ranges.reduce((acc, r, d) => acc + (r.count > 0 ? r.start * strides[d] : 0), 0);
  return pickElements(
    x,
    outDims,
    stridedIndexMap(
      outDims,
      ranges.map((r, d) => r.step * strides[d]),
      base,
    ),
  );
}
