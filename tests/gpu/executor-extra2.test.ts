// One small model using every op lowered in app/exec/webgpu/lower-extra2.ts (Einsum, CumProd,
// TopK, LpPool, BitShift, BitwiseAnd / Xor / Not) between each other: the WebGPU executor plans no
// CPU fallback and matches the CPU interpreter (floats within 1e-4 relative, integers and TopK's
// indices exactly, also as GatherElements reads them on the GPU), in one submission.
import { describe, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectNear, expectSameTensor, randomTensor, rng } from '../unit/tensor-oracle.helper.js';
import { runModelOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

describe('a model of the extra lowerings on the WebGPU executor', () => {
  it('runs every node on the GPU and matches the CPU interpreter', async () => {
    const r = rng(41);
    const model = decodeModel(
      buildModel({
        opset: 26,
        inputs: [
          { name: 'a', dtype: 'float32', dims: [4, 6] },
          { name: 'img', dtype: 'float32', dims: [1, 2, 6, 6] },
          { name: 'bits', dtype: 'uint32', dims: [8] },
          { name: 'amt', dtype: 'uint32', dims: [8] },
          { name: 'bytes', dtype: 'uint8', dims: [2, 7] },
          { name: 'mask', dtype: 'uint8', dims: [7] },
        ],
        outputs: [
          { name: 'v', dtype: 'float32' },
          { name: 'idx', dtype: 'int64' },
          { name: 'lp', dtype: 'float32' },
          { name: 'shifted', dtype: 'uint32' },
          { name: 'masked', dtype: 'uint8' },
          { name: 'picked', dtype: 'float32' },
        ],
        initializers: {
          w: randomTensor(r, 'float32', [6, 5], -1, 1),
          axis: int64Tensor([], [1]),
          k: int64Tensor([1], [3]),
        },
        nodes: [
          { op: 'Einsum', inputs: ['a', 'w'], outputs: ['e'], attrs: { equation: 'ij,jk->ik' } },
          { op: 'CumProd', inputs: ['e', 'axis'], outputs: ['c'], attrs: { reverse: 1 } },
          { op: 'TopK', inputs: ['c', 'k'], outputs: ['v', 'idx'], attrs: { axis: 1, largest: 0 } },
          // TopK's int64 indices read on the GPU by the next kernel (two words per element).
          { op: 'GatherElements', inputs: ['a', 'idx'], outputs: ['picked'], attrs: { axis: 1 } },
          {
            op: 'LpPool',
            inputs: ['img'],
            outputs: ['lp'],
            attrs: { kernel_shape: [3, 3], strides: [2, 2], p: 2 },
          },
          { op: 'BitShift', inputs: ['bits', 'amt'], outputs: ['s'], attrs: { direction: 'LEFT' } },
          { op: 'BitwiseNot', inputs: ['s'], outputs: ['shifted'] },
          { op: 'BitwiseAnd', inputs: ['bytes', 'mask'], outputs: ['and'] },
          { op: 'BitwiseXor', inputs: ['and', 'mask'], outputs: ['masked'] },
        ],
      }),
    );
    const feeds = new Map<string, Tensor>([
      ['a', randomTensor(r, 'float32', [4, 6], -1, 1)],
      ['img', randomTensor(r, 'float32', [1, 2, 6, 6], -2, 2)],
      ['bits', randomTensor(r, 'uint32', [8], 0, 2 ** 32 - 1)],
      ['amt', randomTensor(r, 'uint32', [8], 0, 40)],
      ['bytes', randomTensor(r, 'uint8', [2, 7], 0, 255)],
      ['mask', randomTensor(r, 'uint8', [7], 0, 255)],
    ]);
    const { got, want } = await runModelOnGpu(model, feeds);
    for (const name of ['v', 'lp']) expectNear(got.get(name)!, want.get(name)!, name);
    for (const name of ['idx', 'shifted', 'masked', 'picked'])
      expectSameTensor(got.get(name)!, want.get(name)!, name);
  });
});
