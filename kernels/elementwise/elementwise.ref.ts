// Reference math ops (Add, Sub, Mul, Div, Pow, Sum, Sqrt) with onnxruntime CPU semantics.
// - Multidirectional (numpy) broadcasting; the result keeps the dtype of the first input.
// - float32: computed in float64 and rounded once to float32 per element. For + - * / and sqrt
//   that is the correctly rounded float32 result, which is what onnxruntime's float math gives.
// - float16: decoded, computed as float32, re-encoded (onnxruntime's MLFloat16 path).
// - Integers wrap like C++ two's-complement arithmetic; Div truncates toward zero; division by
//   zero throws (in C++ it is undefined behaviour, on x86 a crash).
// - Pow follows onnxruntime's kernel: C's pow() (in double for integer bases), then a static_cast
//   to the base's type; but where the exponent is a scalar for the innermost broadcast span (see
//   powTakesShortcut) an exponent of exactly 2 or 3 is computed by repeated multiplication in the
//   base's type. The two differ when an integer power overflows (wraps vs INT_MIN) and for
//   float32 x^3 (rounded twice).
import { floatToInteger } from '../shape-ops/cast.ref.js';
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import {
  allocData,
  type DType,
  elementAsNumber,
  float16BitsToNumber,
  numberToFloat16Bits,
  type Tensor,
} from '../tensor.js';

export type BinaryMathOp = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow';

/** C's pow(): differs from Math.pow for a base of +-1 with a NaN or infinite exponent. */
export function cPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) return 1;
  return x ** y;
}

/**
 * Whether onnxruntime's Pow takes its x*x / x*x*x shortcut for these shapes: its broadcast loop
 * calls the "exponent is a scalar" variant when the exponent has one element, or when the
 * exponent is broadcast along the innermost output axis that is not 1, unless the base has one
 * element (then the "base is a scalar" variant runs, without the shortcut). Checked against
 * onnxruntime-node on ten layouts with overflowing int32 squares.
 */
export function powTakesShortcut(xDims: readonly number[], yDims: readonly number[]): boolean {
  const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
  if (size(xDims) === 1) return false;
  if (size(yDims) === 1) return true;
  const out = broadcastShapes(xDims, yDims);
  for (let k = out.length - 1; k >= 0; k--) {
    if (out[k] === 1) continue;
    const yk = k - (out.length - yDims.length);
    return yk < 0 || yDims[yk] === 1;
  }
  return false;
}

function floatOp(op: BinaryMathOp, f32: boolean, shortcut: boolean): (x: number, y: number) => number {
  switch (op) {
    case 'Add':
      return (x, y) => x + y;
    case 'Sub':
      return (x, y) => x - y;
    case 'Mul':
      return (x, y) => x * y;
    case 'Div':
      return (x, y) => x / y;
    case 'Pow':
      return (x, y) => {
        if (shortcut && y === 2) return x * x;
        if (shortcut && y === 3) return f32 ? Math.fround(x * x) * x : x * x * x;
        return cPow(x, y);
      };
  }
}

function divisionByZero(): never {
  throw new Error('integer division by zero');
}

/** Integer ops on values held as JS numbers; the output typed array wraps them to the dtype. */
function intOp(op: BinaryMathOp, dtype: DType, shortcut: boolean): (x: number, y: number) => number | bigint {
  // 32-bit products can exceed 2^53, where float64 loses the low bits: Math.imul keeps them.
  const mul = dtype === 'int32' || dtype === 'uint32' ? Math.imul : (x: number, y: number) => x * y;
  switch (op) {
    case 'Add':
      return (x, y) => x + y;
    case 'Sub':
      return (x, y) => x - y;
    case 'Mul':
      return mul;
    case 'Div':
      return (x, y) => (y === 0 ? divisionByZero() : Math.trunc(x / y));
    case 'Pow':
      return (x, y) => {
        if (shortcut && y === 2) return mul(x, x);
        if (shortcut && y === 3) return mul(mul(x, x), x);
        return floatToInteger(cPow(x, y), dtype);
      };
  }
}

/** int64/uint64 ops; BigInt64Array/BigUint64Array wrap the stored value modulo 2^64. */
function bigintOp(op: BinaryMathOp, dtype: DType, shortcut: boolean): (x: bigint, y: bigint | number) => bigint {
  switch (op) {
    case 'Add':
      return (x, y) => x + (y as bigint);
    case 'Sub':
      return (x, y) => x - (y as bigint);
    case 'Mul':
      return (x, y) => x * (y as bigint);
    case 'Div':
      return (x, y) => (y === 0n ? divisionByZero() : x / (y as bigint)); // BigInt division truncates
    case 'Pow':
      return (x, y) => {
        const e = Number(y);
        if (shortcut && e === 2) return x * x;
        if (shortcut && e === 3) return x * x * x;
        return floatToInteger(cPow(Number(x), e), dtype) as bigint;
      };
  }
}

export function binaryMathRef(op: BinaryMathOp, a: Tensor, b: Tensor): Tensor {
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new Error(`${op} does not take bool tensors`);
  if (op !== 'Pow' && a.dtype !== b.dtype) {
    throw new Error(`${op} needs inputs of one type, got ${a.dtype} and ${b.dtype}`);
  }
  const dims = broadcastShapes(a.dims, b.dims);
  const ia = broadcastIndexMap(a.dims, dims);
  const ib = broadcastIndexMap(b.dims, dims);
  const n = ia.length;
  const out = allocData(a.dtype, n);
  // Pow's exponent may have another type than the base: read it as a number then.
  const sameType = a.dtype === b.dtype;
  const shortcut = op === 'Pow' && powTakesShortcut(a.dims, b.dims);
  const y = (j: number): number => (sameType ? (b.data[j] as number) : elementAsNumber(b, j));
  if (a.dtype === 'float32' || a.dtype === 'float64') {
    const f = floatOp(op, a.dtype === 'float32', shortcut);
    const x = a.data as Float32Array | Float64Array;
    const o = out as Float32Array | Float64Array; // a Float32Array store rounds to float32
    for (let i = 0; i < n; i++) o[i] = f(x[ia[i]], y(ib[i]));
  } else if (a.dtype === 'float16') {
    const f = floatOp(op, true, shortcut);
    const x = a.data as Uint16Array;
    const o = out as Uint16Array;
    const yh = (j: number) =>
      b.dtype === 'float16' ? float16BitsToNumber((b.data as Uint16Array)[j]) : y(j);
    for (let i = 0; i < n; i++) {
      o[i] = numberToFloat16Bits(Math.fround(f(float16BitsToNumber(x[ia[i]]), yh(ib[i]))));
    }
  } else if (a.dtype === 'int64' || a.dtype === 'uint64') {
    const f = bigintOp(op, a.dtype, shortcut);
    const x = a.data as BigInt64Array | BigUint64Array;
    const o = out as BigInt64Array | BigUint64Array;
    const yb = b.data instanceof BigInt64Array || b.data instanceof BigUint64Array ? b.data : undefined;
    for (let i = 0; i < n; i++) o[i] = f(x[ia[i]], yb ? yb[ib[i]] : y(ib[i]));
  } else {
    const f = intOp(op, a.dtype, shortcut);
    const x = a.data as Exclude<typeof a.data, BigInt64Array | BigUint64Array>;
    const o = out as unknown as number[];
    for (let i = 0; i < n; i++) o[i] = f(x[ia[i]], y(ib[i])) as number;
  }
  return { dtype: a.dtype, dims, data: out };
}

/** Sum of one or more tensors, added left to right with broadcasting (onnxruntime's order). */
export function sumRef(inputs: readonly Tensor[]): Tensor {
  if (inputs.length === 0) throw new Error('Sum needs at least one input');
  let acc = inputs[0];
  if (inputs.length === 1) return { dtype: acc.dtype, dims: [...acc.dims], data: acc.data.slice() };
  for (let k = 1; k < inputs.length; k++) acc = binaryMathRef('Add', acc, inputs[k]);
  return acc;
}

export function sqrtRef(x: Tensor): Tensor {
  const n = x.data.length;
  const out = allocData(x.dtype, n);
  if (x.dtype === 'float32' || x.dtype === 'float64') {
    const src = x.data as Float32Array | Float64Array;
    const o = out as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) o[i] = Math.sqrt(src[i]);
  } else if (x.dtype === 'float16') {
    const src = x.data as Uint16Array;
    const o = out as Uint16Array;
    for (let i = 0; i < n; i++) o[i] = numberToFloat16Bits(Math.sqrt(float16BitsToNumber(src[i])));
  } else {
    throw new Error(`Sqrt takes float tensors, got ${x.dtype}`);
  }
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}
