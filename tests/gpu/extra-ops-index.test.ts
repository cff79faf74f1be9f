// The index lowerings of app/exec/webgpu/lower-extra.ts on the WebGPU executor against the CPU
// reference, each node on a GPU kernel, all exact: EyeLike, OneHot, GatherElements (constant
// indices, and int32 / int64 indices on the GPU; an out-of-range index fails the run).
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  expectSameTensor,
  oneNodeModel,
  randInt,
  randomDims,
  randomTensor,
  rng,
} from '../unit/tensor-oracle.helper.js';
import { compareOnGpu, runModelOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

describe('EyeLike on the WebGPU executor: exact', () => {
  it('k inside and outside the matrix, dtype attribute (float32, int32, uint8, bool), odd sizes', async () => {
    // [dims, k, dtype attribute (ONNX code: 1 float, 2 uint8, 6 int32, 9 bool), output dtype]
    const cases: [number[], number, number | undefined, 'float32' | 'int32' | 'uint8' | 'bool'][] = [
      [[3, 5], 0, undefined, 'float32'],
      [[5, 3], -2, undefined, 'float32'],
      [[4, 4], 3, 6, 'int32'],
      [[3, 7], 9, 1, 'float32'],
      [[6, 5], 1, 2, 'uint8'],
      [[5, 6], -1, 9, 'bool'],
      [[1, 1], 0, 6, 'int32'],
    ];
    for (const [dims, k, code, outType] of cases) {
      const x = randomTensor(rng(dims[0] * 7 + k), code === undefined ? outType : 'float32', dims, -3, 3);
      await compareOnGpu(
        {
          op: 'EyeLike',
          opset: 9,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: outType }],
          attrs: code === undefined ? { k } : { k, dtype: code },
        },
        true,
        `EyeLike [${dims}] k ${k} -> ${outType}`,
      );
    }
  });
});

describe('OneHot on the WebGPU executor: exact', () => {
  it('f32 / int32 / int64 indices (negative, fractional, out of range, NaN), every axis, constant or fed depth', async () => {
    const r = rng(91);
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 1, 3, 4);
      const depth = randInt(r, 1, 6);
      const float = k % 2 === 0;
      const n = dims.reduce((p, v) => p * v, 1);
      const idx = Array.from({ length: n }, () => {
        const v = (r() - 0.5) * 3 * depth;
        if (!float) return Math.trunc(v);
        return r() < 0.1 ? [Number.NaN, Number.POSITIVE_INFINITY, -0.5][randInt(r, 0, 2)] : v;
      });
      const indices =
        float || k % 4 === 1 ? makeTensor(float ? 'float32' : 'int32', dims, idx) : int64Tensor(dims, idx);
      if (k === 3) (indices.data as BigInt64Array)[0] = 2n ** 40n; // beyond int32: an all-off row
      const vType = k % 3 === 1 ? 'int32' : 'float32';
      const values = makeTensor(vType, [2], vType === 'int32' ? [-7, 123456] : [-0, 2.5]);
      const axis = randInt(r, -dims.length - 1, dims.length);
      const fedDepth = k % 4 === 3;
      await compareOnGpu(
        {
          op: 'OneHot',
          opset: 11,
          inputs: [
            ['indices', indices],
            ['depth', makeTensor('float32', [], [depth + (k % 5 === 0 ? 0.7 : 0)])],
            ['values', values],
          ],
          constants: fedDepth ? [] : ['depth'],
          outputs: [{ name: 'y', dtype: vType }],
          attrs: { axis },
        },
        true,
        `OneHot [${dims}] ${indices.dtype} depth ${depth} axis ${axis}${fedDepth ? ' (fed)' : ''}`,
      );
    }
  });
});

/**
 * Case k of the GatherElements tests: f32 / int32 / uint8 data (by k), a random axis, int32 or
 * int64 indices (by k) in range, negatives included; the indices have the data's dims, each at
 * most as large, the axis any length.
 */
function randomGatherElements(r: () => number, k: number) {
  const dims = randomDims(r, 1, 4, 5);
  const axis = randInt(r, -dims.length, dims.length - 1);
  const a = axis < 0 ? axis + dims.length : axis;
  const dtype = (['float32', 'int32', 'uint8'] as const)[k % 3];
  const data = randomTensor(r, dtype, dims, dtype === 'uint8' ? 0 : -50, dtype === 'uint8' ? 255 : 50);
  const idims = dims.map((d, i) => (i === a ? randInt(r, 1, 6) : randInt(r, 1, d)));
  const n = idims.reduce((p, v) => p * v, 1);
  const vals = Array.from({ length: n }, () => randInt(r, -dims[a], dims[a] - 1));
  const indices = k % 2 ? int64Tensor(idims, vals) : makeTensor('int32', idims, vals);
  return { dims, axis, dtype, data, idims, indices };
}

describe('GatherElements (constant indices) on the WebGPU executor: exact', () => {
  it('f32 / int32 / uint8 data, int32 / int64 indices with negatives, axes at both ends', async () => {
    const r = rng(111);
    for (let k = 0; k < 14; k++) {
      const { dims, axis, dtype, data, idims, indices } = randomGatherElements(r, k);
      await compareOnGpu(
        {
          op: 'GatherElements',
          opset: k % 2 ? 13 : 11,
          inputs: [
            ['data', data],
            ['indices', indices],
          ],
          constants: ['indices'],
          outputs: [{ name: 'y', dtype }],
          attrs: { axis },
        },
        true,
        `GatherElements ${dtype} [${dims}] axis ${axis} indices [${idims}] ${indices.dtype}`,
      );
    }
  });
});

describe('GatherElements with indices on the GPU (fed int32 / int64): exact', () => {
  it('f32 / int32 / uint8 data, negative indices, axes at both ends', async () => {
    const r = rng(113);
    for (let k = 0; k < 14; k++) {
      const { dims, axis, dtype, data, idims, indices } = randomGatherElements(r, k);
      await compareOnGpu(
        {
          op: 'GatherElements',
          opset: 13,
          inputs: [
            ['data', data],
            ['indices', indices],
          ],
          outputs: [{ name: 'y', dtype }],
          attrs: { axis },
        },
        true,
        `GatherElements (fed) ${dtype} [${dims}] axis ${axis} indices [${idims}] ${indices.dtype}`,
      );
    }
  });

  it('an out-of-range index (either end, or beyond int32) fails the run as on the CPU', async () => {
    const data = makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    for (const bad of [3, -4, 2 ** 32]) {
      const model = decodeModel(
        oneNodeModel({
          op: 'GatherElements',
          opset: 13,
          inputs: [
            ['data', data],
            ['indices', int64Tensor([2, 2], [0, 1, 2, 0])],
          ],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis: 1 },
        }),
      );
      const executor = await WebGpuExecutor.create(model);
      try {
        const ok = await executor.run(
          new Map([
            ['data', data],
            ['indices', int64Tensor([2, 2], [0, -1, 2, 0])],
          ]),
        );
        expect(Array.from(ok.get('y')!.data as Float32Array)).toEqual([1, 3, 6, 4]);
        await expect(
          executor.run(
            new Map([
              ['data', data],
              ['indices', int64Tensor([2, 2], [0, 1, bad, 0])],
            ]),
          ),
        ).rejects.toThrow(/out of range/);
        expect((await executor.summary()).cpuFallbacks).toEqual([]);
      } finally {
        executor.dispose();
      }
    }
  });

  it('ArgMax -> GatherElements: int64 indices made by a GPU kernel, read by another', async () => {
    const x = randomTensor(rng(17), 'float32', [4, 7, 3], -9, 9);
    const model = decodeModel(
      buildModel({
        opset: 13,
        inputs: [{ name: 'x', dtype: 'float32', dims: [4, 7, 3] }],
        outputs: [{ name: 'm', dtype: 'float32' }],
        nodes: [
          { op: 'ArgMax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 1 } },
          { op: 'GatherElements', inputs: ['x', 'i'], outputs: ['m'], attrs: { axis: 1 } },
        ],
      }),
    );
    const { got, want } = await runModelOnGpu(model, new Map([['x', x]]));
    expectSameTensor(got.get('m')!, want.get('m')!, 'max by ArgMax + GatherElements');
  });
});
