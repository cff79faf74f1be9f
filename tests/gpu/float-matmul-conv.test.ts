// matmul.wgsl and conv2d.wgsl vs matmul.ref.ts / conv2d.ref.ts (f64 sums rounded once).
// Tolerance: 1e-5 relative to the sum of |terms| of each output (f32 FMA accumulation order
// differs from the reference's), i.e. |got - ref| <= 1e-5 * (sum |a||b| + |bias|) + 1e-30.
import { describe, expect, it } from 'vitest';
import { conv } from '../../kernels/conv2d/conv2d.ref.js';
import { prepareConv2d } from '../../kernels/conv2d/conv2d.js';
import { gemm, matmul } from '../../kernels/matmul/matmul.ref.js';
import { type FusedFloatActivation, prepareMatMul } from '../../kernels/matmul/matmul.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** Compares against the reference and against the reference run on |inputs| (the error scale). */
function expectWithinSumScale(got: Float32Array, expected: Tensor, scale: Tensor, rtol = 1e-5): void {
  expect(got.length).toBe(expected.data.length);
  for (let i = 0; i < got.length; i++) {
    const e = expected.data[i] as number;
    const bound = rtol * (scale.data[i] as number) + 1e-30;
    if (!(Math.abs(got[i] - e) <= bound))
      expect.fail(`element ${i}: got ${got[i]}, expected ${e} (bound ${bound})`);
  }
}

const absT = (t: Tensor) =>
  makeTensor('float32', t.dims, Float32Array.from(t.data as Float32Array, Math.abs));

function applyAct(t: Tensor, act: FusedFloatActivation): Tensor {
  const f = (v: number) =>
    act.kind === 'relu' ? Math.max(v, 0) : act.kind === 'clip' ? Math.min(Math.max(v, act.min), act.max) : v;
  return makeTensor('float32', t.dims, Float32Array.from(t.data as Float32Array, f));
}

describe('matmul.wgsl (MatMul / Gemm)', () => {
  const matmulCases: [number[], number[]][] = [
    [
      [1, 1],
      [1, 1],
    ],
    [
      [3, 5],
      [5, 7],
    ],
    [
      [65, 17],
      [17, 130],
    ],
    [
      [1, 100],
      [100, 10],
    ],
    [
      [2, 3, 33, 9],
      [9, 70],
    ],
    [
      [4, 1, 5, 6],
      [3, 6, 2],
    ],
    [[8], [8, 3]],
    [[2, 4, 8], [8]],
    // One row (one row per invocation) with B read as vec4 columns; batched vec4 B windows.
    [
      [1, 64],
      [64, 12],
    ],
    [
      [2, 1, 6, 7],
      [4, 7, 8],
    ],
  ];
  for (const [ad, bd] of matmulCases) {
    it(`MatMul a=[${ad}] b=[${bd}]`, async () => {
      const rand = rng(size(ad) + 3 * size(bd));
      const a = makeTensor('float32', ad, randomFloats(rand, size(ad)));
      const b = makeTensor('float32', bd, randomFloats(rand, size(bd)));
      const expected = matmul(a, b);
      const ctx = await gpu();
      let dims: number[] = [];
      const out = await runOnGpu(ctx, [a.data, b.data], expected.data.length * 4, async ([ab, bb], y) => {
        const r = await prepareMatMul(ctx, ab, bb, undefined, y, { aDims: ad, bDims: bd });
        dims = r.dims;
        return r.dispatch;
      });
      expect(dims).toEqual(expected.dims);
      expectWithinSumScale(new Float32Array(out), expected, matmul(absT(a), absT(b)));
    });
  }

  const gemmCases: {
    m: number;
    k: number;
    n: number;
    transA: boolean;
    transB: boolean;
    c: number[] | null;
    alpha: number;
    beta: number;
    act: FusedFloatActivation;
  }[] = [
    { m: 3, k: 4, n: 5, transA: false, transB: false, c: [3, 5], alpha: 1, beta: 1, act: { kind: 'none' } },
    { m: 70, k: 33, n: 66, transA: true, transB: true, c: [66], alpha: 0.5, beta: 2, act: { kind: 'relu' } },
    {
      m: 7,
      k: 20,
      n: 3,
      transA: false,
      transB: true,
      c: [7, 1],
      alpha: -1.5,
      beta: 0.25,
      act: { kind: 'clip', min: -0.5, max: 0.75 },
    },
    { m: 2, k: 9, n: 4, transA: true, transB: false, c: [], alpha: 1, beta: 1, act: { kind: 'none' } },
    { m: 5, k: 6, n: 4, transA: false, transB: false, c: null, alpha: 2, beta: 1, act: { kind: 'none' } },
    { m: 5, k: 6, n: 4, transA: false, transB: false, c: [5, 4], alpha: 1, beta: 0, act: { kind: 'none' } },
  ];
  for (const g of gemmCases) {
    it(`Gemm m=${g.m} k=${g.k} n=${g.n} transA=${g.transA} transB=${g.transB} c=[${g.c}] alpha=${g.alpha} beta=${g.beta} act=${g.act.kind}`, async () => {
      const rand = rng(g.m * 1000 + g.k * 10 + g.n);
      const ad = g.transA ? [g.k, g.m] : [g.m, g.k];
      const bd = g.transB ? [g.n, g.k] : [g.k, g.n];
      const a = makeTensor('float32', ad, randomFloats(rand, size(ad)));
      const b = makeTensor('float32', bd, randomFloats(rand, size(bd)));
      const c = g.c ? makeTensor('float32', g.c, randomFloats(rand, size(g.c))) : undefined;
      if (c && g.beta === 0) (c.data as Float32Array)[0] = Number.NaN; // beta = 0 must ignore C
      const p = { alpha: g.alpha, beta: g.beta, transA: g.transA, transB: g.transB };
      const expected = applyAct(gemm(a, b, c, p), g.act);
      const scale = gemm(absT(a), absT(b), c && absT(c), {
        ...p,
        alpha: Math.abs(g.alpha),
        beta: Math.abs(g.beta),
      });
      const ctx = await gpu();
      const inputs = c ? [a.data, b.data, c.data] : [a.data, b.data];
      const out = await runOnGpu(ctx, inputs, expected.data.length * 4, async ([ab, bb, cb], y) => {
        const r = await prepareMatMul(ctx, ab, bb, cb, y, {
          aDims: ad,
          bDims: bd,
          cDims: g.c ?? undefined,
          ...p,
          activation: g.act,
        });
        return r.dispatch;
      });
      expectWithinSumScale(new Float32Array(out), expected, scale);
    });
  }
});

describe('conv2d.wgsl', () => {
  interface ConvCase {
    x: number[];
    w: number[];
    group?: number;
    strides?: number[];
    dilations?: number[];
    pads?: number[];
    autoPad?: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
    bias?: boolean;
    act?: FusedFloatActivation;
    algorithm?: 'gemm' | 'direct';
    weightsVary?: boolean;
  }
  const cases: ConvCase[] = [
    { x: [1, 1, 5, 5], w: [1, 1, 3, 3] },
    { x: [1, 3, 9, 7], w: [8, 3, 3, 3], pads: [1, 1, 1, 1], bias: true, act: { kind: 'relu' } },
    {
      x: [2, 4, 11, 10],
      w: [6, 2, 3, 2],
      group: 2,
      strides: [2, 3],
      dilations: [2, 1],
      pads: [0, 2, 1, 0],
      bias: true,
    },
    {
      x: [1, 8, 7, 7],
      w: [8, 1, 3, 3],
      group: 8,
      pads: [1, 1, 1, 1],
      bias: true,
      act: { kind: 'clip', min: 0, max: 6 },
    },
    { x: [1, 8, 7, 7], w: [8, 1, 3, 3], group: 8, strides: [2, 2], autoPad: 'SAME_UPPER', algorithm: 'gemm' },
    { x: [1, 5, 13, 13], w: [70, 5, 1, 1], bias: true, algorithm: 'direct' },
    { x: [1, 5, 13, 13], w: [70, 5, 1, 1], bias: true },
    { x: [1, 3, 8, 8], w: [4, 3, 4, 4], autoPad: 'SAME_LOWER', strides: [2, 2] },
    { x: [2, 3, 17], w: [5, 3, 3], strides: [2], pads: [1, 2], bias: true },
    // Unpadded 1x1 convs over a multiple of 4 pixels take the vec4 pointwise entry point.
    { x: [2, 12, 6, 6], w: [20, 12, 1, 1], bias: true, act: { kind: 'relu' } },
    { x: [1, 8, 4, 4], w: [18, 4, 1, 1], group: 2, act: { kind: 'clip', min: -0.5, max: 0.5 } },
    // 1x1 with end pads: the output plane is not the input plane (no flat pointwise path).
    { x: [1, 4, 5, 6], w: [9, 4, 1, 1], pads: [0, 0, 1, 2], bias: true },
    // Weights repacked inside the recorded work (a non-constant w) instead of at prepare time.
    { x: [1, 6, 9, 11], w: [9, 6, 3, 3], pads: [1, 0, 2, 1], bias: true, weightsVary: true },
    { x: [1, 16, 8, 8], w: [12, 16, 1, 1], weightsVary: true },
  ];
  for (const c of cases) {
    const name = `conv x=[${c.x}] w=[${c.w}] g=${c.group ?? 1} s=[${c.strides ?? ''}] d=[${c.dilations ?? ''}] p=[${c.pads ?? c.autoPad ?? ''}] bias=${!!c.bias} act=${c.act?.kind ?? 'none'} ${c.algorithm ?? 'auto'}`;
    it(name, async () => {
      const rand = rng(size(c.x) + size(c.w));
      const x = makeTensor('float32', c.x, randomFloats(rand, size(c.x)));
      const w = makeTensor('float32', c.w, randomFloats(rand, size(c.w)));
      const bias = c.bias ? makeTensor('float32', [c.w[0]], randomFloats(rand, c.w[0])) : undefined;
      const p = {
        group: c.group,
        strides: c.strides,
        dilations: c.dilations,
        pads: c.pads,
        autoPad: c.autoPad,
      };
      const expected = applyAct(conv(x, w, bias, p), c.act ?? { kind: 'none' });
      const scale = conv(absT(x), absT(w), bias && absT(bias), p);
      const ctx = await gpu();
      let dims: number[] = [];
      const inputs = bias ? [x.data, w.data, bias.data] : [x.data, w.data];
      const out = await runOnGpu(ctx, inputs, expected.data.length * 4, async ([xb, wb, bb], y) => {
        const r = await prepareConv2d(ctx, xb, wb, bb, y, {
          xDims: c.x,
          wDims: c.w,
          ...p,
          activation: c.act,
          algorithm: c.algorithm,
          weightsVary: c.weightsVary,
        });
        dims = r.dims;
        return r.dispatches;
      });
      expect(dims).toEqual(expected.dims);
      expectWithinSumScale(new Float32Array(out), expected, scale);
    });
  }
});
