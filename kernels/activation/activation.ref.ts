// Elementwise activation references: Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish,
// Tanh, Erf. Float math runs in float64 and is rounded once to the tensor's float type.
// Relu and Clip are type-generic in ONNX (quantized and shape graphs use them on integers), so
// they also accept every integer dtype, int64 included, and never leave the input's range.
import { allocData, isBigIntDType, type Tensor } from '../tensor.js';
import { erf64 } from './erf.js';
import { assertFloat, floatTensor, isFloatDType, readFloats } from './float-io.js';

function mapFloat(x: Tensor, what: string, f: (v: number) => number): Tensor {
  assertFloat(x, what);
  const xs = readFloats(x);
  const ys = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) ys[i] = f(xs[i]);
  return floatTensor(x.dtype, x.dims, ys);
}

/** Applies a range-preserving map (clamps) to any numeric tensor, bigint dtypes included. */
function mapAnyNumeric(x: Tensor, f: (v: number) => number, fBig: (v: bigint) => bigint): Tensor {
  if (isFloatDType(x.dtype)) return mapFloat(x, 'input', f);
  if (x.dtype === 'bool') throw new Error('bool tensors are not supported here');
  if (isBigIntDType(x.dtype)) {
    const src = x.data as BigInt64Array | BigUint64Array;
    const out = allocData(x.dtype, src.length) as BigInt64Array | BigUint64Array;
    for (let i = 0; i < src.length; i++) out[i] = fBig(src[i]);
    return { dtype: x.dtype, dims: [...x.dims], data: out };
  }
  const src = x.data as Exclude<typeof x.data, BigInt64Array | BigUint64Array>;
  const out = allocData(x.dtype, src.length) as typeof src;
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

export function relu(x: Tensor): Tensor {
  return mapAnyNumeric(
    x,
    (v) => Math.max(v, 0), // NaN stays NaN, like max(x, 0) in MLAS
    (v) => (v > 0n ? v : 0n),
  );
}

/**
 * Clip to [min, max]; an absent bound is no bound. Bounds are numbers for float/int32-and-smaller
 * tensors and bigints (or numbers) for int64/uint64 ones.
 */
export function clip(x: Tensor, min?: number | bigint, max?: number | bigint): Tensor {
  const lo = min === undefined ? undefined : Number(min);
  const hi = max === undefined ? undefined : Number(max);
  const big = isBigIntDType(x.dtype);
  const loBig = min === undefined || !big ? undefined : BigInt(min);
  const hiBig = max === undefined || !big ? undefined : BigInt(max);
  return mapAnyNumeric(
    x,
    (v) => {
      if (lo !== undefined && v < lo) v = lo;
      if (hi !== undefined && v > hi) v = hi;
      return v;
    },
    (v) => {
      if (loBig !== undefined && v < loBig) v = loBig;
      if (hiBig !== undefined && v > hiBig) v = hiBig;
      return v;
    },
  );
}

export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  const a = Math.fround(alpha);
  return mapFloat(x, 'LeakyRelu X', (v) => (v >= 0 ? v : a * v));
}

export function sigmoid(x: Tensor): Tensor {
  return mapFloat(x, 'Sigmoid X', (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))));
}

export function hardSigmoid(x: Tensor, alpha = 0.2, beta = 0.5): Tensor {
  const a = Math.fround(alpha);
  const b = Math.fround(beta);
  return mapFloat(x, 'HardSigmoid X', (v) => Math.max(0, Math.min(1, a * v + b)));
}

export function hardSwish(x: Tensor): Tensor {
  return mapFloat(x, 'HardSwish X', (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)));
}

export function tanh(x: Tensor): Tensor {
  return mapFloat(x, 'Tanh X', Math.tanh);
}

export function erf(x: Tensor): Tensor {
  return mapFloat(x, 'Erf X', erf64);
}
