// Add/Sub/Mul/Div/Pow/Sum/Sqrt: curated edge cases on the reference functions, then seeded random
// cases (random broadcasting layouts, dtypes and opsets) through our CPU interpreter against
// onnxruntime-node: exact for integers and for float + - * / sqrt (f32 rounding of the f64
// result is the correctly rounded answer), 1e-6 relative for float Pow.
import { describe, expect, it } from 'vitest';
import {
  binaryMathRef,
  cPow,
  powTakesShortcut,
  sqrtRef,
  sumRef,
} from '../../kernels/elementwise/elementwise.ref.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
} from './tensor-oracle.helper.js';

const f32 = (dims: number[], v: number[]) => makeTensor('float32', dims, v);
const i32 = (dims: number[], v: number[]) => makeTensor('int32', dims, v);
const i64 = (dims: number[], v: bigint[]) => makeTensor('int64', dims, BigInt64Array.from(v));
const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

describe('binary math: curated', () => {
  it('broadcasts [3,1] x [1,4] to [3,4]', () => {
    const c = binaryMathRef('Sub', f32([3, 1], [10, 20, 30]), f32([1, 4], [1, 2, 3, 4]));
    expect(c.dims).toEqual([3, 4]);
    expect(values(c)).toEqual([9, 8, 7, 6, 19, 18, 17, 16, 29, 28, 27, 26]);
  });

  it('rank-0 with rank-0, and rank-0 with a vector', () => {
    const s = binaryMathRef('Mul', f32([], [3]), f32([], [-2]));
    expect(s.dims).toEqual([]);
    expect(values(s)).toEqual([-6]);
    const v = binaryMathRef('Add', f32([], [1]), f32([3], [1, 2, 3]));
    expect(v.dims).toEqual([3]);
    expect(values(v)).toEqual([2, 3, 4]);
  });

  it('an empty dimension broadcasts to an empty result', () => {
    const e = binaryMathRef('Add', f32([0, 3], []), f32([3], [1, 2, 3]));
    expect(e.dims).toEqual([0, 3]);
    expect(e.data.length).toBe(0);
  });

  it('refuses incompatible shapes and mixed types', () => {
    expect(() => binaryMathRef('Add', f32([2], [1, 2]), f32([3], [1, 2, 3]))).toThrow(/broadcast/);
    expect(() => binaryMathRef('Add', f32([1], [1]), i32([1], [1]))).toThrow(/one type/);
  });

  it('float32 results are the float32 rounding of the exact result', () => {
    const c = binaryMathRef('Add', f32([], [0.1]), f32([], [0.2]));
    expect(c.data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    expect(values(binaryMathRef('Div', f32([3], [1, -1, 0]), f32([3], [0, 0, 0])))).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
  });

  it('integer Div truncates toward zero; division by zero throws', () => {
    expect(values(binaryMathRef('Div', i32([4], [7, -7, 7, -7]), i32([4], [2, 2, -2, -2])))).toEqual([
      3, -3, -3, 3,
    ]);
    const q = binaryMathRef('Div', i64([2], [-7n, INT64_MIN]), i64([2], [2n, 3n]));
    expect(Array.from(q.data as BigInt64Array)).toEqual([-3n, INT64_MIN / 3n]);
    expect(() => binaryMathRef('Div', i32([1], [1]), i32([1], [0]))).toThrow(/division by zero/);
  });

  it('integers wrap: int32 products keep their low bits, int64 wraps at 2^63', () => {
    expect(values(binaryMathRef('Mul', i32([1], [0x7fffffff]), i32([1], [0x7fffffff])))).toEqual([1]);
    expect(
      values(binaryMathRef('Add', makeTensor('int8', [1], [127]), makeTensor('int8', [1], [1]))),
    ).toEqual([-128]);
    expect(
      values(binaryMathRef('Sub', makeTensor('uint8', [1], [0]), makeTensor('uint8', [1], [1]))),
    ).toEqual([255]);
    const w = binaryMathRef('Add', i64([2], [INT64_MAX, INT64_MIN]), i64([2], [1n, -1n]));
    expect(Array.from(w.data as BigInt64Array)).toEqual([INT64_MIN, INT64_MAX]);
  });

  it('Pow: the x*x shortcut only where onnxruntime takes it', () => {
    expect(powTakesShortcut([2, 3], [2, 1])).toBe(true);
    expect(powTakesShortcut([2, 3], [])).toBe(true);
    expect(powTakesShortcut([2, 3], [3])).toBe(false);
    expect(powTakesShortcut([1], [3])).toBe(false);
    expect(powTakesShortcut([3, 1], [1, 4])).toBe(false);
    expect(powTakesShortcut([2, 3, 1], [2, 1, 1])).toBe(true);
    // 100000^2 overflows int32: wraps with the shortcut, INT_MIN through pow() and static_cast.
    expect(values(binaryMathRef('Pow', i32([2], [100000, 3]), i32([], [2])))).toEqual([1410065408, 9]);
    expect(values(binaryMathRef('Pow', i32([2], [100000, 3]), i32([2], [2, 2])))).toEqual([-2147483648, 9]);
    expect(values(binaryMathRef('Pow', i32([3], [2, 2, 0]), f32([3], [-1, 0.5, 0])))).toEqual([0, 1, 1]);
  });

  it("cPow follows C's pow for +-1 bases", () => {
    expect(cPow(1, Number.NaN)).toBe(1);
    expect(cPow(-1, Number.POSITIVE_INFINITY)).toBe(1);
    expect(cPow(Number.NaN, 0)).toBe(1);
    expect(cPow(-8, 1 / 3)).toBeNaN();
  });

  it('Sum adds left to right with broadcasting; one input is a copy', () => {
    const s = sumRef([f32([2, 1], [1, 2]), f32([3], [10, 20, 30]), f32([], [100])]);
    expect(s.dims).toEqual([2, 3]);
    expect(values(s)).toEqual([111, 121, 131, 112, 122, 132]);
    const one = f32([2], [1, 2]);
    expect(sumRef([one]).data).not.toBe(one.data);
    expect(values(sumRef([one]))).toEqual([1, 2]);
  });

  it('Sqrt of negatives is NaN; integers are refused', () => {
    expect(values(sqrtRef(f32([3], [4, -1, 2])))).toEqual([2, Number.NaN, Math.fround(Math.SQRT2)]);
    expect(() => sqrtRef(i32([1], [4]))).toThrow(/float/);
  });
});

/** Random input shapes that broadcast together: drop leading dims, set some dims to 1. */
function broadcastPartners(r: () => number, count: number): number[][] {
  const out = randomDims(r, 0, 4);
  return Array.from({ length: count }, () => {
    const drop = randInt(r, 0, out.length);
    return out.slice(drop).map((d) => (r() < 0.3 ? 1 : d));
  });
}

const one = (
  op: string,
  opset: number,
  ins: Tensor[],
  outDtype: DType,
  attrs?: OneNode['attrs'],
): OneNode => ({
  op,
  opset,
  inputs: ins.map((t, i) => [`x${i}`, t]),
  outputs: [{ name: 'y', dtype: outDtype }],
  attrs,
});

describe('binary math vs onnxruntime: random', () => {
  const dtypes: Array<[DType, number, number]> = [
    ['float32', -50, 50],
    ['float64', -50, 50],
    ['int32', -(2 ** 31), 2 ** 31 - 1],
    ['int64', -1e15, 1e15],
    ['int8', -128, 127],
    ['uint8', 0, 255],
  ];
  for (const op of ['Add', 'Sub', 'Mul', 'Div'] as const) {
    for (const [dtype, lo, hi] of dtypes) {
      it(`${op} ${dtype}`, async () => {
        const r = rng(op.length * 1000 + lo);
        for (let k = 0; k < 6; k++) {
          const [da, db] = broadcastPartners(r, 2);
          const a = randomTensor(r, dtype, da, lo, hi);
          const b = randomTensor(r, dtype, db, lo, hi);
          if (op === 'Div' && !dtype.startsWith('float')) {
            // Integer division by zero is undefined behaviour in onnxruntime: keep divisors nonzero.
            const e = b.data as unknown as Array<number | bigint>;
            for (let i = 0; i < e.length; i++)
              if (e[i] === 0 || e[i] === 0n) e[i] = typeof e[i] === 'bigint' ? 3n : 3;
          }
          // ONNX allows 8- and 16-bit integers in these ops from opset 14.
          const opset = dtype.endsWith('int8') ? 14 : pick(r, [7, 13, 14]);
          await expectMatchesOrt(
            one(op, opset, [a, b], dtype),
            0,
            `${op} ${dtype} [${da}]x[${db}] opset ${opset}`,
          );
        }
      });
    }
  }
});

describe('Pow, Sum, Sqrt vs onnxruntime: random', () => {
  it('float bases with float, int and the special 2 and 3 exponents', async () => {
    const r = rng(77);
    for (let k = 0; k < 24; k++) {
      const [da, db] = broadcastPartners(r, 2);
      const baseType = pick(r, ['float32', 'float64'] as const);
      const expType = pick(r, ['float32', 'float64', 'int32', 'int64'] as const);
      const positive = r() < 0.5; // negative bases only with integral exponents (else NaN)
      const a = randomTensor(r, baseType, da, positive ? 0 : -5, 5);
      const b = randomTensor(r, expType, db, -3, 3);
      if (!positive || !expType.startsWith('float')) {
        const e = b.data as unknown as Array<number | bigint>;
        for (let i = 0; i < e.length; i++)
          e[i] = typeof e[i] === 'bigint' ? BigInt(Math.round(Number(e[i]))) : Math.round(Number(e[i]));
      }
      if (r() < 0.4 && b.data.length > 0)
        (b.data as unknown as Array<number | bigint>)[0] = expType === 'int64' ? 3n : 3;
      // Exact where onnxruntime multiplies (x^2, x^3), 1e-6 where it calls powf/pow.
      await expectMatchesOrt(
        one('Pow', 15, [a, b], baseType),
        1e-6,
        `Pow ${baseType}^${expType} [${da}]^[${db}]`,
      );
    }
  });

  it('float32 x^3 with a scalar exponent rounds twice, exactly like onnxruntime', async () => {
    const r = rng(5);
    const a = randomTensor(r, 'float32', [64], -100, 100);
    await expectMatchesOrt(one('Pow', 13, [a, makeTensor('float32', [], [3])], 'float32'), 0, 'Pow x^3');
    await expectMatchesOrt(one('Pow', 13, [a, makeTensor('float32', [1], [2])], 'float32'), 0, 'Pow x^2');
  });

  it('integer bases (overflowing squares included)', async () => {
    const r = rng(78);
    for (let k = 0; k < 20; k++) {
      const [da, db] = broadcastPartners(r, 2);
      const baseType = pick(r, ['int32', 'int64'] as const);
      const expType = pick(r, ['int32', 'int64', 'float32'] as const);
      const big = r() < 0.3;
      const a = randomTensor(r, baseType, da, big ? -200000 : -30, big ? 200000 : 30);
      const b = randomTensor(r, expType, db, 0, 4);
      if (expType === 'float32')
        for (let i = 0; i < b.data.length; i++)
          (b.data as Float32Array)[i] = Math.round(Number(b.data[i]) * 2) / 2;
      await expectMatchesOrt(
        one('Pow', 15, [a, b], baseType),
        0,
        `Pow ${baseType}^${expType} [${da}]^[${db}]`,
      );
    }
  });

  it('Sum of 1 to 4 broadcast inputs', async () => {
    const r = rng(79);
    for (let k = 0; k < 16; k++) {
      const count = randInt(r, 1, 4);
      const dtype = pick(r, ['float32', 'float64'] as const); // ONNX Sum is float-only
      const ins = broadcastPartners(r, count).map((d) => randomTensor(r, dtype, d, -1000, 1000));
      const opset = pick(r, [8, 13]);
      await expectMatchesOrt(
        one('Sum', opset, ins, dtype),
        0,
        `Sum ${dtype} ${ins.map((t) => `[${t.dims}]`).join('+')}`,
      );
    }
  });

  it('Sqrt of float32 and float64, negatives and zeros included', async () => {
    const r = rng(80);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randomTensor(r, dtype, [5, 7], -5, 1e6);
      (x.data as Float32Array)[0] = -0;
      (x.data as Float32Array)[1] = 0;
      await expectMatchesOrt(one('Sqrt', 13, [x], dtype), 0, `Sqrt ${dtype}`);
    }
  });
});
