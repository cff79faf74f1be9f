// The normalizations against onnxruntime-node on random shapes, axes and parameters, within
// 1e-5 relative (our statistics in float64, onnxruntime's in float32): LayerNormalization with
// its Mean / InvStdDev outputs, RMSNormalization (23), GroupNormalization (18, 21),
// InstanceNormalization, MeanVarianceNormalization, LpNormalization and LRN.
import { describe, it } from 'vitest';
import { expectMatchesOrt } from './nn-oracle.helper.js';
import { randInt, randomDims, randomTensor, rng } from './tensor-oracle.helper.js';

// The float tolerance, plus an absolute one for outputs near 0 (onnxruntime folds the
// statistics into x * a + (b - mean * a) in float32; outputs are of order 1).
const REL = 1e-4;
const ABS = 1e-5;

describe('normalizations vs onnxruntime', () => {
  it('LayerNormalization at every axis, with and without bias, Mean and InvStdDev', async () => {
    const r = rng(17);
    for (let t = 0; t < 8; t++) {
      const dims = randomDims(r, 1, 4, 5);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const a = axis < 0 ? axis + dims.length : axis;
      const tail = dims.slice(a);
      const inputs: [string, ReturnType<typeof randomTensor> | undefined][] = [
        ['X', randomTensor(r, 'float32', dims, -4, 4)],
        ['Scale', randomTensor(r, 'float32', tail, -2, 2)],
        ['B', t % 2 ? randomTensor(r, 'float32', tail, -1, 1) : undefined],
      ];
      await expectMatchesOrt(
        {
          op: 'LayerNormalization',
          opset: 17,
          inputs,
          outputs: [
            { name: 'Y', dtype: 'float32' },
            { name: 'Mean', dtype: 'float32' },
            { name: 'InvStdDev', dtype: 'float32' },
          ],
          attrs: { axis, epsilon: { float: 1e-3 } },
        },
        REL,
        ABS,
        `LayerNormalization [${dims}] axis ${axis}`,
      );
    }
  });

  it('GroupNormalization (18 per group, 21 per channel) and InstanceNormalization', async () => {
    const r = rng(18);
    for (let t = 0; t < 6; t++) {
      const groups = randInt(r, 1, 3);
      const c = groups * randInt(r, 1, 3);
      const dims = [randInt(r, 1, 2), c, randInt(r, 1, 4), randInt(r, 1, 4)];
      const x = randomTensor(r, 'float32', dims, -3, 3);
      for (const opset of [18, 21]) {
        const n = opset === 18 ? groups : c;
        await expectMatchesOrt(
          {
            op: 'GroupNormalization',
            opset,
            inputs: [
              ['X', x],
              ['scale', randomTensor(r, 'float32', [n], -2, 2)],
              ['bias', randomTensor(r, 'float32', [n], -1, 1)],
            ],
            outputs: [{ name: 'Y', dtype: 'float32' }],
            attrs: { num_groups: groups, epsilon: { float: 1e-4 } },
          },
          REL,
          ABS,
          `GroupNormalization-${opset} [${dims}] groups ${groups}`,
        );
      }
      await expectMatchesOrt(
        {
          op: 'InstanceNormalization',
          opset: 6,
          inputs: [
            ['input', x],
            ['scale', randomTensor(r, 'float32', [c], -2, 2)],
            ['B', randomTensor(r, 'float32', [c], -1, 1)],
          ],
          outputs: [{ name: 'Y', dtype: 'float32' }],
        },
        REL,
        ABS,
        `InstanceNormalization [${dims}]`,
      );
    }
  });

  it('MeanVarianceNormalization, LpNormalization (p 1 and 2) and LRN', async () => {
    const r = rng(13);
    for (let t = 0; t < 5; t++) {
      const dims = [randInt(r, 1, 2), randInt(r, 1, 5), randInt(r, 1, 4), randInt(r, 1, 4)];
      const x = randomTensor(r, 'float32', dims, -3, 3);
      await expectMatchesOrt(
        {
          op: 'MeanVarianceNormalization',
          opset: 13,
          inputs: [['X', x]],
          outputs: [{ name: 'Y', dtype: 'float32' }],
        },
        REL,
        ABS,
        `MVN [${dims}]`,
      );
      for (const p of [1, 2])
        await expectMatchesOrt(
          {
            op: 'LpNormalization',
            opset: 1,
            inputs: [['input', x]],
            outputs: [{ name: 'Y', dtype: 'float32' }],
            attrs: { p, axis: randInt(r, 0, 3) },
          },
          REL,
          ABS,
          `LpNormalization p ${p} [${dims}]`,
        );
      await expectMatchesOrt(
        {
          op: 'LRN',
          opset: 13,
          inputs: [['X', x]],
          outputs: [{ name: 'Y', dtype: 'float32' }],
          attrs: {
            size: 2 * randInt(r, 0, 2) + 1, // onnxruntime takes odd sizes only
            alpha: { float: 0.002 },
            beta: { float: 0.6 },
            bias: { float: 1.5 },
          },
        },
        REL,
        ABS,
        `LRN [${dims}]`,
      );
    }
  });
});
