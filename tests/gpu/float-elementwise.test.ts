// elementwise.wgsl vs the references (activation.ref.ts, elementwise.ref.ts) on Dawn/SwiftShader.
// Tolerance: + - * and Relu/Clip/LeakyRelu/Cast exact; HardSigmoid/HardSwish 1e-6 relative + 1e-7 (f32
// vs the reference's one rounding), Div 3e-7, Sqrt, Pow and the exp-based activations within 2e-6
// relative + 1e-7 absolute (WGSL's ULP bounds for /, exp, pow).
import { describe, expect, it } from 'vitest';
import * as act from '../../kernels/activation/activation.ref.js';
import {
  binaryMathRef,
  type BinaryMathOp,
  powTakesShortcut,
  sqrtRef,
} from '../../kernels/elementwise/elementwise.ref.js';
import {
  type BinaryOp,
  prepareBinary,
  prepareUnary,
  type UnaryOp,
} from '../../kernels/elementwise/elementwise.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

const EDGES = [0, -0, 1, -1, 0.5, -0.5, 1e-8, -1e-8, 3, -3, 6, -6, 20, -20, 88, -88, 1e30, -1e30, Number.NaN];

async function unaryGpu(op: UnaryOp, x: Float32Array, alpha?: number, beta?: number): Promise<Float32Array> {
  const ctx = await gpu();
  const out = await runOnGpu(ctx, [x], x.length * 4, ([xb], y) =>
    prepareUnary(ctx, xb, y, { op, count: x.length, alpha, beta }),
  );
  return new Float32Array(out);
}

const unaryCases: [UnaryOp, (t: Tensor) => Tensor, number, number, number?, number?][] = [
  ['Relu', act.relu, 0, 0],
  ['Clip', (t) => act.clip(t, -0.5, 2), 0, 0, -0.5, 2],
  ['LeakyRelu', (t) => act.leakyRelu(t, 0.1), 0, 0, Math.fround(0.1)],
  ['HardSigmoid', (t) => act.hardSigmoid(t, 0.2, 0.5), 1e-6, 1e-7, Math.fround(0.2), 0.5],
  ['HardSwish', act.hardSwish, 1e-6, 1e-7],
  ['Sigmoid', act.sigmoid, 2e-6, 1e-7],
  ['Tanh', act.tanh, 2e-6, 1e-7],
  ['Erf', act.erf, 2e-6, 1e-7],
  ['Sqrt', sqrtRef, 2e-6, 0],
];

describe('elementwise unary (f32)', () => {
  for (const [op, ref, rtol, atol, alpha, beta] of unaryCases) {
    it(`${op} edges and 3000 random values`, async () => {
      const rand = rng(op.length * 7919);
      const values = [...EDGES, ...randomFloats(rand, 3000, -8, 8)];
      const x = Float32Array.from(op === 'Sqrt' ? values.map(Math.abs) : values);
      const expected = ref(makeTensor('float32', [x.length], x)).data as Float32Array;
      expectClose(await unaryGpu(op, x, alpha, beta), expected, rtol, atol);
    });
  }

  it('Cast int32 -> float32 rounds like a Float32Array store', async () => {
    const ints = Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 16777217, -16777219, 123456789]);
    const ctx = await gpu();
    const out = await runOnGpu(ctx, [ints], ints.length * 4, ([xb], y) =>
      prepareUnary(ctx, xb, y, { op: 'CastInt32ToFloat32', count: ints.length }),
    );
    expect(Array.from(new Float32Array(out))).toEqual(Array.from(Float32Array.from(ints)));
  });
});

async function binaryGpu(op: BinaryOp, a: Tensor, b: Tensor) {
  const ctx = await gpu();
  let dims: number[] = [];
  const count = a.dims.length || b.dims.length ? Math.max(a.data.length, b.data.length) : 1;
  const outCount = (await import('../../kernels/broadcast/broadcast.js'))
    .broadcastShapes(a.dims, b.dims)
    .reduce((s, d) => s * d, 1);
  const out = await runOnGpu(ctx, [a.data, b.data], Math.max(count, outCount) * 4, async ([ab, bb], y) => {
    const r = await prepareBinary(ctx, ab, bb, y, { op, aDims: a.dims, bDims: b.dims });
    dims = r.dims;
    return r.dispatch;
  });
  return { dims, data: new Float32Array(out, 0, outCount) };
}

const shapes: [number[], number[]][] = [
  [[7], [7]],
  [[2, 3, 5], [5]],
  [
    [2, 1, 5],
    [3, 1],
  ],
  [[1], [4, 3]],
  [[], [3, 2]],
  [
    [3, 1, 4, 1],
    [1, 2, 1, 3],
  ],
];

describe('elementwise binary (f32, broadcasting)', () => {
  const ops: [BinaryMathOp, number][] = [
    ['Add', 0],
    ['Sub', 0],
    ['Mul', 0],
    ['Div', 3e-7],
    ['Pow', 2e-6],
  ];
  for (const [op, rtol] of ops) {
    for (const [ad, bd] of shapes) {
      it(`${op} a=[${ad}] b=[${bd}]`, async () => {
        const rand = rng(ad.length * 31 + bd.length * 7 + op.length);
        const n = (d: number[]) => d.reduce((s, v) => s * v, 1);
        const a = makeTensor('float32', ad, randomFloats(rand, n(ad), op === 'Pow' ? 0.1 : -4, 4));
        const b = makeTensor('float32', bd, randomFloats(rand, n(bd), -3, 3));
        const expected = binaryMathRef(op, a, b);
        const got = await binaryGpu(op, a, b);
        expect(got.dims).toEqual(expected.dims);
        expectClose(got.data, expected.data as Float32Array, rtol, 1e-30);
      });
    }
  }

  it('Pow: negative bases with integer exponents, zero bases, and the x*x / x*x*x shortcut', async () => {
    const a = makeTensor('float32', [8], [-2, -3, 0, 0, -0.5, 2, 1, -1]);
    const b = makeTensor('float32', [8], [3, 2, 2, -1, 0.5, 0, Number.NaN, 4]);
    const got = await binaryGpu('Pow', a, b);
    expectClose(got.data, binaryMathRef('Pow', a, b).data as Float32Array, 2e-6);
    const base = makeTensor('float32', [4], [1.1, -2.3, 3.7, 1e-3]);
    for (const [e, op] of [
      [2, 'PowSquare'],
      [3, 'PowCube'],
    ] as const) {
      const exp = makeTensor('float32', [], [e]);
      expect(powTakesShortcut(base.dims, exp.dims)).toBe(true);
      const r = await binaryGpu(op, base, exp);
      expect(Array.from(r.data)).toEqual(Array.from(binaryMathRef('Pow', base, exp).data as Float32Array));
    }
  });
});
