// Cast between every supported dtype, with the conversions onnxruntime's CPU kernel performs
// (C++ static_cast on x86-64):
// - float -> integer truncates toward zero. Out of range and NaN are undefined behaviour in C++;
//   we reproduce what x86-64 code does (cvttsd2si): int32/int64 give their minimum, narrower
//   types take the low bits of the 32-bit conversion.
// - anything -> bool is `x != 0` (NaN is true); bool -> anything is 0 or 1.
// - float16 goes through float32 on both sides (onnxruntime's MLFloat16 does the same).
// - int64 -> float32 rounds once, directly (Number(bigint) then fround would round twice).
import type { E8M0RoundMode } from '../dtypes/e8m0.js';
import { decodeSmallFloat, encodeSmallFloat } from '../dtypes/small-floats.js';
import {
  allocData,
  type DType,
  float16BitsToNumber,
  isSmallFloatDType,
  numberToFloat16Bits,
  type Tensor,
  type TensorData,
} from '../tensor.js';

/** A writable view of any tensor data, for code that copies elements without caring about the type. */
export type Elements = { [index: number]: number | bigint; readonly length: number };

export function elements(data: TensorData): Elements {
  return data as unknown as Elements;
}

const INT32_MIN = -(2 ** 31);
const INT64_MIN = -(2n ** 63n);

/** x86-64 cvttsd2si with a 32-bit result: the minimum for NaN and out-of-range values. */
function cvt32(t: number): number {
  return Number.isNaN(t) || t >= 2 ** 31 || t < INT32_MIN ? INT32_MIN : t;
}

/** x86-64 cvttsd2si with a 64-bit result. */
function cvt64(t: number): bigint {
  return Number.isNaN(t) || t >= 2 ** 63 || t < -(2 ** 63) ? INT64_MIN : BigInt(t);
}

/**
 * Float -> integer the way onnxruntime's compiled `static_cast` does on x86-64 (checked against
 * onnxruntime-node for NaN, +-1e10, 3e9, 1.9e19...), as the value the typed array should store.
 * Unsigned 32/64-bit targets subtract 2^31 / 2^63 from large values, convert, and flip the top bit.
 */
export function floatToInteger(v: number, dtype: DType): number | bigint {
  const t = Math.trunc(v);
  switch (dtype) {
    case 'int64':
      return cvt64(t);
    case 'uint64':
      return BigInt.asUintN(64, t >= 2 ** 63 ? cvt64(t - 2 ** 63) ^ INT64_MIN : cvt64(t));
    case 'uint32':
      return (t >= 2 ** 31 ? cvt32(t - 2 ** 31) ^ INT32_MIN : cvt32(t)) >>> 0;
    case 'bool':
      return v !== 0 ? 1 : 0;
    default:
      // int32 and narrower: the typed array keeps the low bits of the 32-bit conversion.
      return cvt32(t);
  }
}

/** int64/uint64 -> the nearest float32 (ties to even), rounding once. */
export function bigintToFloat32(x: bigint): number {
  const neg = x < 0n;
  let m = neg ? -x : x;
  if (m < 2n ** 53n) return Math.fround(Number(x));
  const bits = m.toString(2).length;
  const drop = BigInt(bits - 24);
  const rest = m & ((1n << drop) - 1n);
  const half = 1n << (drop - 1n);
  m >>= drop;
  if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  const v = Math.fround(Number(m << drop)); // exact: at most 25 significant bits, fround is a no-op or overflow
  return neg ? -v : v;
}

/** Element i of a tensor as a JS number or bigint, in its natural JS type (float16 decoded). */
function read(t: Tensor, i: number): number | bigint {
  if (t.dtype === 'float16') return float16BitsToNumber((t.data as Uint16Array)[i]);
  if (isSmallFloatDType(t.dtype)) return decodeSmallFloat(t.dtype, t.data[i] as number);
  return t.data[i];
}

function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || isSmallFloatDType(dtype);
}

const NARROW_INT_BITS: Partial<Record<DType, number>> = { int4: 4, uint4: 4, int2: 2, uint2: 2 };

/** An integer wrapped to a narrow type's bits (two's complement for the signed ones). */
function wrapNarrow(v: number, to: DType): number {
  const bits = NARROW_INT_BITS[to]!;
  const m = ((v % 2 ** bits) + 2 ** bits) % 2 ** bits;
  return to.startsWith('u') || m < 2 ** (bits - 1) ? m : m - 2 ** bits;
}

/** Converts one value of dtype `from` to the value a `to` typed array should store. */
export function convertValue(
  v: number | bigint,
  from: DType,
  to: DType,
  saturate = true,
  roundMode: E8M0RoundMode = 'up',
): number | bigint {
  if (to === 'bool') return v !== 0 && v !== 0n ? 1 : 0;
  // The narrow types (as ml_dtypes, ONNX's reference): floats round to nearest even (float8 may
  // saturate), integers truncate toward zero and wrap.
  if (isSmallFloatDType(to)) {
    const x = typeof v === 'bigint' ? bigintToFloat32(v) : v;
    return encodeSmallFloat(to, x, saturate && to.startsWith('float8'), roundMode);
  }
  if (NARROW_INT_BITS[to]) {
    if (typeof v === 'bigint') return wrapNarrow(Number(BigInt.asIntN(32, v)), to);
    return Number.isFinite(v) ? wrapNarrow(Math.trunc(v), to) : 0;
  }
  if (typeof v === 'bigint') {
    switch (to) {
      case 'int64':
        return BigInt.asIntN(64, v);
      case 'uint64':
        return BigInt.asUintN(64, v);
      case 'float32':
        return bigintToFloat32(v);
      case 'float16':
        return numberToFloat16Bits(bigintToFloat32(v));
      case 'float64':
        return Number(v);
      default:
        // Integer narrowing keeps the low 32 bits; the typed array wraps further if narrower.
        return Number(BigInt.asIntN(32, v));
    }
  }
  if (to === 'float16') return numberToFloat16Bits(v);
  if (to === 'float32' || to === 'float64') return v;
  // onnxruntime's float16 -> uint32 converts through int64 (low 32 bits): NaN and +-inf give 0
  // there, not the 2^31 of its float32 -> uint32 path. Finite halves are all in int64 range.
  if (from === 'float16' && to === 'uint32' && !Number.isFinite(v)) return 0;
  if (isFloat(from)) return floatToInteger(v, to);
  // Integer -> integer: the typed array wraps modulo 2^bits when it stores the number.
  if (to === 'int64') return BigInt(v);
  if (to === 'uint64') return BigInt.asUintN(64, BigInt(v));
  return v;
}

/** `roundMode` only concerns FLOAT8E8M0 targets (Cast / CastLike opset 24). */
export function castRef(x: Tensor, to: DType, saturate = true, roundMode: E8M0RoundMode = 'up'): Tensor {
  const n = x.data.length;
  const out = allocData(to, n);
  const o = elements(out);
  if (x.dtype === to) {
    for (let i = 0; i < n; i++) o[i] = x.data[i];
  } else {
    for (let i = 0; i < n; i++) o[i] = convertValue(read(x, i), x.dtype, to, saturate, roundMode);
  }
  return { dtype: to, dims: [...x.dims], data: out };
}
