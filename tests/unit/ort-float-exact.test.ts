// Bit-exactness of our float32 references with onnxruntime-node's CPU kernels on this host
// (x86-64, MLAS). On the "disabled" QDQ path (DequantizeLinear -> float op -> QuantizeLinear) an
// int8 output only matches onnxruntime if the float op's f32 result is bit-identical, so these
// compare with Object.is on every element, across shapes that exercise MLAS's four-lane sums,
// their leftovers, its kernel choice (global / vector / generic pooling) and padding.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import { type OneNodeCase, oneNodeModel, randInt, randomFloats, rng, runOurs } from './nn-oracle.helper.js';
import { QUIET } from '../helpers/ort-quiet.js';

/**
 * onnxruntime with graph optimizations off, as on the QDQ "disabled" path: at 'all' its NCHWc
 * layout transformer rewrites 4-D pools whose channel count is a multiple of 16 (the AVX512 block)
 * into NCHWc kernels, which sum each channel sequentially instead of in MLAS's four lanes.
 */
async function runOrtDisabled(c: OneNodeCase): Promise<Map<string, Tensor>> {
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
  const result = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(out))
    result.set(k, makeTensor(v.type as DType, v.dims as number[], v.data as never));
  return result;
}

/** Fails with the first differing element, and how many differ, unless every bit agrees. */
function expectBitExact(ours: Tensor, theirs: Tensor, label: string): void {
  expect([...ours.dims], `${label} dims`).toEqual([...theirs.dims]);
  const a = ours.data as Float32Array;
  const b = theirs.data as Float32Array;
  let differ = 0;
  let first = -1;
  for (let i = 0; i < b.length; i++) {
    if (!Object.is(a[i], b[i])) {
      differ++;
      if (first < 0) first = i;
    }
  }
  if (differ > 0)
    expect.fail(
      `${label}: ${differ}/${b.length} differ; first at ${first}: ours ${a[first]}, onnxruntime ${b[first]}`,
    );
}

async function expectExact(c: OneNodeCase, label: string): Promise<void> {
  const theirs = await runOrtDisabled(c);
  const ours = runOurs(c);
  for (const [name, t] of theirs) expectBitExact(ours.get(name)!, t, `${label} ${name}`);
}

describe('GlobalAveragePool f32 is bit-exact with onnxruntime (MLAS global kernel)', () => {
  const r = rng(101);
  it('every spatial size 1..70 (lanes and leftovers), odd channel counts, 1-D/2-D/3-D layouts', async () => {
    for (let hw = 1; hw <= 70; hw++) {
      const h = [1, 2, 3, 5, 7].filter((k) => hw % k === 0).pop()!;
      const layouts = [[h, hw / h], [hw], [1, h, hw / h]];
      const spatial = layouts[hw % 3];
      const x = randomFloats(r, [hw % 2 ? 1 : 2, 2 * (hw % 5) + 1, ...spatial], -4, 4);
      await expectExact({ op: 'GlobalAveragePool', opset: 13, inputs: [['X', x]] }, `[${x.dims}]`);
    }
  });
  it('a MobileNet-sized plane (7x7x1280-like) and wide value ranges', async () => {
    await expectExact(
      { op: 'GlobalAveragePool', opset: 13, inputs: [['X', randomFloats(r, [1, 64, 7, 7], -100, 100)]] },
      '7x7',
    );
    await expectExact(
      { op: 'GlobalAveragePool', opset: 13, inputs: [['X', randomFloats(r, [1, 5, 33, 31], 0, 6)]] },
      '33x31',
    );
  });
});

describe('AveragePool f32 is bit-exact with onnxruntime (MLAS vector and generic kernels)', () => {
  const r = rng(202);
  interface PoolCase {
    spatial: number[];
    kernel: number[];
    strides: number[];
    pads: number[];
    includePad: number;
    ceil: number;
    dilations?: number[];
  }
  function randomCase(rank: number, maxIn: number): PoolCase {
    const spatial: number[] = [];
    const kernel: number[] = [];
    const strides: number[] = [];
    const begin: number[] = [];
    const end: number[] = [];
    for (let a = 0; a < rank; a++) {
      const k = randInt(r, 1, 5);
      kernel.push(k);
      strides.push(randInt(r, 1, 3));
      begin.push(randInt(r, 0, k - 1));
      end.push(randInt(r, 0, k - 1));
      spatial.push(randInt(r, k, maxIn));
    }
    return {
      spatial,
      kernel,
      strides,
      pads: [...begin, ...end],
      includePad: randInt(r, 0, 1),
      ceil: randInt(r, 0, 1),
    };
  }
  async function check(c: PoolCase, channels = 3): Promise<void> {
    const attrs: Record<string, AttrInput> = {
      kernel_shape: c.kernel,
      strides: c.strides,
      pads: c.pads,
      count_include_pad: c.includePad,
      ceil_mode: c.ceil,
    };
    if (c.dilations) attrs.dilations = c.dilations;
    const x = randomFloats(r, [1, channels, ...c.spatial], -3, 3);
    const opset = c.dilations ? 19 : 11;
    await expectExact({ op: 'AveragePool', opset, inputs: [['X', x]], attrs }, JSON.stringify(c));
  }
  it('random 2-D cases (vector kernel for strides <= 2, generic for 3)', async () => {
    for (let t = 0; t < 100; t++) await check(randomCase(2, 23), 1 + 2 * (t % 3));
  });
  it('random 1-D and 3-D cases', async () => {
    for (let t = 0; t < 20; t++) await check(randomCase(1, 40));
    for (let t = 0; t < 20; t++) await check(randomCase(3, 9));
  });
  it("dilations (opset 19, onnxruntime's own loop) and auto_pad", async () => {
    for (let t = 0; t < 16; t++) {
      const c = randomCase(t < 12 ? 2 : 1, 20);
      c.dilations = c.kernel.map(() => randInt(r, 1, 3));
      c.spatial = c.spatial.map((n, a) => n + (c.kernel[a] - 1) * (c.dilations![a] - 1));
      await check(c);
    }
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
      const x = randomFloats(r, [1, 3, 9, 10], -3, 3);
      const attrs = { kernel_shape: [3, 4], strides: [2, 1], auto_pad: autoPad, count_include_pad: 0 };
      await expectExact({ op: 'AveragePool', opset: 11, inputs: [['X', x]], attrs }, autoPad);
    }
  });
  it('kernel equal to the input (the global kernel), kernels above 32 and wide rows', async () => {
    const base = { strides: [1, 1], pads: [0, 0, 0, 0], ceil: 0 };
    await check({ ...base, spatial: [5, 9], kernel: [5, 9], includePad: 0 });
    await check({ ...base, spatial: [3, 40], kernel: [2, 33], includePad: 1 });
    await check({ ...base, spatial: [2, 70], kernel: [2, 7], includePad: 0 });
    await check({
      spatial: [7, 7],
      kernel: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      ceil: 1,
      includePad: 1,
    });
  });
});

describe('ReduceMean f32 is bit-exact with onnxruntime (Eigen sums and in-order loops)', () => {
  const r = rng(303);
  const mean = (dims: number[], axes?: number[], keepdims = 1): OneNodeCase => ({
    op: 'ReduceMean',
    opset: 13,
    inputs: [['X', randomFloats(r, dims, -5, 5)]],
    attrs: axes ? { axes, keepdims } : { keepdims },
  });
  it('last-axis rows of every length 1..70 (Eigen packets, head to alignment, tail)', async () => {
    for (let n = 1; n <= 70; n++) await expectExact(mean([3, n], [1]), `[3, ${n}] axes [1]`);
  });
  it('spatial means, full reductions, leading/middle/outer axes and non-contiguous axes', async () => {
    const cases: Array<[number[], number[] | undefined]> = [
      [
        [1, 5, 7, 7],
        [2, 3],
      ],
      [
        [2, 3, 6, 5],
        [-1, -2],
      ],
      [[37], undefined],
      [[3, 11, 13], undefined],
      [[4, 9], [0]],
      [[40, 33], [0]],
      [[3, 7, 5], [1]],
      [[6, 17, 9], [1]],
      [[4, 14, 24], [1]],
      [[2, 11, 3, 4], [1]],
      [[1, 6, 4, 9], [1]],
      [
        [3, 1, 4],
        [0, 2],
      ],
      [
        [3, 4, 5],
        [0, 2],
      ],
      [
        [5, 8, 13],
        [0, 2],
      ],
      [
        [2, 3, 4, 5],
        [0, 2],
      ],
      [
        [2, 3, 4, 5],
        [1, 3],
      ],
      [
        [2, 1, 6, 1, 5],
        [1, 2],
      ],
    ];
    for (const [dims, axes] of cases) {
      await expectExact(mean(dims, axes), `[${dims}] axes ${axes ? `[${axes}]` : 'all'}`);
      await expectExact(mean(dims, axes, 0), `[${dims}] axes ${axes ? `[${axes}]` : 'all'} keepdims 0`);
    }
  });
  it('random shapes and axes', async () => {
    for (let t = 0; t < 30; t++) {
      const rank = randInt(r, 1, 4);
      const dims = Array.from({ length: rank }, () => randInt(r, 1, 9));
      const axes = dims.map((_, i) => i).filter(() => r() < 0.5);
      await expectExact(mean(dims, axes.length ? axes : undefined), `[${dims}] axes [${axes}]`);
    }
  });
});
