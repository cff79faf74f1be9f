// The table of elementwise unary ops: each op's meaning written once, as a float64 function (the
// reference, rounded once to the tensor's float type, as activation.ref.ts does) and as a WGSL f32
// expression for the GPU host (unary.ts). Both read the node's float attributes as `a` and `b`
// (the table names which attribute is which, with its ONNX default), and an op taking an integer
// tensor (Neg, Abs, Sign) gives its integer meaning too.
// The WGSL may call the helpers of unary.wgsl: erf_f32, tanh_f32, expm1_f32, softplus_f32, log_f32,
// round_even_f32, sin_f32, cos_f32. The GPU host takes the results for NaN and +-inf from `f` itself
// (WGSL does not promise IEEE special values), so the WGSL needs to be right for finite inputs only.
import { erf64 } from '../activation/erf.js';
import { assertFloat, floatTensor, isFloatDType, readFloats } from '../activation/float-io.js';
import { allocData, isBigIntDType, type Tensor } from '../tensor.js';

export interface UnaryDef {
  /** Lowest opset version of ai.onnx we accept the op at (where its current meaning starts). */
  readonly since: number;
  /** Float attributes read into `a` and `b`, with their ONNX defaults. */
  readonly attrs?: readonly (readonly [name: string, dflt: number])[];
  readonly f: (v: number, a: number, b: number) => number;
  /** WGSL f32 expression of `v`, `a` and `b`. */
  readonly wgsl: string;
  /** The op on integer tensors (values held as numbers, stored back with the dtype's wrap). */
  readonly int?: (v: number) => number;
  readonly big?: (v: bigint) => bigint;
}

/** Round half to even (ONNX Round; C's nearbyint in the default rounding mode), keeping -0. */
export function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f; // exact below 2^52, and every double above is an integer
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (v < 0 || Object.is(v, -0)) ? -0 : r;
}

/** log(1 + exp(x)) without overflow (onnxruntime's Softplus). */
export function softplus64(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const UNARY_TABLE = {
  Elu: {
    since: 6,
    attrs: [['alpha', 1]],
    f: (v, a) => (v >= 0 ? v : a * Math.expm1(v)),
    wgsl: 'select(a * expm1_f32(v), v, v >= 0.0)',
  },
  Selu: {
    since: 6,
    attrs: [
      ['alpha', 1.6732632423543772],
      ['gamma', 1.0507009873554805],
    ],
    f: (v, a, g) => (v > 0 ? g * v : g * a * Math.expm1(v)),
    wgsl: 'select(b * a * expm1_f32(v), b * v, v > 0.0)',
  },
  Celu: {
    since: 12,
    attrs: [['alpha', 1]],
    f: (v, a) => Math.max(0, v) + Math.min(0, a * Math.expm1(v / a)),
    wgsl: 'max(0.0, v) + min(0.0, a * expm1_f32(v / a))',
  },
  Softplus: { since: 1, f: softplus64, wgsl: 'softplus_f32(v)' },
  Softsign: { since: 1, f: (v) => v / (1 + Math.abs(v)), wgsl: 'v / (1.0 + abs(v))' },
  /** Swish (opset 24): x * sigmoid(alpha * x). */
  Swish: {
    since: 24,
    attrs: [['alpha', 1]],
    f: (v, a) => v / (1 + Math.exp(-a * v)),
    wgsl: 'v / (1.0 + exp(-a * v))',
  },
  Mish: { since: 18, f: (v) => v * Math.tanh(softplus64(v)), wgsl: 'v * tanh_f32(softplus_f32(v))' },
  ThresholdedRelu: {
    since: 10,
    attrs: [['alpha', 1]],
    f: (v, a) => (v > a ? v : 0),
    wgsl: 'select(0.0, v, v > a)',
  },
  Shrink: {
    since: 9,
    attrs: [
      ['lambd', 0.5],
      ['bias', 0],
    ],
    f: (v, l, bias) => (v < -l ? v + bias : v > l ? v - bias : 0),
    wgsl: 'select(select(0.0, v - b, v > a), v + b, v < -a)',
  },
  Exp: { since: 6, f: Math.exp, wgsl: 'exp(v)' },
  Log: { since: 6, f: Math.log, wgsl: 'log_f32(v)' },
  Neg: { since: 6, f: (v) => -v, wgsl: '-v', int: (v) => -v, big: (v) => -v },
  Abs: { since: 6, f: Math.abs, wgsl: 'abs(v)', int: Math.abs, big: (v) => (v < 0n ? -v : v) },
  Sign: {
    since: 9,
    // NaN stays NaN (as onnxruntime); -0 -> +0.
    f: (v) => (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v),
    wgsl: 'select(select(select(v, 0.0, v == 0.0), -1.0, v < 0.0), 1.0, v > 0.0)',
    int: (v) => (v > 0 ? 1 : v < 0 ? -1 : 0),
    big: (v) => (v > 0n ? 1n : v < 0n ? -1n : 0n),
  },
  Reciprocal: { since: 6, f: (v) => 1 / v, wgsl: '1.0 / v' },
  Floor: { since: 6, f: Math.floor, wgsl: 'floor(v)' },
  Ceil: { since: 6, f: Math.ceil, wgsl: 'ceil(v)' },
  Round: { since: 11, f: roundHalfEven, wgsl: 'round_even_f32(v)' },
  Sin: { since: 7, f: Math.sin, wgsl: 'sin_f32(v)' },
  Cos: { since: 7, f: Math.cos, wgsl: 'cos_f32(v)' },
  Tan: { since: 7, f: Math.tan, wgsl: 'sin_f32(v) / cos_f32(v)' },
  Asin: { since: 7, f: Math.asin, wgsl: 'select(asin(v), nan_f32(), abs(v) > 1.0)' },
  Acos: { since: 7, f: Math.acos, wgsl: 'select(acos(v), nan_f32(), abs(v) > 1.0)' },
  Atan: { since: 7, f: Math.atan, wgsl: 'atan(v)' },
  Sinh: { since: 9, f: Math.sinh, wgsl: '0.5 * (expm1_f32(v) - expm1_f32(-v))' },
  Cosh: { since: 9, f: Math.cosh, wgsl: '0.5 * (exp(v) + exp(-v))' },
  Asinh: {
    since: 9,
    f: Math.asinh,
    // log1p form: no cancellation near 0.
    wgsl: 'sign(v) * log1p_f32(abs(v) + v * v / (1.0 + sqrt(v * v + 1.0)))',
  },
  Acosh: { since: 9, f: Math.acosh, wgsl: 'select(log_f32(v + sqrt(v * v - 1.0)), nan_f32(), v < 1.0)' },
  Atanh: {
    since: 9,
    f: Math.atanh,
    wgsl: 'select(0.5 * log1p_f32(2.0 * v / (1.0 - v)), nan_f32(), abs(v) > 1.0)',
  },
  /** Gelu with approximate = 'none'. */
  Gelu: {
    since: 20,
    f: (v) => 0.5 * v * (1 + erf64(v * SQRT1_2)),
    wgsl: '0.5 * v * (1.0 + erf_f32(v * 0.70710678118654752))',
  },
  /** Gelu with approximate = 'tanh' (not an ONNX op name: the Gelu adapters pick it). */
  GeluTanh: {
    since: 20,
    f: (v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))),
    wgsl: '0.5 * v * (1.0 + tanh_f32(0.79788456080286536 * (v + 0.044715 * v * v * v)))',
  },
} satisfies Record<string, UnaryDef>;

export type UnaryName = keyof typeof UNARY_TABLE;
/** Table entries that are not ONNX op names. */
const VARIANTS: ReadonlySet<string> = new Set(['GeluTanh']);
/** The ONNX ops of the table. */
export const UNARY_OPS = (Object.keys(UNARY_TABLE) as UnaryName[]).filter((k) => !VARIANTS.has(k));

export function unaryDef(name: UnaryName): UnaryDef {
  return UNARY_TABLE[name];
}

/** Applies table op `name` elementwise; `a`/`b` are its attributes (already defaulted). */
export function unaryRef(name: UnaryName, x: Tensor, a = 0, b = 0): Tensor {
  const def: UnaryDef = UNARY_TABLE[name];
  if (isFloatDType(x.dtype)) {
    // Attributes are float32 in the model: use them as the f32 values onnxruntime sees.
    const fa = Math.fround(a);
    const fb = Math.fround(b);
    const xs = readFloats(x);
    const ys = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) ys[i] = def.f(xs[i], fa, fb);
    return floatTensor(x.dtype, x.dims, ys);
  }
  if (!def.int || !def.big || x.dtype === 'bool') {
    assertFloat(x, `${name} input`);
  }
  if (isBigIntDType(x.dtype)) {
    const src = x.data as BigInt64Array | BigUint64Array;
    const out = allocData(x.dtype, src.length) as BigInt64Array | BigUint64Array;
    for (let i = 0; i < src.length; i++) out[i] = def.big!(src[i]);
    return { dtype: x.dtype, dims: [...x.dims], data: out };
  }
  const src = x.data as Exclude<typeof x.data, BigInt64Array | BigUint64Array>;
  const out = allocData(x.dtype, src.length) as typeof src;
  for (let i = 0; i < src.length; i++) out[i] = def.int!(src[i]);
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}
