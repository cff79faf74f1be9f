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

async function runOrtDisabled(c: OneNodeCase): Promise<Tensor> {
  const session = await ort.InferenceSession.create(oneNodeModel(c), {
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
