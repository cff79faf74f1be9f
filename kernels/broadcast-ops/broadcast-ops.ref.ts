// The table of broadcasting elementwise ops with two inputs (PRelu, Max, Min, Mod, the
// comparisons, And/Or/Xor) plus Where (three inputs) and Not, and the variadic folds (Max, Min,
// Mean of N inputs). Each op is written once: `f` on float64 values (rounded once to the output's
// float type), `int` / `big` on integers held as numbers / bigints, and `wgsl`, an f32 expression
// of `a` and `b` (and `c` for Where) for the GPU host (broadcast-ops.ts). Comparisons and logic
// give 0/1, stored as bool. Numpy (multidirectional) broadcasting throughout.
import { assertFloat, isFloatDType, readFloats } from '../activation/float-io.js';
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import {
  allocData,
  type DType,
  float16BitsToNumber,
  isBigIntDType,
  numberToFloat16Bits,
  type Tensor,
} from '../tensor.js';

type Num = number | bigint;

export interface BroadcastDef {
  /** Lowest ai.onnx opset we accept the op at. */
  readonly since: number;
  /** 'numeric': same dtype in and out; 'compare': numeric in, bool out; 'logic': bool in and out. */
  readonly kind: 'numeric' | 'compare' | 'logic';
  readonly f: (x: number, y: number) => number;
  readonly int?: (x: number, y: number) => number;
  readonly big?: (x: bigint, y: bigint) => bigint;
  /** WGSL f32 expression of `a` and `b` (bool inputs arrive as 0.0 / 1.0). */
  readonly wgsl: string;
}

const cmp = (test: (x: Num, y: Num) => boolean) => (x: number, y: number) => (test(x, y) ? 1 : 0);

/**
 * NaN-propagating max / min as onnxruntime's Max and Min on floats: on a tie (+0 vs -0) the second
 * operand wins (Eigen's a > b ? a : b), checked against onnxruntime-node.
 */
function fmax(x: number, y: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max(0, -0) is +0, onnxruntime's is -0
  return Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : x > y ? x : y;
}
function fmin(x: number, y: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.min(-0, 0) is -0, onnxruntime's is +0
  return Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : x < y ? x : y;
}

export const BROADCAST_TABLE = {
  /** Slope broadcast to X (the output keeps X's shape; checked by prelu()). */
  PRelu: {
    since: 7,
    kind: 'numeric',
    f: (x, s) => (x < 0 ? s * x : x),
    int: (x, s) => (x < 0 ? x * s : x),
    big: (x, s) => (x < 0n ? x * s : x),
    wgsl: 'select(a, b * a, a < 0.0)',
  },
  Max: {
    since: 8,
    kind: 'numeric',
    f: fmax,
    int: Math.max,
    big: (x, y) => (x > y ? x : y),
    wgsl: 'select(select(b, a, a > b), nan_f32(), is_nan_f32(a) || is_nan_f32(b))',
  },
  Min: {
    since: 8,
    kind: 'numeric',
    f: fmin,
    int: Math.min,
    big: (x, y) => (x < y ? x : y),
    wgsl: 'select(select(b, a, a < b), nan_f32(), is_nan_f32(a) || is_nan_f32(b))',
  },
  /** Mod with fmod = 1: C's fmod (the result has the dividend's sign). */
  Fmod: {
    since: 10,
    kind: 'numeric',
    f: (x, y) => x % y,
    int: (x, y) => (y === 0 ? divisionByZero() : x % y),
    big: (x, y) => (y === 0n ? divisionByZero() : x % y),
    wgsl: 'fmod_f32(a, b)', // fmod.wgsl: exact, on the bit patterns
  },
  /**
   * Mod with fmod = 0: the result has the divisor's sign, as Python's % (numpy.mod for floats,
   * opset 28: C's fmod, plus the divisor when the signs differ; a zero takes the divisor's sign).
   */
  Mod: {
    since: 10,
    kind: 'numeric',
    f: (x, y) => {
      const r = x % y;
      if (r === 0) return y < 0 || Object.is(y, -0) ? -0 : 0;
      return r < 0 !== y < 0 ? r + y : r;
    },
    int: (x, y) => {
      if (y === 0) divisionByZero();
      const r = x % y;
      return r !== 0 && r < 0 !== y < 0 ? r + y : r;
    },
    big: (x, y) => {
      if (y === 0n) divisionByZero();
      const r = x % y;
      return r !== 0n && r < 0n !== y < 0n ? r + y : r;
    },
    wgsl: 'pymod_f32(a, b)', // fmod.wgsl
  },
  /** Bitwise ops (opset 18, integers); the stored result wraps to the element type. */
  BitwiseAnd: {
    since: 18,
    kind: 'numeric',
    f: () => Number.NaN,
    int: (x, y) => x & y,
    big: (x, y) => x & y,
    wgsl: '',
  },
  BitwiseOr: {
    since: 18,
    kind: 'numeric',
    f: () => Number.NaN,
    int: (x, y) => x | y,
    big: (x, y) => x | y,
    wgsl: '',
  },
  BitwiseXor: {
    since: 18,
    kind: 'numeric',
    f: () => Number.NaN,
    int: (x, y) => x ^ y,
    big: (x, y) => x ^ y,
    wgsl: '',
  },
  Equal: {
    since: 7,
    kind: 'compare',
    f: cmp((x, y) => x === y),
    wgsl: 'select(0.0, 1.0, a == b && !is_nan_f32(a))',
  },
  Less: {
    since: 7,
    kind: 'compare',
    f: cmp((x, y) => x < y),
    wgsl: 'select(0.0, 1.0, a < b && !is_nan_f32(a) && !is_nan_f32(b))',
  },
  LessOrEqual: {
    since: 12,
    kind: 'compare',
    f: cmp((x, y) => x <= y),
    wgsl: 'select(0.0, 1.0, a <= b && !is_nan_f32(a) && !is_nan_f32(b))',
  },
  Greater: {
    since: 7,
    kind: 'compare',
    f: cmp((x, y) => x > y),
    wgsl: 'select(0.0, 1.0, a > b && !is_nan_f32(a) && !is_nan_f32(b))',
  },
  GreaterOrEqual: {
    since: 12,
    kind: 'compare',
    f: cmp((x, y) => x >= y),
    wgsl: 'select(0.0, 1.0, a >= b && !is_nan_f32(a) && !is_nan_f32(b))',
  },
  And: {
    since: 7,
    kind: 'logic',
    f: (x, y) => (x && y ? 1 : 0),
    wgsl: 'select(0.0, 1.0, a != 0.0 && b != 0.0)',
  },
  Or: {
    since: 7,
    kind: 'logic',
    f: (x, y) => (x || y ? 1 : 0),
    wgsl: 'select(0.0, 1.0, a != 0.0 || b != 0.0)',
  },
  Xor: {
    since: 7,
    kind: 'logic',
    f: (x, y) => (!x !== !y ? 1 : 0),
    wgsl: 'select(0.0, 1.0, (a != 0.0) != (b != 0.0))',
  },
} satisfies Record<string, BroadcastDef>;

export type BroadcastName = keyof typeof BROADCAST_TABLE;

function divisionByZero(): never {
  throw new Error('integer division by zero');
}

/** Element reader of a tensor as numbers (floats decoded), or as bigints for 64-bit integers. */
function reader(t: Tensor): (i: number) => Num {
  if (isFloatDType(t.dtype)) {
    const v = readFloats(t);
    return (i) => v[i];
  }
  const d = t.data as ArrayLike<Num>;
  return (i) => d[i];
}

/** Writes float64 results rounded once to a float dtype, or integers (wrapping) to their array. */
function store(
  dtype: DType,
  n: number,
): { data: ReturnType<typeof allocData>; set: (i: number, v: Num) => void } {
  const data = allocData(dtype, n);
  if (dtype === 'float16') {
    const h = data as Uint16Array;
    return { data, set: (i, v) => (h[i] = numberToFloat16Bits(Number(v))) };
  }
  const o = data as unknown as Num[];
  return { data, set: (i, v) => (o[i] = v) };
}

/** Applies a table op to two tensors with numpy broadcasting. */
export function broadcastRef(name: BroadcastName, a: Tensor, b: Tensor): Tensor {
  const def: BroadcastDef = BROADCAST_TABLE[name];
  if (def.kind === 'logic') {
    if (a.dtype !== 'bool' || b.dtype !== 'bool')
      throw new Error(`${name} takes bool tensors, got ${a.dtype} and ${b.dtype}`);
  } else {
    if (a.dtype !== b.dtype)
      throw new Error(`${name} needs inputs of one type, got ${a.dtype} and ${b.dtype}`);
    if (a.dtype === 'bool' && name !== 'Equal') throw new Error(`${name} does not take bool tensors`);
  }
  const dims = broadcastShapes(a.dims, b.dims);
  const ia = broadcastIndexMap(a.dims, dims);
  const ib = broadcastIndexMap(b.dims, dims);
  const n = ia.length;
  const outType: DType = def.kind === 'numeric' ? a.dtype : 'bool';
  const out = store(outType, n);
  const x = reader(a);
  const y = reader(b);
  const float = isFloatDType(a.dtype);
  let op: (p: Num, q: Num) => Num;
  if (def.kind !== 'numeric' || float) op = def.f as (p: Num, q: Num) => Num;
  else if (isBigIntDType(a.dtype)) {
    if (!def.big) throw new Error(`${name} does not take ${a.dtype} tensors`);
    op = def.big as (p: Num, q: Num) => Num;
  } else {
    if (!def.int) throw new Error(`${name} does not take ${a.dtype} tensors`);
    // 32-bit products can exceed 2^53: PRelu's x * s is the one product here.
    const int = def.int;
    op = (p, q) =>
      name === 'PRelu' && (p as number) < 0
        ? Math.imul(p as number, q as number)
        : int(p as number, q as number);
  }
  for (let i = 0; i < n; i++) out.set(i, op(x(ia[i]), y(ib[i])));
  return { dtype: outType, dims, data: out.data };
}

/**
 * PRelu: the slope broadcasts to X (unidirectional); the output has X's shape. Before opset 7 a
 * 1-D slope of X's channel count applied per channel (axis 1): `legacy` reads it so.
 */
export function preluRef(x: Tensor, slope: Tensor, legacy = false): Tensor {
  const s = legacy ? preluLegacySlope(x.dims, slope) : slope;
  const y = broadcastRef('PRelu', x, s);
  if (y.dims.join(',') !== x.dims.join(','))
    throw new Error(`PRelu slope [${slope.dims}] does not broadcast to X [${x.dims}]`);
  return y;
}

/** An opset < 7 PRelu slope as its opset-7 equivalent: a [C] slope becomes [C, 1, ..., 1]. */
export function preluLegacySlope(xDims: readonly number[], slope: Tensor): Tensor {
  if (slope.dims.length !== 1 || xDims.length < 2 || slope.dims[0] === 1 || slope.dims[0] !== xDims[1])
    return slope;
  return { ...slope, dims: [slope.dims[0], ...xDims.slice(2).map(() => 1)] };
}

/** Max / Min / Mean of one or more tensors (left fold, as onnxruntime); Mean divides the sum by N. */
export function variadicRef(op: 'Max' | 'Min' | 'Mean', inputs: readonly Tensor[]): Tensor {
  if (inputs.length === 0) throw new Error(`${op} needs at least one input`);
  if (op === 'Mean') assertFloat(inputs[0], 'Mean input');
  let acc = inputs[0];
  if (inputs.length === 1) return { dtype: acc.dtype, dims: [...acc.dims], data: acc.data.slice() };
  const step = op === 'Mean' ? sumStep : (p: Tensor, q: Tensor) => broadcastRef(op, p, q);
  for (let k = 1; k < inputs.length; k++) acc = step(acc, inputs[k]);
  if (op !== 'Mean') return acc;
  const n = inputs.length;
  const v = readFloats(acc);
  const out = store(acc.dtype, v.length);
  for (let i = 0; i < v.length; i++) out.set(i, acc.dtype === 'float32' ? Math.fround(v[i] / n) : v[i] / n);
  return { dtype: acc.dtype, dims: acc.dims, data: out.data };
}

/** One float Add with broadcasting, rounded to the dtype (Mean's running sum). */
function sumStep(p: Tensor, q: Tensor): Tensor {
  if (p.dtype !== q.dtype) throw new Error(`Mean needs inputs of one type, got ${p.dtype} and ${q.dtype}`);
  const dims = broadcastShapes(p.dims, q.dims);
  const ip = broadcastIndexMap(p.dims, dims);
  const iq = broadcastIndexMap(q.dims, dims);
  const x = readFloats(p);
  const y = readFloats(q);
  const out = store(p.dtype, ip.length);
  for (let i = 0; i < ip.length; i++) {
    const s = x[ip[i]] + y[iq[i]];
    out.set(i, p.dtype === 'float16' ? float16BitsToNumber(numberToFloat16Bits(Math.fround(s))) : s);
  }
  return { dtype: p.dtype, dims, data: out.data };
}

export function notRef(x: Tensor): Tensor {
  if (x.dtype !== 'bool') throw new Error(`Not takes a bool tensor, got ${x.dtype}`);
  const src = x.data as Uint8Array;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] ? 0 : 1;
  return { dtype: 'bool', dims: [...x.dims], data: out };
}

const INT_BITS: Partial<Record<DType, number>> = {
  int8: 8,
  uint8: 8,
  int16: 16,
  uint16: 16,
  int32: 32,
  uint32: 32,
  int64: 64,
  uint64: 64,
};

/**
 * BitShift with numpy broadcasting: right shifts of signed types are arithmetic (opset 28); a
 * shift by a negative amount or by the type's width or more leaves only the sign fill (-1 for a
 * negative x shifted right, else 0); left shifts drop the bits past the type's width.
 */
export function bitShiftRef(a: Tensor, b: Tensor, left: boolean): Tensor {
  const bits = INT_BITS[a.dtype];
  if (!bits || a.dtype !== b.dtype)
    throw new Error(`BitShift takes two tensors of one integer type, got ${a.dtype} and ${b.dtype}`);
  const dims = broadcastShapes(a.dims, b.dims);
  const ia = broadcastIndexMap(a.dims, dims);
  const ib = broadcastIndexMap(b.dims, dims);
  const out = allocData(a.dtype, ia.length);
  const signed = !a.dtype.startsWith('u');
  if (isBigIntDType(a.dtype)) {
    const xs = a.data as BigInt64Array;
    const ys = b.data as BigInt64Array;
    const o = out as BigInt64Array;
    for (let i = 0; i < ia.length; i++) {
      const x = xs[ia[i]];
      const y = ys[ib[i]];
      if (y < 0n || y >= 64n) o[i] = !left && signed && x < 0n ? -1n : 0n;
      else o[i] = left ? x << y : x >> y;
    }
  } else {
    const xs = a.data as Int32Array;
    const ys = b.data as Int32Array;
    const o = out as Int32Array;
    for (let i = 0; i < ia.length; i++) {
      const x = xs[ia[i]];
      const y = ys[ib[i]];
      if (y < 0 || y >= bits) o[i] = !left && signed && x < 0 ? -1 : 0;
      else if (left) o[i] = y >= 32 ? 0 : x << y;
      else o[i] = signed ? x >> y : x >>> y;
    }
  }
  return { dtype: a.dtype, dims, data: out };
}

/** BitwiseNot (opset 18): ~x on an integer tensor, wrapped to its element type. */
export function bitwiseNotRef(x: Tensor): Tensor {
  if (isFloatDType(x.dtype) || x.dtype === 'bool')
    throw new Error(`BitwiseNot takes integers, got ${x.dtype}`);
  const out = allocData(x.dtype, x.data.length);
  const src = x.data;
  if (isBigIntDType(x.dtype))
    for (let i = 0; i < src.length; i++) (out as BigInt64Array)[i] = ~(src[i] as bigint);
  else for (let i = 0; i < src.length; i++) (out as Int32Array)[i] = ~(src[i] as number);
  return { dtype: x.dtype, dims: [...x.dims], data: out };
}

/** Where(cond, X, Y) with three-way broadcasting: X where cond, else Y (values copied exactly). */
export function whereRef(cond: Tensor, x: Tensor, y: Tensor): Tensor {
  if (cond.dtype !== 'bool') throw new Error(`Where condition must be bool, got ${cond.dtype}`);
  if (x.dtype !== y.dtype) throw new Error(`Where needs X and Y of one type, got ${x.dtype} and ${y.dtype}`);
  const dims = broadcastShapes(cond.dims, x.dims, y.dims);
  const ic = broadcastIndexMap(cond.dims, dims);
  const ix = broadcastIndexMap(x.dims, dims);
  const iy = broadcastIndexMap(y.dims, dims);
  const c = cond.data as Uint8Array;
  const xs = x.data as unknown as ArrayLike<Num>;
  const ys = y.data as unknown as ArrayLike<Num>;
  const data = allocData(x.dtype, ic.length);
  const o = data as unknown as Num[];
  for (let i = 0; i < ic.length; i++) o[i] = c[ic[i]] ? xs[ix[i]] : ys[iy[i]];
  return { dtype: x.dtype, dims, data };
}
