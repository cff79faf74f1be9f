// Ops that pick, reorder or re-frame elements: Compress, NonZero and Unique (output sizes that
// depend on the input's values), ReverseSequence and CenterCropPad. Element copies are exact for
// every dtype (typed arrays copied as they are).
import { allocData, elementAsNumber, isSmallFloatDType, sizeOf, type Tensor } from '../tensor.js';
import { normalizeAxis, stridesOf } from '../shape-ops/axes.js';
import { castRef, elements } from '../shape-ops/cast.ref.js';

/** The elements (axis undefined: of the flattened input) or slices along `axis` where condition is true. */
export function compressRef(x: Tensor, condition: Tensor, axis?: number): Tensor {
  const cond = condition.data;
  if (axis === undefined) {
    const s = elements(x.data);
    const keep: number[] = [];
    for (let i = 0; i < Math.min(cond.length, s.length); i++) if (cond[i]) keep.push(i);
    const out = allocData(x.dtype, keep.length);
    const o = elements(out);
    keep.forEach((k, j) => {
      o[j] = s[k];
    });
    return { dtype: x.dtype, dims: [keep.length], data: out };
  }
  const ax = normalizeAxis(axis, x.dims.length, 'Compress axis');
  const dim = x.dims[ax];
  if (cond.length > dim)
    throw new Error(`Compress condition has ${cond.length} values for an axis of ${dim}`);
  const keep: number[] = [];
  for (let i = 0; i < cond.length; i++) if (cond[i]) keep.push(i);
  const outer = sizeOf(x.dims.slice(0, ax));
  const inner = sizeOf(x.dims.slice(ax + 1));
  const outDims = [...x.dims];
  outDims[ax] = keep.length;
  const out = allocData(x.dtype, outer * keep.length * inner);
  const o = elements(out);
  const s = elements(x.data);
  let w = 0;
  for (let b = 0; b < outer; b++) {
    for (const k of keep) {
      const r = (b * dim + k) * inner;
      for (let j = 0; j < inner; j++) o[w++] = s[r + j];
    }
  }
  return { dtype: x.dtype, dims: outDims, data: out };
}

/** NonZero: int64 [rank, count], the coordinates of the non-zero elements in row-major order. */
export function nonZeroRef(x: Tensor): Tensor {
  const rank = x.dims.length;
  const s = x.data;
  const hits: number[] = [];
  // float16 is stored as bits: +-0 are 0x0000 / 0x8000; the narrow floats (bfloat16, float8 ...)
  // are codes too, decoded here (their -0 is not 0 either).
  const nonZero =
    x.dtype === 'float16'
      ? (i: number) => (s[i] as number) & 0x7fff
      : isSmallFloatDType(x.dtype)
        ? (i: number) => elementAsNumber(x, i) !== 0
        : (i: number) => s[i];
  for (let i = 0; i < s.length; i++) if (nonZero(i)) hits.push(i);
  const strides = stridesOf(x.dims);
  const out = new BigInt64Array(Math.max(rank, 1) * hits.length);
  if (rank === 0) {
    // A scalar: onnxruntime gives [1, count] with zeros.
    return { dtype: 'int64', dims: [1, hits.length], data: out };
  }
  hits.forEach((flat, j) => {
    let rest = flat;
    for (let d = 0; d < rank; d++) {
      out[d * hits.length + j] = BigInt(Math.floor(rest / strides[d]));
      rest %= strides[d];
    }
  });
  return { dtype: 'int64', dims: [rank, hits.length], data: out };
}

export interface UniqueResult {
  readonly y: Tensor;
  readonly indices: Tensor;
  readonly inverse: Tensor;
  readonly counts: Tensor;
}

/**
 * Unique over the flattened input (axis undefined) or over slices along `axis`. sorted: ascending
 * (slices compared lexicographically); else in order of first occurrence. indices: the first
 * occurrence of each unique value; inverse: for each input element / slice, its unique's position.
 */
export function uniqueRef(x: Tensor, axis: number | undefined, sorted: boolean): UniqueResult {
  if (x.dtype === 'float16' || isSmallFloatDType(x.dtype)) {
    // Codes neither order nor compare (-0, NaN) as their values do: work on the values, exactly.
    const r = uniqueRef(castRef(x, 'float32'), axis, sorted);
    return { ...r, y: castRef(r.y, x.dtype) };
  }
  const s = elements(x.data);
  const dims = axis === undefined ? [x.data.length] : x.dims;
  const ax = axis === undefined ? 0 : normalizeAxis(axis, x.dims.length, 'Unique axis');
  const dim = dims[ax];
  const outer = sizeOf(dims.slice(0, ax));
  const inner = sizeOf(dims.slice(ax + 1));
  /** Slice k's values, in (outer, inner) order. */
  const sliceOf = (k: number): (number | bigint)[] => {
    const v: (number | bigint)[] = [];
    for (let b = 0; b < outer; b++) for (let j = 0; j < inner; j++) v.push(s[(b * dim + k) * inner + j]);
    return v;
  };
  const slices = Array.from({ length: dim }, (_, k) => sliceOf(k));
  const compare = (a: (number | bigint)[], b: (number | bigint)[]): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  };
  const key = (v: (number | bigint)[]) => v.map((e) => (Object.is(e, -0) ? '0' : String(e))).join(',');
  const first = new Map<string, number>();
  const order: number[] = [];
  const countOf = new Map<string, number>();
  for (let k = 0; k < dim; k++) {
    const kk = key(slices[k]);
    if (!first.has(kk)) {
      first.set(kk, k);
      order.push(k);
    }
    countOf.set(kk, (countOf.get(kk) ?? 0) + 1);
  }
  if (sorted) order.sort((a, b) => compare(slices[a], slices[b]));
  const pos = new Map<string, number>(order.map((k, i) => [key(slices[k]), i]));
  const u = order.length;
  const outDims = [...dims];
  outDims[ax] = u;
  const yData = allocData(x.dtype, outer * u * inner);
  const o = elements(yData);
  order.forEach((k, i) => {
    const v = slices[k];
    let t = 0;
    for (let b = 0; b < outer; b++) for (let j = 0; j < inner; j++) o[(b * u + i) * inner + j] = v[t++];
  });
  const int64 = (vals: number[]): Tensor => ({
    dtype: 'int64',
    dims: [vals.length],
    data: BigInt64Array.from(vals, (v) => BigInt(v)),
  });
  return {
    y: { dtype: x.dtype, dims: outDims, data: yData },
    indices: int64(order),
    inverse: int64(slices.map((v) => pos.get(key(v))!)),
    counts: int64(order.map((k) => countOf.get(key(slices[k]))!)),
  };
}

/** ReverseSequence: reverses the first sequence_lens[b] steps along time_axis of each batch b. */
export function reverseSequenceRef(x: Tensor, lens: Tensor, batchAxis: number, timeAxis: number): Tensor {
  const rank = x.dims.length;
  if (rank < 2 || batchAxis === timeAxis || ![0, 1].includes(batchAxis) || ![0, 1].includes(timeAxis)) {
    throw new Error(`ReverseSequence batch_axis ${batchAxis} / time_axis ${timeAxis} must be 0 and 1`);
  }
  const batch = x.dims[batchAxis];
  const steps = x.dims[timeAxis];
  if (lens.data.length !== batch)
    throw new Error(`ReverseSequence has ${lens.data.length} lengths for ${batch} batches`);
  const strides = stridesOf(x.dims);
  const inner = sizeOf(x.dims.slice(2));
  const out = allocData(x.dtype, x.data.length);
  const o = elements(out);
  const s = elements(x.data);
  for (let b = 0; b < batch; b++) {
    const len = Number(lens.data[b]);
    if (len < 0 || len > steps)
      throw new Error(`ReverseSequence length ${len} is out of range [0, ${steps}]`);
    for (let t = 0; t < steps; t++) {
      const from = t < len ? len - 1 - t : t;
      const dst = b * strides[batchAxis] + t * strides[timeAxis];
      const src = b * strides[batchAxis] + from * strides[timeAxis];
      for (let j = 0; j < inner; j++) o[dst + j] = s[src + j];
    }
  }
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

/** CenterCropPad's output dims: `shape` on `axes` (all axes when absent). */
export function centerCropPadDims(
  dims: readonly number[],
  shape: readonly number[],
  axes?: readonly number[],
): number[] {
  const ax = (axes ?? dims.map((_, i) => i)).map((a) => normalizeAxis(a, dims.length, 'CenterCropPad axis'));
  if (shape.length !== ax.length)
    throw new Error(`CenterCropPad shape has ${shape.length} values for ${ax.length} axes`);
  const out = [...dims];
  ax.forEach((a, i) => {
    if (shape[i] < 0) throw new Error(`CenterCropPad shape ${shape[i]} is negative`);
    out[a] = shape[i];
  });
  return out;
}

/** CenterCropPad: crops (larger dims) or zero-pads (smaller) each axis about its center. */
export function centerCropPadRef(x: Tensor, shape: readonly number[], axes?: readonly number[]): Tensor {
  const outDims = centerCropPadDims(x.dims, shape, axes);
  const rank = x.dims.length;
  // Offset of the output's first element in input coordinates (negative: padding before).
  const offset = x.dims.map((d, i) =>
    d >= outDims[i] ? Math.floor((d - outDims[i]) / 2) : -Math.floor((outDims[i] - d) / 2),
  );
  const inStrides = stridesOf(x.dims);
  const total = sizeOf(outDims);
  const out = allocData(x.dtype, total);
  const o = elements(out);
  const s = elements(x.data);
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < total; k++) {
    let src = 0;
    let inside = true;
    for (let d = 0; d < rank; d++) {
      const c = coord[d] + offset[d];
      if (c < 0 || c >= x.dims[d]) inside = false;
      src += c * inStrides[d];
    }
    if (inside) o[k] = s[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < outDims[d]) break;
      coord[d] = 0;
    }
  }
  return { dtype: x.dtype, dims: outDims, data: out };
}
