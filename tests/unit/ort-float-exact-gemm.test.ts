// Bit-exactness of our float32 MatMul / Gemm / Conv references with onnxruntime-node's CPU
// kernels on this host (x86-64 AVX512F, 2 intra-op threads, MLAS SGEMM) at graph optimization
// 'disabled', as on the unfused QDQ path: every element compared with Object.is. The shapes
// exercise MLAS's K blocks (128, and 256+ when N is small), its M == 1 / N == 1 kernels (4-deep
// mul-add groups, 8-lane dot products), the 2-thread split of N or M, alpha/beta, prepacked
// constant weights, and every Conv algorithm (direct 1x1 GEMM, full im2col, segmented im2col).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { gemm, matmul } from '../../kernels/matmul/matmul.ref.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import { type OneNodeCase, oneNodeModel, randInt, randomFloats, rng, runOurs } from './nn-oracle.helper.js';
import { QUIET } from '../helpers/ort-quiet.js';

async function runOrtDisabled(c: OneNodeCase): Promise<Tensor> {
  const session = await ort.InferenceSession.create(oneNodeModel(c), {
    ...QUIET,
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
  });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of c.inputs)
    if (t && !c.constants?.includes(k))
      feeds[k] = new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as never, [...t.dims]);
  const out = await session.run(feeds);
  await session.release();
  const v = out.Y;
  return makeTensor(v.type as DType, v.dims as number[], v.data as never);
}

/** Counts elements whose bits differ (Object.is), and describes the first. */
function diff(ours: Tensor, theirs: Tensor): string {
  expect([...ours.dims]).toEqual([...theirs.dims]);
  const a = ours.data as Float32Array;
  const b = theirs.data as Float32Array;
  let differ = 0;
  let first = -1;
  for (let i = 0; i < b.length; i++)
    if (!Object.is(a[i], b[i])) {
      differ++;
      if (first < 0) first = i;
    }
  return differ ? `${differ}/${b.length} differ; first at ${first}: ours ${a[first]}, ort ${b[first]}` : '';
}

/**
 * Ours through the interpreter, or for a constant (onnxruntime-prepacked) B straight through the
 * reference with constantB, which the interpreter's adapter does not pass yet.
 */
async function expectExact(c: OneNodeCase, label: string): Promise<void> {
  const theirs = await runOrtDisabled(c);
  const ours = c.constants?.includes('B') ? direct(c) : runOurs(c).get('Y')!;
  const d = diff(ours, theirs);
  if (d) expect.fail(`${label}: ${d}`);
}

function direct(c: OneNodeCase): Tensor {
  const [a, b, cc] = c.inputs.map(([, t]) => t);
  if (c.op === 'MatMul') return matmul(a!, b!, { constantB: true });
  const at = (c.attrs ?? {}) as Record<string, number>;
  const p = { transA: at.transA === 1, transB: at.transB === 1, alpha: at.alpha, beta: at.beta };
  return gemm(a!, b!, cc, p, { constantB: true });
}

function matmulCase(r: () => number, aDims: number[], bDims: number[], constantB = false): OneNodeCase {
  return {
    op: 'MatMul',
    opset: 13,
    inputs: [
      ['A', randomFloats(r, aDims, -2, 2)],
      ['B', randomFloats(r, bDims, -2, 2)],
    ],
    constants: constantB ? ['B'] : [],
  };
}

describe('MatMul f32 is bit-exact with onnxruntime (MLAS SGEMM)', () => {
  const r = rng(404);
  const shapes: Array<[number[], number[]]> = [
    [
      [3, 5],
      [5, 4],
    ],
    [
      [7, 37],
      [37, 9],
    ],
    [
      [16, 130],
      [130, 20],
    ],
    [
      [8, 300],
      [300, 40],
    ],
    [
      [5, 700],
      [700, 12],
    ],
    [
      [40, 200],
      [200, 300],
    ],
    [
      [64, 129],
      [129, 64],
    ],
    [
      [1, 50],
      [50, 33],
    ],
    [
      [1, 1280],
      [1280, 100],
    ],
    [
      [9, 77],
      [77, 1],
    ],
    [
      [2, 4, 30],
      [30, 17],
    ],
    [
      [3, 6, 70],
      [3, 70, 19],
    ],
    [
      [2, 1, 5, 33],
      [4, 33, 8],
    ],
    [[33], [33, 6]],
  ];
  it('fixed shapes: K blocks, M == 1 / N == 1 kernels, thread splits, batches, 1-D operands', async () => {
    for (const [a, b] of shapes) await expectExact(matmulCase(r, a, b), `[${a}] x [${b}]`);
  });
  it('constant (prepacked) B: 256-deep K blocks, no M == 1 kernel', async () => {
    for (const [a, b] of [
      [
        [1, 700],
        [700, 30],
      ],
      [
        [10, 300],
        [300, 50],
      ],
      [
        [2, 3, 520],
        [520, 9],
      ],
      [
        [4, 100],
        [100, 1],
      ],
    ])
      await expectExact(matmulCase(r, a, b, true), `[${a}] x const [${b}]`);
  });
  it('random shapes', async () => {
    for (let t = 0; t < 40; t++) {
      const m = randInt(r, 1, 40);
      const k = randInt(r, 1, 600);
      const n = randInt(r, 1, 70);
      await expectExact(matmulCase(r, [m, k], [k, n]), `[${m},${k}] x [${k},${n}]`);
    }
  });
});

describe('Gemm f32 is bit-exact with onnxruntime (C copied into Y, then MLAS alpha/beta)', () => {
  const r = rng(505);
  function gemmCase(
    m: number,
    k: number,
    n: number,
    attrs: Record<string, AttrInput>,
    cDims?: number[],
    constantB = false,
  ): OneNodeCase {
    const transA = attrs.transA === 1;
    const transB = attrs.transB === 1;
    return {
      op: 'Gemm',
      opset: 13,
      inputs: [
        ['A', randomFloats(r, transA ? [k, m] : [m, k], -2, 2)],
        ['B', randomFloats(r, transB ? [n, k] : [k, n], -2, 2)],
        ['C', cDims ? randomFloats(r, cDims, -3, 3) : undefined],
      ],
      attrs,
      constants: constantB ? ['B'] : [],
    };
  }
  it('transA/transB, alpha/beta, every C broadcast, M == 1 heads, constant (prepacked) B', async () => {
    const cases: Array<[number, number, number, Record<string, AttrInput>, number[] | undefined, boolean?]> =
      [
        [1, 1280, 100, { transB: 1 }, [100]],
        [1, 300, 10, { transB: 1 }, [1, 10], true],
        [1, 70, 30, {}, [30]],
        [7, 200, 45, { transA: 1 }, [7, 1]],
        [12, 150, 33, { transA: 1, transB: 1, alpha: 0.75, beta: 1.5 }, [12, 33]],
        [5, 40, 6, { alpha: 2.5 }, [1]],
        [5, 40, 6, { beta: 0.5 }, []],
        [20, 520, 40, { transB: 1 }, [40]],
        [20, 520, 40, { transB: 1 }, [40], true],
        [3, 900, 8, {}, undefined, true],
        [64, 64, 200, { transB: 1, alpha: 0.5 }, [200]],
        [2, 33, 1, {}, [1]],
      ];
    for (const [m, k, n, attrs, cDims, constantB] of cases)
      await expectExact(
        gemmCase(m, k, n, attrs, cDims, constantB),
        `Gemm ${m}x${k}x${n} ${JSON.stringify(attrs)} C [${cDims}]${constantB ? ' const B' : ''}`,
      );
  });
});

describe('Conv f32 is bit-exact with onnxruntime (MlasConv: im2col + SGEMM, bias last)', () => {
  const r = rng(606);
  interface ConvCase {
    n?: number;
    c: number;
    m: number;
    spatial: number[];
    kernel: number[];
    group?: number;
    strides?: number[];
    pads?: number[];
    dilations?: number[];
    bias?: boolean;
  }
  async function check(cc: ConvCase): Promise<void> {
    const group = cc.group ?? 1;
    const attrs: Record<string, AttrInput> = { kernel_shape: cc.kernel, group };
    if (cc.strides) attrs.strides = cc.strides;
    if (cc.pads) attrs.pads = cc.pads;
    if (cc.dilations) attrs.dilations = cc.dilations;
    const c: OneNodeCase = {
      op: 'Conv',
      opset: 11,
      inputs: [
        ['X', randomFloats(r, [cc.n ?? 1, cc.c, ...cc.spatial], -2, 2)],
        ['W', randomFloats(r, [cc.m, cc.c / group, ...cc.kernel], -1, 1)],
        ['B', cc.bias === false ? undefined : randomFloats(r, [cc.m], -1, 1)],
      ],
      attrs,
    };
    await expectExact(c, `Conv ${JSON.stringify(cc)}`);
  }
  it('1x1 (direct GEMM, threaded or per batch/group), K blocks over 128 and 256', async () => {
    await check({ c: 16, m: 24, spatial: [14, 14], kernel: [1, 1] });
    await check({ c: 300, m: 40, spatial: [7, 9], kernel: [1, 1] });
    await check({ c: 600, m: 20, spatial: [4, 5], kernel: [1, 1], bias: false });
    await check({ n: 2, c: 32, m: 16, spatial: [9, 9], kernel: [1, 1] });
    await check({ c: 32, m: 32, spatial: [6, 6], kernel: [1, 1], group: 4 });
    await check({ c: 8, m: 1, spatial: [20, 20], kernel: [1, 1] });
  });
  it('3x3 padded / strided / dilated (segmented im2col, 2-thread N split, full im2col when M > N)', async () => {
    await check({ c: 3, m: 16, spatial: [32, 32], kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    await check({ c: 24, m: 32, spatial: [28, 28], kernel: [3, 3], pads: [1, 1, 1, 1] });
    await check({ c: 64, m: 48, spatial: [9, 11], kernel: [3, 3], pads: [1, 0, 1, 2], dilations: [2, 1] });
    await check({ c: 40, m: 96, spatial: [5, 5], kernel: [3, 3], pads: [1, 1, 1, 1] });
    await check({ c: 7, m: 5, spatial: [12, 10], kernel: [5, 3], strides: [1, 2], pads: [2, 1, 2, 1] });
    await check({ c: 1, m: 4, spatial: [6, 8], kernel: [3, 8] });
    await check({ c: 1, m: 1, spatial: [6, 8], kernel: [6, 1] });
  });
  it('depthwise (M == 1 kernel) and grouped, batches, 1-D and 3-D', async () => {
    await check({ c: 32, m: 32, spatial: [16, 16], kernel: [3, 3], group: 32, pads: [1, 1, 1, 1] });
    await check({
      c: 16,
      m: 16,
      spatial: [15, 15],
      kernel: [3, 3],
      group: 16,
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    });
    await check({ n: 2, c: 8, m: 8, spatial: [10, 10], kernel: [5, 5], group: 8, pads: [2, 2, 2, 2] });
    await check({ c: 12, m: 24, spatial: [8, 8], kernel: [3, 3], group: 3, pads: [1, 1, 1, 1] });
    await check({ c: 6, m: 4, spatial: [50], kernel: [5], pads: [2, 2] });
    await check({ c: 3, m: 4, spatial: [5, 6, 7], kernel: [2, 3, 3], pads: [0, 1, 1, 1, 1, 1] });
  });
  it('random 2-D cases', async () => {
    for (let t = 0; t < 30; t++) {
      const group = [1, 1, 2, 4][randInt(r, 0, 3)];
      const c = group * randInt(r, 1, 12);
      const m = group * randInt(r, 1, 10);
      const kernel = [randInt(r, 1, 4), randInt(r, 1, 4)];
      const pads = [randInt(r, 0, 1), randInt(r, 0, 1), randInt(r, 0, 1), randInt(r, 0, 1)];
      const spatial = [randInt(r, 4, 20), randInt(r, 4, 20)];
      await check({ c, m, spatial, kernel, group, pads, strides: [randInt(r, 1, 2), randInt(r, 1, 2)] });
    }
  });
});
