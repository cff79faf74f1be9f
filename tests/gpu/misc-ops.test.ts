// The GPU lowerings of app/exec/webgpu/lower-misc.ts as one-node models on the WebGPU executor
// against the CPU reference (kernels/misc): DepthToSpace / SpaceToDepth in both modes over f32,
// int32 and packed uint8 (exact), Trilu over f32 and int32 (exact), GlobalMaxPool (exact: a
// maximum), CumSum over f32 (1e-4 relative: the GPU adds in f32, the reference in f64). Each node
// must run on a GPU kernel (no CPU fallback).
import { describe, it } from 'vitest';
import { type DType, int64Tensor } from '../../kernels/tensor.js';
import { pick, randInt, randomDims, randomTensor, rng } from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

describe('misc ops on the GPU vs the CPU reference', () => {
  it('DepthToSpace and SpaceToDepth, DCR and CRD, f32 / int32 / uint8', async () => {
    const r = rng(11);
    for (let k = 0; k < 16; k++) {
      const b = randInt(r, 1, 3);
      const dtype = pick(r, ['float32', 'int32', 'uint8'] as DType[]);
      const mode = pick(r, ['DCR', 'CRD']);
      const dims = [randInt(r, 1, 2), b * b * randInt(r, 1, 3), randInt(r, 1, 4), randInt(r, 1, 4)];
      const x = randomTensor(r, dtype, dims, 0, 200);
      await compareOnGpu(
        {
          op: 'DepthToSpace',
          opset: 13,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype }],
          attrs: { blocksize: b, mode },
        },
        true,
        `DepthToSpace ${mode} ${dtype} b=${b} [${dims}]`,
      );
      const s = randomTensor(r, dtype, [dims[0], randInt(r, 1, 3), dims[2] * b, dims[3] * b], 0, 200);
      await compareOnGpu(
        {
          op: 'SpaceToDepth',
          opset: 28,
          inputs: [['x', s]],
          outputs: [{ name: 'y', dtype }],
          attrs: { blocksize: b, mode },
        },
        true,
        `SpaceToDepth ${mode} ${dtype} b=${b} [${s.dims}]`,
      );
    }
  });

  it('Trilu: upper / lower, constant k (far out of range too) and absent, f32 and int32', async () => {
    const r = rng(12);
    for (let k = 0; k < 16; k++) {
      const dtype = pick(r, ['float32', 'int32'] as DType[]);
      const dims = [...randomDims(r, 0, 2, 3), randInt(r, 1, 6), randInt(r, 1, 6)];
      const kv = k % 4 === 0 ? undefined : int64Tensor([], [k === 5 ? -1e12 : randInt(r, -5, 5)]);
      await compareOnGpu(
        {
          op: 'Trilu',
          opset: 14,
          inputs: [
            ['x', randomTensor(r, dtype, dims, -100, 100)],
            ['k', kv],
          ],
          constants: ['k'],
          outputs: [{ name: 'y', dtype }],
          attrs: { upper: randInt(r, 0, 1) },
        },
        true,
        `Trilu ${dtype} [${dims}] k ${kv ? kv.data[0] : 'absent'}`,
      );
    }
  });

  it('GlobalMaxPool over 1-D to 3-D spatial axes; CumSum on every axis, exclusive and reverse', async () => {
    const r = rng(13);
    for (const spatial of [[7], [3, 5], [2, 3, 4]]) {
      const x = randomTensor(r, 'float32', [2, 3, ...spatial]);
      await compareOnGpu(
        { op: 'GlobalMaxPool', opset: 1, inputs: [['x', x]], outputs: [{ name: 'y', dtype: 'float32' }] },
        true,
        `GlobalMaxPool [${x.dims}]`,
      );
    }
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 1, 4, 6);
      const axis = randInt(r, -dims.length, dims.length - 1);
      await compareOnGpu(
        {
          op: 'CumSum',
          opset: 14,
          inputs: [
            ['x', randomTensor(r, 'float32', dims)],
            ['a', int64Tensor([], [axis])],
          ],
          constants: ['a'],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { exclusive: randInt(r, 0, 1), reverse: randInt(r, 0, 1) },
        },
        false,
        `CumSum [${dims}] axis ${axis}`,
      );
    }
  });
});
