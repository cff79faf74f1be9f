// The narrow float formats ONNX tensors may hold, as codes: bfloat16 (16 bits), the float8
// variants (E4M3FN, E4M3FNUZ, E5M2, E5M2FNUZ; 8 bits), float8 E8M0 (encoded in e8m0.ts) and FLOAT4E2M1
// (4 bits). Decoding gives exact numbers; encoding rounds to nearest even like ml_dtypes (which
// ONNX's reference uses): overflow gives infinity (E5M2), NaN (the types without infinity) or, with
// `saturate` (Cast's default for float8), the largest finite value; FLOAT4E2M1 always saturates
// and has no NaN (NaN encodes as -0, as ml_dtypes).

import { type E8M0RoundMode, encodeFloat8E8M0 } from './e8m0.js';

export type SmallFloat =
  | 'bfloat16'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'float8e8m0'
  | 'float4e2m1';

interface Format {
  readonly exponentBits: number;
  readonly mantissaBits: number;
  readonly bias: number;
  /** Largest finite magnitude. */
  readonly max: number;
  readonly inf: boolean;
  /** FNUZ: one NaN (0x80), no negative zero. */
  readonly fnuz: boolean;
}

const FORMATS: Record<Exclude<SmallFloat, 'bfloat16' | 'float8e8m0'>, Format> = {
  float8e4m3fn: { exponentBits: 4, mantissaBits: 3, bias: 7, max: 448, inf: false, fnuz: false },
  float8e4m3fnuz: { exponentBits: 4, mantissaBits: 3, bias: 8, max: 240, inf: false, fnuz: true },
  float8e5m2: { exponentBits: 5, mantissaBits: 2, bias: 15, max: 57344, inf: true, fnuz: false },
  float8e5m2fnuz: { exponentBits: 5, mantissaBits: 2, bias: 16, max: 57344, inf: false, fnuz: true },
  float4e2m1: { exponentBits: 2, mantissaBits: 1, bias: 1, max: 6, inf: false, fnuz: false },
};

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The number a code stands for. */
export function decodeSmallFloat(type: SmallFloat, code: number): number {
  if (type === 'bfloat16') {
    u32[0] = (code & 0xffff) << 16;
    return f32[0];
  }
  if (type === 'float8e8m0') return code === 0xff ? Number.NaN : 2 ** (code - 127);
  const f = FORMATS[type];
  const bits = 1 + f.exponentBits + f.mantissaBits;
  const signBit = 1 << (bits - 1);
  if (f.fnuz && code === signBit) return Number.NaN;
  const sign = code & signBit ? -1 : 1;
  const e = (code >> f.mantissaBits) & ((1 << f.exponentBits) - 1);
  const m = code & ((1 << f.mantissaBits) - 1);
  const eMax = (1 << f.exponentBits) - 1;
  if (e === eMax && type !== 'float4e2m1' && !f.fnuz) {
    if (f.inf) return m === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    if (m === (1 << f.mantissaBits) - 1) return Number.NaN; // E4M3FN: S.1111.111
  }
  if (e === 0) return sign * m * 2 ** (1 - f.bias - f.mantissaBits);
  return sign * (1 + m / (1 << f.mantissaBits)) * 2 ** (e - f.bias);
}

/** Rounds |v| half to even at `mantissaBits` bits below its exponent (subnormals at the minimum). */
function roundToFormat(a: number, f: Format): number {
  if (a === 0) return 0;
  const emin = 1 - f.bias;
  const e = Math.max(Math.floor(Math.log2(a)), emin);
  const quantum = 2 ** (e - f.mantissaBits);
  const q = a / quantum;
  let r = Math.floor(q);
  const frac = q - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  return r * quantum;
}

/** The code of a value (float32 first, as the reference casts from float32). */
export function encodeSmallFloat(
  type: SmallFloat,
  value: number,
  saturate = true,
  roundMode: E8M0RoundMode = 'up',
): number {
  if (type === 'bfloat16') {
    f32[0] = value;
    const x = u32[0];
    if (Number.isNaN(f32[0])) return ((x >>> 16) | 0x40) & 0xffff;
    const rounded = x + 0x7fff + ((x >>> 16) & 1);
    return (rounded >>> 16) & 0xffff;
  }
  if (type === 'float8e8m0') return encodeFloat8E8M0(value, saturate, roundMode);
  const f = FORMATS[type];
  const bits = 1 + f.exponentBits + f.mantissaBits;
  const signBit = 1 << (bits - 1);
  const v = Math.fround(value);
  // NaN: the FNUZ types' single NaN (0x80), FLOAT4E2M1's -0 (it has no NaN), E4M3FN's S.1111.111,
  // E5M2's quiet S.11111.10 (as ml_dtypes).
  const negative = v < 0 || Object.is(v, -0);
  if (Number.isNaN(v)) {
    // A NaN keeps its sign where the type has one (ml_dtypes): read it from the float32 bits.
    f32[0] = value;
    const sign = u32[0] >>> 31 ? signBit : 0;
    if (f.fnuz) return signBit;
    // FLOAT4E2M1 has no NaN: ml_dtypes gives the zero of the opposite sign.
    if (type === 'float4e2m1') return sign ? 0 : signBit;
    return sign | (type === 'float8e5m2' ? 0x7e : 0x7f);
  }
  const nanCode = f.fnuz ? signBit : (negative ? signBit : 0) | 0x7f;
  let a = Math.abs(v);
  const sat = saturate || type === 'float4e2m1';
  if (a === Number.POSITIVE_INFINITY) {
    if (sat) a = f.max;
    else if (f.inf) return (negative ? signBit : 0) | (((1 << f.exponentBits) - 1) << f.mantissaBits);
    else return f.fnuz ? nanCode : (negative ? signBit : 0) | 0x7f;
  }
  let r = roundToFormat(a, f);
  if (r > f.max) {
    if (sat) r = f.max;
    else if (f.inf) return (negative ? signBit : 0) | (((1 << f.exponentBits) - 1) << f.mantissaBits);
    else return f.fnuz ? nanCode : (negative ? signBit : 0) | 0x7f;
  }
  if (r === 0) return negative && !f.fnuz ? signBit : 0;
  // r is representable: rebuild its code.
  const emin = 1 - f.bias;
  let e = Math.floor(Math.log2(r));
  let code: number;
  if (e < emin) code = Math.round(r / 2 ** (emin - f.mantissaBits));
  else {
    let m = Math.round((r / 2 ** e - 1) * (1 << f.mantissaBits));
    if (m === 1 << f.mantissaBits) {
      m = 0;
      e++;
    }
    code = ((e + f.bias) << f.mantissaBits) | m;
  }
  return (negative ? signBit : 0) | code;
}
