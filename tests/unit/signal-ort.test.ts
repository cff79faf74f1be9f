// HannWindow, HammingWindow, BlackmanWindow (periodic and symmetric, float32 and float64 outputs)
// and Det (2-D and batched, singular matrices included) against onnxruntime-node.
import { describe, it } from 'vitest';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { expectMatchesOrt } from './nn-oracle.helper.js';
import { randomTensor, rng } from './tensor-oracle.helper.js';

describe('windows and Det vs onnxruntime', () => {
  it('window functions', async () => {
    for (const op of ['HannWindow', 'HammingWindow', 'BlackmanWindow'])
      for (const size of [1, 2, 7, 16])
        for (const periodic of [0, 1])
          for (const [code, dtype] of [
            [1, 'float32'],
            [11, 'float64'],
          ] as const)
            await expectMatchesOrt(
              {
                op,
                opset: 17,
                inputs: [['size', int64Tensor([], [size])]],
                outputs: [{ name: 'y', dtype }],
                attrs: { periodic, output_datatype: code },
              },
              1e-5,
              1e-6,
              `${op} size ${size} periodic ${periodic} ${dtype}`,
            );
  });

  it('Det of random, batched and singular matrices', async () => {
    const r = rng(11);
    const singular = makeTensor('float32', [3, 3], [1, 2, 3, 2, 4, 6, 1, 0, 1]);
    for (const x of [
      randomTensor(r, 'float32', [3, 3], -2, 2),
      randomTensor(r, 'float32', [2, 4, 4], -2, 2),
      randomTensor(r, 'float32', [1, 1], -2, 2),
      singular,
    ])
      await expectMatchesOrt(
        { op: 'Det', opset: 11, inputs: [['x', x]], outputs: [{ name: 'y', dtype: 'float32' }] },
        1e-4,
        1e-5,
        `Det [${x.dims}]`,
      );
  });
});
