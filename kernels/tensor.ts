import { decodeSmallFloat, type SmallFloat } from './dtypes/small-floats.js';

// The one tensor type shared by the reference ops, the interpreters and the GPU hosts.
// Data is row-major (C order). int64/uint64 use BigInt arrays so Shape/Reshape chains and
// exported TensorProtos keep their exact values; bool is stored one byte per element.

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  // Narrow types, held one element per array slot: the float codes (kernels/dtypes/small-floats.ts)
  // in Uint16Array (bfloat16) or Uint8Array, the 4- and 2-bit integers as values in Int8/Uint8Array.
  | 'bfloat16'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'float8e8m0'
  | 'float4e2m1'
  | 'int4'
  | 'uint4'
  | 'int2'
  | 'uint2';

export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array // float16 (raw bits) and uint16
  | Int8Array
  | Uint8Array // uint8 and bool
  | Int16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export interface Tensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function allocData(dtype: DType, length: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'float16':
    case 'uint16':
    case 'bfloat16':
      return new Uint16Array(length);
    case 'int8':
    case 'int4':
    case 'int2':
      return new Int8Array(length);
    case 'uint8':
    case 'bool':
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz':
    case 'float8e8m0':
    case 'float4e2m1':
    case 'uint4':
    case 'uint2':
      return new Uint8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'uint64':
      return new BigUint64Array(length);
  }
}

export function makeTensor(
  dtype: DType,
  dims: readonly number[],
  data?: TensorData | ArrayLike<number>,
): Tensor {
  const n = sizeOf(dims);
  if (data === undefined) return { dtype, dims: [...dims], data: allocData(dtype, n) };
  if (data.length !== n) throw new Error(`tensor data has ${data.length} elements, dims [${dims}] need ${n}`);
  if (isTensorDataFor(dtype, data)) return { dtype, dims: [...dims], data };
  const out = allocData(dtype, n);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(Number(data[i])));
  } else {
    for (let i = 0; i < n; i++) out[i] = Number(data[i]);
  }
  return { dtype, dims: [...dims], data: out };
}

function isTensorDataFor(dtype: DType, data: unknown): data is TensorData {
  const ctor = allocData(dtype, 0).constructor;
  return (data as object).constructor === ctor;
}

export function isIntegerDType(dtype: DType): boolean {
  return dtype !== 'float32' && dtype !== 'float64' && dtype !== 'float16' && !isSmallFloatDType(dtype);
}

/** The narrow types: the float codes and the 4- / 2-bit integers. */
export function isNarrowDType(dtype: DType): boolean {
  return (
    isSmallFloatDType(dtype) || dtype === 'int4' || dtype === 'uint4' || dtype === 'int2' || dtype === 'uint2'
  );
}

/** The narrow float types held as codes (decode with elementAsNumber). */
export function isSmallFloatDType(dtype: DType): dtype is SmallFloat {
  return dtype === 'bfloat16' || dtype.startsWith('float8') || dtype === 'float4e2m1';
}

export function isBigIntDType(dtype: DType): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** Element i as a JS number (int64 converted; float16 decoded). */
export function elementAsNumber(t: Tensor, i: number): number {
  if (t.dtype === 'float16') return float16BitsToNumber((t.data as Uint16Array)[i]);
  if (isSmallFloatDType(t.dtype)) return decodeSmallFloat(t.dtype, t.data[i] as number);
  return Number(t.data[i]);
}

/** The whole tensor as numbers (copies; use for small tensors such as shapes and indices). */
export function toNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = elementAsNumber(t, i);
  return out;
}

/** Float view of any tensor as Float32Array (no copy when already float32). */
export function toFloat32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = elementAsNumber(t, i);
  return out;
}

/** The values of several arrays one after the other, as one Float32Array. */
export function concatFloat32(parts: readonly ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function scalarTensor(dtype: DType, value: number): Tensor {
  return makeTensor(dtype, [], [value]);
}

export function int64Tensor(dims: readonly number[], values: readonly number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { dtype: 'int64', dims: [...dims], data };
}

export function float16BitsToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Round-to-nearest-even conversion of a number to IEEE half bits. */
export function numberToFloat16Bits(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}
