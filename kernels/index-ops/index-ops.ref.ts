// References of small index and selection ops: Range, Trilu, CumSum / CumProd, OneHot, EyeLike,
// Hardmax, IsInf / IsNaN and TopK. Float arithmetic happens in the tensor's own type (float32
// results rounded at every step, as onnxruntime's loops), integers exactly (int64 as bigint).
import { floatTensor, isFloatDType, readFloats } from '../activation/float-io.js';
import { normalizeAxis } from '../shape-ops/axes.js';
import { castRef } from '../shape-ops/cast.ref.js';
import { allocData, type DType, isBigIntDType, type Tensor } from '../tensor.js';

type Num = number | bigint;

/** Reads element i as number or bigint (int64/uint64), floats decoded. */
function reader(t: Tensor): (i: number) => Num {
  if (isFloatDType(t.dtype)) {
    const f = readFloats(t);
    return (i) => f[i];
  }
  return (i) => t.data[i] as Num;
}

/** Rounds to the dtype's float precision (float32/float16 results stored per step). */
function rounder(dtype: DType): (v: number) => number {
  return dtype === 'float64' ? (v) => v : Math.fround;
}

/**
 * Range(start, limit, delta): max(ceil((limit - start) / delta), 0) values start, start + delta,
 * ... accumulated in the type (onnxruntime adds delta to the running value).
 */
export function rangeRef(start: Tensor, limit: Tensor, delta: Tensor): Tensor {
  const dtype = start.dtype;
  if (dtype === 'bfloat16') {
    // As stash_type 1 (opset 27): computed in float32, the result cast back.
    const f = (t: Tensor) => castRef(t, 'float32');
    return castRef(rangeRef(f(start), f(limit), f(delta)), 'bfloat16');
  }
  if (isBigIntDType(dtype)) {
    const s = start.data[0] as bigint;
    const l = limit.data[0] as bigint;
    const d = delta.data[0] as bigint;
    if (d === 0n) throw new Error('Range delta must not be 0');
    const span = l - s;
    let n = span / d + (span % d !== 0n && span > 0n === d > 0n ? 1n : 0n);
    if (n < 0n) n = 0n;
    const out = allocData(dtype, Number(n)) as BigInt64Array;
    for (let i = 0; i < out.length; i++) out[i] = s + BigInt(i) * d;
    return { dtype, dims: [out.length], data: out };
  }
  const f = isFloatDType(dtype) ? rounder(dtype) : (v: number) => v;
  const s = Number(reader(start)(0));
  const l = Number(reader(limit)(0));
  const d = Number(reader(delta)(0));
  if (d === 0) throw new Error('Range delta must not be 0');
  const n = Math.max(Math.ceil(f(l - s) / d), 0);
  if (!Number.isFinite(n) || n > 2 ** 31) throw new Error(`Range would have ${n} elements`);
  const values = new Float64Array(n);
  let v = s;
  for (let i = 0; i < n; i++) {
    values[i] = v;
    v = f(v + d);
  }
  if (isFloatDType(dtype)) return floatTensor(dtype, [n], values);
  const out = allocData(dtype, n) as Int32Array;
  out.set(values);
  return { dtype, dims: [n], data: out };
}

/** Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two axes. */
export function triluRef(x: Tensor, k: number, upper: boolean): Tensor {
  const rank = x.dims.length;
  if (rank < 2) throw new Error(`Trilu needs rank 2 or more, got ${rank}`);
  const rows = x.dims[rank - 2];
  const cols = x.dims[rank - 1];
  const out = allocData(x.dtype, x.data.length);
  const src = x.data as Int32Array;
  const dst = out as Int32Array;
  for (let i = 0; i < src.length; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols) % rows;
    const keep = upper ? c - r >= k : c - r <= k;
    if (keep) dst[i] = src[i];
  }
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

/** CumSum / CumProd along `axis`, optionally exclusive and/or reversed. */
export function cumulativeRef(
  x: Tensor,
  axisIn: number,
  exclusive: boolean,
  reverse: boolean,
  product: boolean,
): Tensor {
  const rank = x.dims.length;
  const axis = normalizeAxis(axisIn, rank);
  const len = x.dims[axis];
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const get = reader(x);
  const big = isBigIntDType(x.dtype);
  const float = isFloatDType(x.dtype);
  const f = float ? rounder(x.dtype) : (v: number) => v;
  const values: Num[] = new Array(x.data.length);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let acc: Num = big ? (product ? 1n : 0n) : product ? 1 : 0;
      for (let t = 0; t < len; t++) {
        const a = reverse ? len - 1 - t : t;
        const i = (o * len + a) * inner + j;
        const v = get(i);
        if (exclusive) values[i] = acc;
        if (big) acc = product ? (acc as bigint) * (v as bigint) : (acc as bigint) + (v as bigint);
        else acc = f(product ? (acc as number) * (v as number) : (acc as number) + (v as number));
        if (!exclusive) values[i] = acc;
      }
    }
  if (float) return floatTensor(x.dtype, x.dims, values as number[]);
  const out = allocData(x.dtype, values.length);
  for (let i = 0; i < values.length; i++) (out as unknown as Num[])[i] = values[i];
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

/** OneHot(indices, depth, values=[off, on]) with the new axis at `axis`; negative indices count from depth. */
export function oneHotRef(indices: Tensor, depth: number, values: Tensor, axisIn: number): Tensor {
  if (!(depth >= 1) || !Number.isInteger(depth))
    throw new Error(`OneHot depth must be a positive integer, got ${depth}`);
  if (values.data.length !== 2)
    throw new Error(`OneHot values must have 2 elements, got ${values.data.length}`);
  const rank = indices.dims.length + 1;
  const axis = normalizeAxis(axisIn, rank);
  const dims = [...indices.dims.slice(0, axis), depth, ...indices.dims.slice(axis)];
  const inner = indices.dims.slice(axis).reduce((a, b) => a * b, 1);
  const outer = indices.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = allocData(values.dtype, outer * depth * inner);
  const [off, on] = [values.data[0], values.data[1]];
  (out as unknown as Num[]).fill(off as never);
  const get = reader(indices);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let k = Math.trunc(Number(get(o * inner + j)));
      if (k < 0) k += depth;
      if (k >= 0 && k < depth) (out as unknown as Num[])[(o * depth + k) * inner + j] = on;
    }
  return { dtype: values.dtype, dims, data: out };
}

/** EyeLike: ones on the k-th diagonal of a 2-D tensor of x's shape. */
export function eyeLikeRef(dims: readonly number[], dtype: DType, k: number): Tensor {
  if (dims.length !== 2) throw new Error(`EyeLike needs a 2-D input, got rank ${dims.length}`);
  const [rows, cols] = dims;
  const out = allocData(dtype, rows * cols);
  for (let r = 0; r < rows; r++) {
    const c = r + k;
    if (c >= 0 && c < cols) (out as unknown as Num[])[r * cols + c] = isBigIntDType(dtype) ? 1n : 1;
  }
  return { dtype, dims: [...dims], data: out };
}

/**
 * Hardmax: 1 at the first maximum of each slice, 0 elsewhere. Opset 13+: slices along `axis`;
 * before, the input is coerced to 2-D at `axis` and each row is a slice.
 */
export function hardmaxRef(x: Tensor, axisIn: number, legacy: boolean): Tensor {
  const rank = x.dims.length;
  const axis = normalizeAxis(axisIn, rank);
  const len = legacy ? x.dims.slice(axis).reduce((a, b) => a * b, 1) : x.dims[axis];
  const inner = legacy ? 1 : x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.data.length / Math.max(len * inner, 1);
  const v = readFloats(x);
  const ys = new Float64Array(v.length);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let best = -1;
      for (let t = 0; t < len; t++) {
        const i = (o * len + t) * inner + j;
        if (best < 0 || v[i] > v[best]) best = i;
      }
      if (best >= 0) ys[best] = 1;
    }
  return floatTensor(x.dtype, x.dims, ys);
}

/** IsInf (detect_positive / detect_negative) or IsNaN, as bool. */
export function isInfNanRef(x: Tensor, test: 'nan' | { positive: boolean; negative: boolean }): Tensor {
  const v = readFloats(x);
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const a = v[i];
    out[i] =
      test === 'nan'
        ? Number.isNaN(a)
          ? 1
          : 0
        : (test.positive && a === Number.POSITIVE_INFINITY) ||
            (test.negative && a === Number.NEGATIVE_INFINITY)
          ? 1
          : 0;
  }
  return { dtype: 'bool', dims: [...x.dims], data: out };
}

/**
 * TopK along `axis`: the k largest (or smallest) values and their int64 indices, sorted; equal
 * values keep the lower index first (onnxruntime). NaN counts as larger than every number.
 */
export function topKRef(
  x: Tensor,
  k: number,
  axisIn: number,
  largest: boolean,
): { values: Tensor; indices: Tensor } {
  const rank = x.dims.length;
  const axis = normalizeAxis(axisIn, rank);
  const len = x.dims[axis];
  if (!(k >= 0 && k <= len)) throw new Error(`TopK k = ${k} is out of range for axis length ${len}`);
  const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const dims = [...x.dims];
  dims[axis] = k;
  const get = reader(x);
  const picked: number[] = new Array(outer * k * inner);
  const key = (v: Num) => (typeof v === 'number' && Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const idx = Array.from({ length: len }, (_, t) => t);
      const at = (t: number) => get((o * len + t) * inner + j);
      idx.sort((p, q) => {
        const a = at(p);
        const b = at(q);
        const an = typeof a === 'number' && Number.isNaN(a);
        const bn = typeof b === 'number' && Number.isNaN(b);
        if (an !== bn) return largest ? (an ? -1 : 1) : an ? 1 : -1;
        const ka = key(a);
        const kb = key(b);
        if (ka === kb || an) return p - q;
        return ka > kb === largest ? -1 : 1;
      });
      for (let t = 0; t < k; t++) picked[(o * k + t) * inner + j] = (o * len + idx[t]) * inner + j;
    }
  const out = allocData(x.dtype, picked.length);
  for (let i = 0; i < picked.length; i++) (out as unknown as Num[])[i] = x.data[picked[i]] as Num;
  const indices = new BigInt64Array(picked.length);
  for (let i = 0; i < picked.length; i++) {
    const flat = picked[i];
    indices[i] = BigInt(Math.floor(flat / inner) % len);
  }
  return { values: { dtype: x.dtype, dims, data: out }, indices: { dtype: 'int64', dims, data: indices } };
}
