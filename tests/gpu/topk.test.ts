// TopK on the GPU (kernels/topk/topk.wgsl via app/exec/webgpu/lower-extra2.ts; the int64 indices
// travel as i32 words the executor widens) against the CPU reference (kernels/misc/scan.ref.ts),
// bit-exact for values and indices: ties (lower index first), NaN (above every number), K = 1,
// K = axis length, K = 0, every axis, largest 0/1, opsets 1 / 10 / 11, K fed at run time, and
// the indices read by a later CPU step. TopK must never be a CPU fallback.
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  expectSameTensor,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOurs,
} from '../unit/tensor-oracle.helper.js';
import { runOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

const f32 = (dims: number[], values: number[]): Tensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});

function topKNode(
  x: Tensor,
  k: number,
  opts: { axis?: number; largest?: number; opset?: number; sorted?: number },
) {
  const opset = opts.opset ?? 11;
  const attrs: Record<string, number> = { axis: opts.axis ?? -1 };
  if (opset >= 11) {
    attrs.largest = opts.largest ?? 1;
    attrs.sorted = opts.sorted ?? 1;
  }
  if (opset < 10) attrs.k = k;
  const c: OneNode = {
    op: 'TopK',
    opset,
    inputs:
      opset >= 10
        ? [
            ['x', x],
            ['k', int64Tensor([1], [k])],
          ]
        : [['x', x]],
    constants: ['k'],
    outputs: [
      { name: 'v', dtype: x.dtype },
      { name: 'i', dtype: 'int64' },
    ],
    attrs,
  };
  return c;
}

/** Values and indices equal the reference's (k is a constant: only x is fed). */
async function check(c: OneNode, what: string): Promise<void> {
  const got = await runOnGpu(c, what);
  const want = runOurs(c);
  expectSameTensor(got.get('v')!, want[0], `${what} values`);
  expectSameTensor(got.get('i')!, want[1], `${what} indices`);
}

describe('TopK on the GPU vs the CPU reference', () => {
  const nan = Number.NaN;
  it.each([
    ['ties keep the lower index first', [2, 6], [1, 3, 3, 1, 3, 0, 2, 2, 2, 2, 2, 2], 3, {}],
    ['ties, smallest', [2, 6], [1, 3, 3, 1, 3, 0, 2, 2, 2, 2, 2, 2], 4, { largest: 0 }],
    ['-0 and +0 tie', [1, 4], [0, -0, 0, -0], 3, {}],
    ['one NaN ranks first (largest)', [1, 5], [1, nan, 5, -2, 7], 3, {}],
    ['one NaN ranks last (smallest)', [1, 5], [1, nan, 5, -2, 7], 5, { largest: 0 }],
    ['several NaNs in index order', [1, 6], [nan, 1, nan, 9, nan, -1], 6, {}],
    ['infinities', [1, 4], [Number.NEGATIVE_INFINITY, 3, Number.POSITIVE_INFINITY, -3], 4, { largest: 0 }],
    ['K = axis length', [3, 4], [5, 1, 4, 2, 8, 8, 0, 1, 7, 3, 9, 2], 4, {}],
    ['K = 1', [3, 4], [5, 1, 4, 2, 8, 8, 0, 1, 7, 3, 9, 2], 1, {}],
    ['K = 0', [3, 4], [5, 1, 4, 2, 8, 8, 0, 1, 7, 3, 9, 2], 0, {}],
    ['axis 0', [4, 3], [5, 1, 4, 2, 8, 8, 0, 1, 7, 3, 9, 2], 2, { axis: 0 }],
    ['middle axis', [2, 3, 2], [5, 1, 4, 2, 8, 8, 0, 1, 7, 3, 9, 2], 2, { axis: 1 }],
    ['sorted = 0 (kept sorted)', [2, 4], [5, 1, 4, 2, 8, 8, 0, 1], 3, { sorted: 0 }],
    ['opset 1 (k attribute)', [2, 4], [5, 1, 4, 2, 8, 8, 0, 1], 2, { opset: 1 }],
    ['opset 10 (k input, always largest)', [2, 4], [5, 1, 4, 2, 8, 8, 0, 1], 2, { opset: 10 }],
  ] as const)('%s', async (name, dims, values, k, opts) => {
    await check(topKNode(f32([...dims], [...values]), k, opts), name);
  });

  it('seeded random: any axis, K from 0 to the axis length, largest 0/1, few distinct values', async () => {
    const r = rng(5);
    for (let n = 0; n < 24; n++) {
      const dims = randomDims(r, 1, 4, 6);
      const x = randomTensor(r, 'float32', dims, -3, 3);
      const data = x.data as Float32Array;
      // Coarse values so ties are common; a NaN now and then.
      for (let i = 0; i < data.length; i++) data[i] = r() < 0.05 ? nan : Math.round(data[i] * 2) / 2;
      const axis = randInt(r, -dims.length, dims.length - 1);
      const len = dims[axis < 0 ? axis + dims.length : axis];
      const k = randInt(r, 0, len);
      const largest = pick(r, [0, 1]);
      await check(
        topKNode(x, k, { axis, largest }),
        `random [${dims}] axis ${axis} k ${k} largest ${largest}`,
      );
    }
  });

  it.each(['int32', 'uint32'] as const)('%s: ties, extremes, every axis', async (dtype) => {
    const r = rng(dtype.length);
    const extremes = dtype === 'int32' ? [-(2 ** 31), 2 ** 31 - 1, -1, 0] : [0, 2 ** 32 - 1, 2 ** 31, 1];
    const x = makeTensor(dtype, [2, 4], [...extremes, 3, 3, extremes[1], extremes[0]]);
    for (const largest of [0, 1])
      await check(topKNode(x, 3, { largest }), `${dtype} extremes largest ${largest}`);
    for (let n = 0; n < 8; n++) {
      const dims = randomDims(r, 1, 3, 5);
      const y = randomTensor(r, dtype, dims, dtype === 'int32' ? -3 : 0, 3);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const k = randInt(r, 0, dims[axis < 0 ? axis + dims.length : axis]);
      const largest = pick(r, [0, 1]);
      await check(
        topKNode(y, k, { axis, largest }),
        `${dtype} [${dims}] axis ${axis} k ${k} largest ${largest}`,
      );
    }
  });

  it('K fed at run time, indices read by a later CPU step', async () => {
    const model = buildModel({
      opset: 13,
      inputs: [
        { name: 'x', dtype: 'float32', dims: [3, 5] },
        { name: 'k', dtype: 'int64', dims: [1] },
      ],
      outputs: [
        { name: 'v', dtype: 'float32' },
        { name: 'f', dtype: 'float32' },
      ],
      nodes: [
        { op: 'TopK', inputs: ['x', 'k'], outputs: ['v', 'i'], attrs: { axis: 1 } },
        { op: 'Cast', inputs: ['i'], outputs: ['f'], attrs: { to: 1 } },
      ],
    });
    const executor = await WebGpuExecutor.create(decodeModel(model));
    try {
      const x = randomTensor(rng(8), 'float32', [3, 5], -5, 5);
      for (const k of [2, 4]) {
        const got = await executor.run(
          new Map([
            ['x', x],
            ['k', int64Tensor([1], [k])],
          ]),
        );
        const summary = await executor.summary();
        expect(summary.cpuFallbacks.filter((f) => f.startsWith('TopK'))).toEqual([]);
        const [v, i] = runOurs(topKNode(x, k, { axis: 1, opset: 13 }));
        expectSameTensor(got.get('v')!, v, `k=${k} values`);
        expect(Array.from(got.get('f')!.data as Float32Array), `k=${k} indices`).toEqual(
          Array.from(i.data as BigInt64Array, Number),
        );
      }
    } finally {
      executor.dispose();
    }
  });
});
