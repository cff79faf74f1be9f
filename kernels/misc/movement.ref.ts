// Data-movement and mask refs that copy elements bit-exactly whatever the dtype: DepthToSpace,
// SpaceToDepth, Trilu, EyeLike, OneHot and Range. Each is written as an index map over the output
// (pickElements) or a direct fill, so integer and float outputs are exact by construction.

import { normalizeAxis, pickElements } from '../shape-ops/axes.js';
import { castRef, type Elements, elements } from '../shape-ops/cast.ref.js';
import {
  allocData,
  type DType,
  float16BitsToNumber,
  isBigIntDType,
  numberToFloat16Bits,
  type Tensor,
} from '../tensor.js';

function rank4(x: Tensor, op: string): readonly number[] {
  if (x.dims.length !== 4) throw new Error(`${op} needs a 4-D [N, C, H, W] input, got [${x.dims}]`);
  return x.dims;
}

/**
 * DepthToSpace: [N, C, H, W] -> [N, C/b^2, H*b, W*b]. DCR (the default) reads channel
 * (bh * b + bw) * C' + c, CRD reads channel c * b^2 + bh * b + bw.
 */
export function depthToSpaceRef(x: Tensor, b: number, mode: 'DCR' | 'CRD'): Tensor {
  const [n, c, h, w] = rank4(x, 'DepthToSpace');
  if (!(b > 0) || c % (b * b) !== 0)
    throw new Error(`DepthToSpace: ${c} channels do not divide by blocksize^2 (${b})`);
  const co = c / (b * b);
  const ho = h * b;
  const wo = w * b;
  const map = new Int32Array(n * c * h * w);
  let k = 0;
  for (let in_ = 0; in_ < n; in_++)
    for (let oc = 0; oc < co; oc++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++) {
          const bh = oy % b;
          const bw = ox % b;
          const ch = mode === 'DCR' ? (bh * b + bw) * co + oc : oc * b * b + bh * b + bw;
          map[k++] = ((in_ * c + ch) * h + Math.floor(oy / b)) * w + Math.floor(ox / b);
        }
  return pickElements(x, [n, co, ho, wo], map);
}

/**
 * SpaceToDepth: [N, C, H, W] -> [N, C*b^2, H/b, W/b]; output channel (bh * b + bw) * C + c in DCR
 * mode (the only one before opset 28), c * b^2 + bh * b + bw in CRD.
 */
export function spaceToDepthRef(x: Tensor, b: number, mode: 'DCR' | 'CRD' = 'DCR'): Tensor {
  const [n, c, h, w] = rank4(x, 'SpaceToDepth');
  if (!(b > 0) || h % b !== 0 || w % b !== 0)
    throw new Error(`SpaceToDepth: [${h}, ${w}] does not divide by blocksize ${b}`);
  const co = c * b * b;
  const ho = h / b;
  const wo = w / b;
  const map = new Int32Array(n * c * h * w);
  let k = 0;
  for (let in_ = 0; in_ < n; in_++)
    for (let oc = 0; oc < co; oc++) {
      const ch = mode === 'DCR' ? oc % c : Math.floor(oc / (b * b));
      const blk = mode === 'DCR' ? Math.floor(oc / c) : oc % (b * b);
      const bh = Math.floor(blk / b);
      const bw = blk % b;
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++) map[k++] = ((in_ * c + ch) * h + oy * b + bh) * w + ox * b + bw;
    }
  return pickElements(x, [n, co, ho, wo], map);
}

function zeroOf(dtype: DType): number | bigint {
  return isBigIntDType(dtype) ? 0n : 0;
}

function oneOf(dtype: DType): number | bigint {
  if (isBigIntDType(dtype)) return 1n;
  return dtype === 'float16' ? 0x3c00 : 1; // float16 is stored as its bits
}

/**
 * Trilu: over the last two axes (i, j), keeps elements with j - i >= k (upper) or j - i <= k
 * (lower) and zeroes the rest.
 */
export function triluRef(x: Tensor, upper: boolean, k: number): Tensor {
  if (x.dims.length < 2) throw new Error(`Trilu needs rank >= 2, got [${x.dims}]`);
  const rows = x.dims[x.dims.length - 2];
  const cols = x.dims[x.dims.length - 1];
  const out = allocData(x.dtype, x.data.length);
  const o = elements(out);
  const s = elements(x.data);
  const zero = zeroOf(x.dtype);
  for (let i = 0; i < x.data.length; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols) % rows;
    const keep = upper ? c - r >= k : c - r <= k;
    o[i] = keep ? s[i] : zero;
  }
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

/** EyeLike: a 2-D tensor of x's dims with ones on diagonal k (column = row + k). */
export function eyeLikeRef(dims: readonly number[], dtype: DType, k: number): Tensor {
  if (dims.length !== 2) throw new Error(`EyeLike needs a 2-D input, got [${dims}]`);
  const [rows, cols] = dims;
  const out = allocData(dtype, rows * cols);
  const o = elements(out);
  const one = oneOf(dtype);
  for (let r = 0; r < rows; r++) {
    const c = r + k;
    if (c >= 0 && c < cols) o[r * cols + c] = one;
  }
  return { dtype, dims: [...dims], data: out };
}

/**
 * OneHot: indices of any numeric type (negative ones count from depth; out of [-depth, depth) gives
 * an all-off row), depth inserted at `axis`; values = [off, on] gives the output dtype.
 */
export function oneHotRef(
  indices: readonly number[],
  indexDims: readonly number[],
  depth: number,
  values: Tensor,
  axis: number,
): Tensor {
  if (values.data.length !== 2)
    throw new Error(`OneHot values must have 2 elements, got ${values.data.length}`);
  const d = Math.trunc(depth);
  if (!(d >= 1)) throw new Error(`OneHot depth ${depth} must be >= 1`);
  const rank = indexDims.length + 1;
  const a = normalizeAxis(axis, rank);
  const outer = indexDims.slice(0, a).reduce((p, v) => p * v, 1);
  const inner = indexDims.slice(a).reduce((p, v) => p * v, 1);
  const outDims = [...indexDims.slice(0, a), d, ...indexDims.slice(a)];
  const out = allocData(values.dtype, outer * d * inner);
  const o: Elements = elements(out);
  const v = elements(values.data);
  o.length > 0 && (out as { fill(v: number | bigint): unknown }).fill(v[0] as never);
  for (let p = 0; p < outer; p++)
    for (let q = 0; q < inner; q++) {
      let idx = Math.trunc(indices[p * inner + q]);
      if (idx < 0) idx += d;
      if (idx >= 0 && idx < d) o[(p * d + idx) * inner + q] = v[1];
    }
  return { dtype: values.dtype, dims: outDims, data: out };
}

/**
 * Range: max(ceil((limit - start) / delta), 0) elements in start's dtype. Integers are exact
 * (int64 in BigInt). float32 / float64 follow onnxruntime: the count from the difference taken in
 * the type and divided in double, the values by repeated addition of delta in the type (so
 * range(-1, 1, 0.1) ends near but not at multiples of 0.1, as onnxruntime's). float16 follows the
 * spec's start + i * delta computed in float (stash_type 1), rounded once.
 */
export function rangeRef(start: Tensor, limit: Tensor, delta: Tensor): Tensor {
  const dtype = start.dtype;
  if (dtype === 'bfloat16') {
    // As stash_type 1 (opset 27): computed in float32, the result cast back.
    const f = (t: Tensor) => castRef(t, 'float32');
    return castRef(rangeRef(f(start), f(limit), f(delta)), 'bfloat16');
  }
  if (isBigIntDType(dtype)) {
    const s = BigInt(start.data[0] as bigint);
    const l = BigInt(limit.data[0] as bigint);
    const dl = BigInt(delta.data[0] as bigint);
    if (dl === 0n) throw new Error('Range delta must not be 0');
    // ceil division on BigInt: (l - s) / dl rounded toward +infinity.
    const num = l - s;
    let q = num / dl;
    if (q * dl !== num && num > 0n === dl > 0n) q += 1n;
    const n = q > 0n ? Number(q) : 0;
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = s + BigInt(i) * dl;
    return { dtype, dims: [n], data: out };
  }
  const read = (t: Tensor) => (t.dtype === 'float16' ? f16(t) : Number(t.data[0]));
  const s = read(start);
  const l = read(limit);
  const dl = read(delta);
  if (dl === 0) throw new Error('Range delta must not be 0');
  const inType = dtype === 'float32' ? Math.fround : (v: number) => v;
  const n = Math.max(Math.ceil(inType(l - s) / dl), 0);
  const out = allocData(dtype, n);
  const o = elements(out);
  if (dtype === 'float16') {
    for (let i = 0; i < n; i++) o[i] = toF16(Math.fround(s + Math.fround(i * dl)));
  } else {
    let v = s;
    for (let i = 0; i < n; i++) {
      o[i] = v;
      v = inType(v + dl);
    }
  }
  return { dtype, dims: [n], data: out };
}

function f16(t: Tensor): number {
  return float16BitsToNumber((t.data as Uint16Array)[0]);
}

function toF16(v: number): number {
  return numberToFloat16Bits(v);
}
