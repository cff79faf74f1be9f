// The table of reductions other than ReduceMean (reduce-mean.ref.ts follows onnxruntime's float
// summation order for the quantization engine): ReduceSum, ReduceSumSquare, ReduceL1, ReduceL2,
// ReduceLogSum, ReduceLogSumExp, ReduceMax, ReduceMin, ReduceProd, and ArgMax / ArgMin.
// Each op is written once: `float` over the reduced values in float64 (rounded once to the output
// type), `big` over integers (exact, then wrapped to the dtype as onnxruntime's integer
// accumulators wrap), and `wgsl` (init, step, final over f32) for the GPU host (reduce.ts).
import { floatTensor, isFloatDType, readFloats } from '../activation/float-io.js';
import { allocData, isBigIntDType, type Tensor } from '../tensor.js';

export interface ReduceDef {
  /** The opset from which `axes` is an input (before: an attribute). */
  readonly axesInputSince: number;
  readonly float: (values: ArrayLike<number>) => number;
  /** Integer meaning; absent: float tensors only. */
  readonly big?: (values: readonly bigint[]) => bigint;
  /**
   * WGSL: `acc` starts at init ('first': the first value, and the steps start at the second), step
   * sees `acc` and `v` (and `m`, the group's max, when `needsMax`), final gives the result.
   */
  readonly wgsl: {
    readonly init: string;
    readonly step: string;
    readonly final: string;
    readonly needsMax?: boolean;
  };
}

function sum(values: ArrayLike<number>, f: (v: number) => number = (v) => v): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += f(values[i]);
  return s;
}
const bigSum = (vs: readonly bigint[], f: (v: bigint) => bigint = (v) => v) =>
  vs.reduce((s, v) => s + f(v), 0n);
const bigAbs = (v: bigint) => (v < 0n ? -v : v);

/**
 * Max / min as onnxruntime's float ReduceMax / ReduceMin: start from the first value and take a
 * later one only when strictly greater (smaller), so a leading NaN stays and a later NaN is skipped
 * (checked against onnxruntime-node; the ONNX spec would propagate every NaN). Empty: -inf / +inf.
 */
function extreme(values: ArrayLike<number>, sign: 1 | -1): number {
  if (values.length === 0) return -sign * Number.POSITIVE_INFINITY;
  let m = values[0];
  for (let i = 1; i < values.length; i++) if (sign * values[i] > sign * m) m = values[i];
  return m;
}

export const REDUCE_TABLE = {
  ReduceSum: {
    axesInputSince: 13,
    float: (vs) => sum(vs),
    big: (vs) => bigSum(vs),
    wgsl: { init: '0.0', step: 'acc + v', final: 'acc' },
  },
  ReduceSumSquare: {
    axesInputSince: 18,
    float: (vs) => sum(vs, (v) => v * v),
    big: (vs) => bigSum(vs, (v) => v * v),
    wgsl: { init: '0.0', step: 'acc + v * v', final: 'acc' },
  },
  ReduceL1: {
    axesInputSince: 18,
    float: (vs) => sum(vs, Math.abs),
    big: (vs) => bigSum(vs, bigAbs),
    wgsl: { init: '0.0', step: 'acc + abs(v)', final: 'acc' },
  },
  ReduceL2: {
    axesInputSince: 18,
    float: (vs) => Math.sqrt(sum(vs, (v) => v * v)),
    wgsl: { init: '0.0', step: 'acc + v * v', final: 'sqrt(acc)' },
  },
  ReduceLogSum: {
    axesInputSince: 18,
    float: (vs) => Math.log(sum(vs)),
    wgsl: { init: '0.0', step: 'acc + v', final: 'log_f32(acc)' },
  },
  ReduceLogSumExp: {
    axesInputSince: 18,
    // Shifted by the max so exp never overflows; an all -inf (or empty) set gives -inf.
    float: (vs) => {
      const m = extreme(vs, 1);
      if (!Number.isFinite(m)) return m;
      return Math.log(sum(vs, (v) => Math.exp(v - m))) + m;
    },
    wgsl: { init: '0.0', step: 'acc + exp(v - m)', final: 'log_f32(acc) + m', needsMax: true },
  },
  ReduceMax: {
    axesInputSince: 18,
    float: (vs) => extreme(vs, 1),
    big: (vs) => vs.reduce((m, v) => (v > m ? v : m)),
    wgsl: { init: 'first', step: 'select(acc, v, v > acc)', final: 'acc' },
  },
  ReduceMin: {
    axesInputSince: 18,
    float: (vs) => extreme(vs, -1),
    big: (vs) => vs.reduce((m, v) => (v < m ? v : m)),
    wgsl: { init: 'first', step: 'select(acc, v, v < acc)', final: 'acc' },
  },
  ReduceProd: {
    axesInputSince: 18,
    float: (vs) => {
      let p = 1;
      for (let i = 0; i < vs.length; i++) p *= vs[i];
      return p;
    },
    big: (vs) => vs.reduce((p, v) => p * v, 1n),
    wgsl: { init: '1.0', step: 'acc * v', final: 'acc' },
  },
} satisfies Record<string, ReduceDef>;

export type ReduceName = keyof typeof REDUCE_TABLE;
export const REDUCE_OPS = Object.keys(REDUCE_TABLE) as ReduceName[];

export interface ReduceAxes {
  /** Axes to reduce (negative counts from the end); empty or undefined means all, unless noop. */
  readonly axes?: readonly number[];
  readonly keepdims?: boolean;
  /** With no axes, return the input unchanged instead of reducing everything. */
  readonly noopWithEmptyAxes?: boolean;
}

/**
 * Which axes a reduction reduces, and its output dims. A no-op (empty axes with
 * noop_with_empty_axes) reduces no axis: each element is its own group, so ReduceSumSquare gives
 * x * x and ReduceLogSum log(x), as the ONNX reference and onnxruntime do.
 */
export function reduceGeometry(
  dims: readonly number[],
  p: ReduceAxes,
): { reduced: boolean[]; outDims: number[] } {
  const rank = dims.length;
  if (!p.axes?.length && p.noopWithEmptyAxes)
    return { reduced: new Array<boolean>(rank).fill(false), outDims: [...dims] };
  const reduced = new Array<boolean>(rank).fill(!p.axes?.length);
  for (const axis of p.axes ?? []) {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
    reduced[a] = true;
  }
  const keep = p.keepdims ?? true;
  const outDims = keep ? dims.map((d, i) => (reduced[i] ? 1 : d)) : dims.filter((_, i) => !reduced[i]);
  return { reduced, outDims };
}

/** For each output element (row-major), the flat input indices it reduces, in input order. */
function groups(dims: readonly number[], reduced: readonly boolean[]): number[][] {
  const rank = dims.length;
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = reduced[i] ? 0 : s;
    if (!reduced[i]) s *= dims[i];
  }
  const out: number[][] = Array.from({ length: s }, () => []);
  const total = dims.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < total; i++) {
    out[o].push(i);
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      o += outStrides[a];
      if (idx[a] < dims[a]) break;
      o -= outStrides[a] * idx[a];
      idx[a] = 0;
    }
  }
  return out;
}

export function reduceRef(name: ReduceName, x: Tensor, p: ReduceAxes = {}): Tensor {
  const def: ReduceDef = REDUCE_TABLE[name];
  const g = reduceGeometry(x.dims, p);
  const gs = groups(x.dims, g.reduced);
  if (isFloatDType(x.dtype)) {
    const xs = readFloats(x);
    return floatTensor(
      x.dtype,
      g.outDims,
      gs.map((ix) => def.float(ix.map((i) => xs[i]))),
    );
  }
  if (x.dtype === 'bool' && (name === 'ReduceMax' || name === 'ReduceMin')) {
    // Opset 20's bool reductions: max is any, min is all; an empty set gives the type's lowest
    // value (false) for max and its highest (true) for min.
    const b = x.data as Uint8Array;
    const any = name === 'ReduceMax';
    const out = Uint8Array.from(gs, (ix) =>
      any ? (ix.some((i) => b[i]) ? 1 : 0) : ix.every((i) => b[i]) ? 1 : 0,
    );
    return { dtype: 'bool', dims: g.outDims, data: out };
  }
  if (!def.big || x.dtype === 'bool') throw new Error(`${name} does not take ${x.dtype} tensors`);
  const big = isBigIntDType(x.dtype);
  const values = (i: number) => (big ? (x.data[i] as bigint) : BigInt(x.data[i] as number));
  const out = allocData(x.dtype, gs.length);
  const bits = x.data.BYTES_PER_ELEMENT * 8;
  const unsigned = x.dtype.startsWith('u');
  gs.forEach((ix, o) => {
    // An empty group (a zero-size axis) reduces to the identity: 0 for sums, 1 for products.
    if (ix.length === 0 && (name === 'ReduceMax' || name === 'ReduceMin'))
      throw new Error(`${name} of an empty set of ${x.dtype} values has no value`);
    const r = ix.length === 0 ? (name === 'ReduceProd' ? 1n : 0n) : def.big!(ix.map(values));
    const wrapped = unsigned ? BigInt.asUintN(bits, r) : BigInt.asIntN(bits, r);
    (out as unknown as (number | bigint)[])[o] = big ? wrapped : Number(wrapped);
  });
  return { dtype: x.dtype, dims: g.outDims, data: out };
}

/**
 * ArgMax / ArgMin along one axis into int64 indices; ties go to the first index, or the last with
 * `selectLast` (opset 12+). NaN counts as the extreme, as onnxruntime's comparisons leave it.
 */
export function argReduceRef(
  kind: 'ArgMax' | 'ArgMin',
  x: Tensor,
  axis: number,
  keepdims: boolean,
  selectLast: boolean,
): Tensor {
  const rank = x.dims.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  if (x.dtype === 'bool') throw new Error(`${kind} does not take bool tensors`);
  const outer = x.dims.slice(0, a).reduce((p, d) => p * d, 1);
  const len = x.dims[a];
  const inner = x.dims.slice(a + 1).reduce((p, d) => p * d, 1);
  if (len === 0) throw new Error(`${kind} along an empty axis has no index`);
  const get: (i: number) => number | bigint = isFloatDType(x.dtype)
    ? (
        (xs) => (i: number) =>
          xs[i]
      )(readFloats(x))
    : (i) => x.data[i] as number | bigint;
  const better =
    kind === 'ArgMax'
      ? (v: number | bigint, m: number | bigint) => v > m
      : (v: number | bigint, m: number | bigint) => v < m;
  const out = new BigInt64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = 0;
      let m = get(base);
      for (let k = 1; k < len; k++) {
        const v = get(base + k * inner);
        if (better(v, m) || (selectLast && v === m)) {
          best = k;
          m = v;
        }
      }
      out[o * inner + i] = BigInt(best);
    }
  }
  const dims = keepdims ? x.dims.map((d, k) => (k === a ? 1 : d)) : x.dims.filter((_, k) => k !== a);
  return { dtype: 'int64', dims, data: out };
}
