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

describe('DFT vs onnxruntime', () => {
  it('forward, onesided, inverse, cropped and padded lengths, axes, opsets 17 and 20', async () => {
    const r = rng(20);
    for (let t = 0; t < 12; t++) {
      const comps = t % 2 ? 2 : 1;
      const dims = [2, 6, 3, comps];
      const x = randomTensor(r, 'float32', dims, -1, 1);
      const axis = t % 3 === 0 ? 2 : 1;
      const inverse = comps === 2 && t % 4 === 1 ? 1 : 0;
      const onesided = comps === 1 && t % 4 === 2 ? 1 : 0;
      const length =
        t % 5 === 4
          ? int64Tensor([], [dims[axis] + 2])
          : t % 5 === 3
            ? int64Tensor([], [dims[axis] - 1])
            : undefined;
      const opset = t % 2 ? 20 : 17;
      await expectMatchesOrt(
        {
          op: 'DFT',
          opset,
          inputs:
            opset === 20
              ? [
                  ['x', x],
                  ['n', length],
                  ['axis', int64Tensor([], [axis])],
                ]
              : [
                  ['x', x],
                  ['n', length],
                ],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: opset === 20 ? { inverse, onesided } : { axis, inverse, onesided },
        },
        1e-4,
        1e-5,
        `DFT-${opset} [${dims}] axis ${axis} inverse ${inverse} onesided ${onesided} length ${length?.data[0]}`,
      );
    }
  });
});
