// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss against onnxruntime-node: 2-D and N-D
// inputs, with and without class weights, every reduction, ignore_index hit and missed.
import { describe, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { expectMatchesOrt } from './nn-oracle.helper.js';
import { randInt, randomTensor, rng } from './tensor-oracle.helper.js';

describe('loss ops vs onnxruntime', () => {
  it('NLL and SCE over shapes, weights, reductions and ignore_index', async () => {
    const r = rng(12);
    for (let t = 0; t < 12; t++) {
      const n = randInt(r, 1, 3);
      const c = randInt(r, 2, 5);
      const extra = t % 3 === 0 ? [] : [randInt(r, 1, 3), randInt(r, 1, 3)].slice(0, 1 + (t % 2));
      const x = randomTensor(r, 'float32', [n, c, ...extra], -3, 3);
      const size = n * extra.reduce((a, b) => a * b, 1);
      const target = makeTensor(
        'int64',
        [n, ...extra],
        Array.from({ length: size }, () => randInt(r, 0, c - 1)),
      );
      const weight = t % 2 ? randomTensor(r, 'float32', [c], 0.1, 2) : undefined;
      const reduction = ['none', 'sum', 'mean'][t % 3];
      const attrs: Record<string, string | number> = { reduction };
      if (t % 4 === 1) attrs.ignore_index = Number(target.data[0]);
      for (const op of ['NegativeLogLikelihoodLoss', 'SoftmaxCrossEntropyLoss'])
        await expectMatchesOrt(
          {
            op,
            opset: 13,
            inputs: [
              ['x', x],
              ['t', target],
              ['w', weight],
            ],
            outputs:
              op === 'NegativeLogLikelihoodLoss'
                ? [{ name: 'loss', dtype: 'float32' }]
                : [
                    { name: 'loss', dtype: 'float32' },
                    { name: 'log_prob', dtype: 'float32' },
                  ],
            attrs,
          },
          1e-5,
          1e-6,
          `${op} [${x.dims}] ${JSON.stringify(attrs)} weights ${!!weight}`,
        );
    }
  });
});
