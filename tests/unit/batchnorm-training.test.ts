// BatchNormalization with training_mode = 1 (opset 15): Y from the batch's own statistics and the
// running mean/var outputs, against onnxruntime-node on random shapes (1e-5 relative).
import { describe, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { expectMatchesOrt, randInt, randomFloats, rng } from './nn-oracle.helper.js';

describe('BatchNormalization training_mode', () => {
  it('matches onnxruntime on random shapes, momentum and epsilon', async () => {
    const r = rng(14);
    for (let t = 0; t < 6; t++) {
      const c = randInt(r, 1, 5);
      const dims = [randInt(r, 1, 3), c, ...Array.from({ length: randInt(r, 0, 2) }, () => randInt(r, 1, 5))];
      const positive = makeTensor(
        'float32',
        [c],
        Array.from({ length: c }, () => 0.5 + r()),
      );
      await expectMatchesOrt(
        {
          op: 'BatchNormalization',
          opset: 15,
          inputs: [
            ['X', randomFloats(r, dims, -3, 3)],
            ['scale', randomFloats(r, [c])],
            ['B', randomFloats(r, [c])],
            ['input_mean', randomFloats(r, [c])],
            ['input_var', positive],
          ],
          outputs: [
            { name: 'Y', dtype: 'float32' },
            { name: 'running_mean', dtype: 'float32' },
            { name: 'running_var', dtype: 'float32' },
          ],
          attrs: { training_mode: 1, momentum: { float: 0.8 + 0.1 * r() }, epsilon: { float: 1e-3 } },
        },
        1e-5,
        1e-6,
        `BatchNormalization training [${dims}]`,
      );
    }
  });
});
