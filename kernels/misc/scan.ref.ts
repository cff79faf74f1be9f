// Ordering and scan refs: CumSum / CumProd, TopK, Hardmax, IsInf / IsNaN and GlobalMaxPool.
// Integer dtypes run in exact integer arithmetic (BigInt for int64, wrapping to the type for the
// narrower ones as the typed arrays store them); floats run in float64 and round once.
import { elements } from '../shape-ops/cast.ref.js';
import { normalizeAxis } from '../shape-ops/axes.js';
import { allocData, elementAsNumber, isBigIntDType, numberToFloat16Bits, type Tensor } from '../tensor.js';

const INT_BITS: Partial<Record<Tensor['dtype'], { bits: number; signed: boolean }>> = {
  int8: { bits: 8, signed: true },
  uint8: { bits: 8, signed: false },
  int16: { bits: 16, signed: true },
  uint16: { bits: 16, signed: false },
  int32: { bits: 32, signed: true },
  uint32: { bits: 32, signed: false },
  int64: { bits: 64, signed: true },
  uint64: { bits: 64, signed: false },
};

function splitAt(dims: readonly number[], a: number): { outer: number; len: number; inner: number } {
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  return { outer, len: dims[a], inner };
}

/** Writes a float64 value into element i of a tensor's data in its own dtype. */
function store(t: Tensor, i: number, v: number): void {
  const o = elements(t.data);
  o[i] = t.dtype === 'float16' ? numberToFloat16Bits(v) : v;
}

/**
 * CumSum / CumProd along `axis`: exclusive starts from the identity (0 / 1) and leaves out the
 * element itself; reverse scans from the end.
 */
export function cumulativeRef(
  x: Tensor,
  axisValue: number,
  exclusive: boolean,
  reverse: boolean,
  product: boolean,
): Tensor {
  const a = normalizeAxis(axisValue, x.dims.length);
  const { outer, len, inner } = splitAt(x.dims, a);
  const out: Tensor = { dtype: x.dtype, dims: [...x.dims], data: allocData(x.dtype, x.data.length) };
  const intBits = INT_BITS[x.dtype];
  const src = elements(x.data);
  const dst = elements(out.data);
  for (let p = 0; p < outer; p++)
    for (let q = 0; q < inner; q++) {
      // Integers accumulate in BigInt wrapped to the type's width (exact, as onnxruntime's
      // wrapping C++ arithmetic); floats in float64, rounded once per element.
      let accB = product ? 1n : 0n;
      let accN = product ? 1 : 0;
      for (let s = 0; s < len; s++) {
        const j = reverse ? len - 1 - s : s;
        const i = (p * len + j) * inner + q;
        if (intBits) {
          const before = accB;
          const v = BigInt(src[i]);
          const next = product ? accB * v : accB + v;
          accB = intBits.signed ? BigInt.asIntN(intBits.bits, next) : BigInt.asUintN(intBits.bits, next);
          const shown = exclusive ? before : accB;
          dst[i] = isBigIntDType(x.dtype) ? shown : Number(shown);
        } else {
          const before = accN;
          const v = elementAsNumber(x, i);
          accN = product ? accN * v : accN + v;
          store(out, i, exclusive ? before : accN);
        }
      }
    }
  return out;
}

/**
 * TopK along `axis`: the k largest (or smallest) values with their int64 indices. Ties keep the
 * smaller index first (onnxruntime's order with sorted = 1). With sorted = 0 the spec leaves the
 * order open: we still sort, while onnxruntime returns the same elements in its nth_element
 * order (checked: same set, different order), so compare such outputs as sets.
 */
export function topKRef(x: Tensor, k: number, axisValue: number, largest: boolean): [Tensor, Tensor] {
  const a = normalizeAxis(axisValue, x.dims.length);
  const { outer, len, inner } = splitAt(x.dims, a);
  if (!(k >= 0 && k <= len)) throw new Error(`TopK k = ${k} is out of range for axis of size ${len}`);
  const outDims = x.dims.map((d, i) => (i === a ? k : d));
  const n = outer * k * inner;
  const values: Tensor = { dtype: x.dtype, dims: outDims, data: allocData(x.dtype, n) };
  const indices = new BigInt64Array(n);
  const src = elements(x.data);
  const dst = elements(values.data);
  const key = (i: number) => (isBigIntDType(x.dtype) ? (src[i] as bigint) : elementAsNumber(x, i));
  const order = new Array<number>(len);
  for (let p = 0; p < outer; p++)
    for (let q = 0; q < inner; q++) {
      for (let j = 0; j < len; j++) order[j] = j;
      const at = (j: number) => (p * len + j) * inner + q;
      order.sort((u, v) => {
        const ku = key(at(u));
        const kv = key(at(v));
        // Equal values, and NaNs among themselves, keep index order (a consistent comparator).
        if (ku === kv || (Number.isNaN(ku as number) && Number.isNaN(kv as number))) return u - v;
        // NaN counts as the largest value, as in onnxruntime's comparator for floats.
        const greater = Number.isNaN(ku as number) || (!Number.isNaN(kv as number) && ku > kv);
        return largest === greater ? -1 : 1;
      });
      for (let r = 0; r < k; r++) {
        const o = (p * k + r) * inner + q;
        dst[o] = src[at(order[r])];
        indices[o] = BigInt(order[r]);
      }
    }
  return [values, { dtype: 'int64', dims: outDims, data: indices }];
}

/**
 * Hardmax: 1 at the first maximum of each row, 0 elsewhere. Opsets < 13 flatten the input to 2-D
 * at `axis` (rows of prod(dims[axis:])); from 13 the row is one axis.
 */
export function hardmaxRef(x: Tensor, axisValue: number, coerceTo2d: boolean): Tensor {
  const rank = x.dims.length;
  const a = coerceTo2d && axisValue === rank ? rank : normalizeAxis(axisValue, rank);
  const outer = x.dims.slice(0, a).reduce((p, d) => p * d, 1);
  const len = coerceTo2d ? x.dims.slice(a).reduce((p, d) => p * d, 1) : x.dims[a];
  const inner = coerceTo2d ? 1 : x.dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const out: Tensor = { dtype: x.dtype, dims: [...x.dims], data: allocData(x.dtype, x.data.length) };
  for (let p = 0; p < outer; p++)
    for (let q = 0; q < inner; q++) {
      let best = -1;
      let bestV = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < len; j++) {
        const v = elementAsNumber(x, (p * len + j) * inner + q);
        if (best < 0 || v > bestV) {
          best = j;
          bestV = v;
        }
      }
      if (best >= 0) store(out, (p * len + best) * inner + q, 1);
    }
  return out;
}

/** IsInf (with detect_negative / detect_positive) and IsNaN, as bool tensors. */
export function isInfRef(x: Tensor, negative: boolean, positive: boolean): Tensor {
  const out = new Uint8Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = elementAsNumber(x, i);
    out[i] =
      (v === Number.POSITIVE_INFINITY && positive) || (v === Number.NEGATIVE_INFINITY && negative) ? 1 : 0;
  }
  return { dtype: 'bool', dims: [...x.dims], data: out };
}

export function isNaNRef(x: Tensor): Tensor {
  const out = new Uint8Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number.isNaN(elementAsNumber(x, i)) ? 1 : 0;
  return { dtype: 'bool', dims: [...x.dims], data: out };
}

/**
 * GlobalMaxPool: the maximum over every spatial axis of [N, C, spatial...], kept as size 1. As
 * onnxruntime (checked): start from -inf and take a value only when strictly greater, so NaN is
 * skipped wherever it stands (ReduceMax keeps a leading NaN) and an all-NaN plane gives -inf.
 */
export function globalMaxPoolRef(x: Tensor): Tensor {
  if (x.dims.length < 3) throw new Error(`GlobalMaxPool needs [N, C, spatial...], got [${x.dims}]`);
  const [n, c] = x.dims;
  const spatial = x.dims.slice(2).reduce((p, d) => p * d, 1);
  const out: Tensor = {
    dtype: x.dtype,
    dims: [n, c, ...x.dims.slice(2).map(() => 1)],
    data: allocData(x.dtype, n * c),
  };
  for (let i = 0; i < n * c; i++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < spatial; s++) {
      const v = elementAsNumber(x, i * spatial + s);
      if (v > m) m = v;
    }
    store(out, i, m);
  }
  return out;
}
