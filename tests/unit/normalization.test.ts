// The normalizations of kernels/normalization/*.ref.ts, through the CPU interpreter, against
// onnxruntime-node: curated edge cases and seeded random shapes, within 1e-4 relative (plus a small
// absolute term for outputs near zero). onnxruntime computes in float32 and we in float64, so
// exact equality is not expected.
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  f32,
  type OneNodeCase,
  randInt,
  randomFloats,
  rng,
  runOurs,
} from './nn-oracle.helper.js';
import { one } from './shape-inference.helper.js';

const RTOL = 1e-4;
const ATOL = 1e-5;

function randDims(r: () => number, rank: number, lo = 1, hi = 5): number[] {
  return Array.from({ length: rank }, () => randInt(r, lo, hi));
}

describe('LayerNormalization (opset 17)', () => {
  it('matches onnxruntime for every axis of random 1-4-D inputs, with and without B', async () => {
    const r = rng(17);
    for (let t = 0; t < 24; t++) {
      const rank = randInt(r, 1, 4);
      const dims = randDims(r, rank);
      const axis = randInt(r, -rank, rank - 1);
      const a = axis < 0 ? axis + rank : axis;
      const pdims = dims.slice(a);
      const withBias = t % 2 === 0;
      const c: OneNodeCase = {
        op: 'LayerNormalization',
        opset: 17,
        inputs: [
          ['X', randomFloats(r, dims, -3, 3)],
          ['Scale', randomFloats(r, pdims)],
          ['B', withBias ? randomFloats(r, pdims) : undefined],
        ],
        outputs: [
          { name: 'Y', dtype: 'float32' },
          { name: 'Mean', dtype: 'float32' },
          { name: 'InvStdDev', dtype: 'float32' },
        ],
        attrs: { axis, epsilon: t % 3 === 0 ? 1e-2 : 1e-5 },
        constants: t % 4 === 0 ? ['Scale', 'B'] : [],
      };
      await expectMatchesOrt(c, RTOL, ATOL, `LayerNorm [${dims}] axis ${axis}`);
    }
  });

  it('gives bias alone on a constant row (zero variance) and a rank-broadcast scale', async () => {
    await expectMatchesOrt(
      {
        op: 'LayerNormalization',
        opset: 17,
        inputs: [
          ['X', f32([2, 3], [5, 5, 5, 1, 2, 3])],
          ['Scale', f32([3], [1, 2, 3])],
          ['B', f32([3], [0.5, -0.5, 1])],
        ],
      },
      RTOL,
      ATOL,
    );
    const y = runOurs({
      op: 'LayerNormalization',
      opset: 17,
      inputs: [
        ['X', f32([1, 2], [7, 7])],
        ['Scale', f32([2], [1, 1])],
        ['B', f32([2], [0.25, 0.5])],
      ],
    }).get('Y')!;
    expect([...(y.data as Float32Array)]).toEqual([0.25, 0.5]);
  });

  it('refuses stash_type other than 1 in one line', () => {
    expect(() =>
      runOurs({
        op: 'LayerNormalization',
        opset: 17,
        inputs: [
          ['X', f32([1, 2], [1, 2])],
          ['Scale', f32([2], [1, 1])],
        ],
        attrs: { stash_type: 10 },
      }),
    ).toThrow(/not supported/);
  });
});

describe('RMSNormalization (opset 23)', () => {
  it('matches onnxruntime for every axis of random inputs', async () => {
    const r = rng(23);
    for (let t = 0; t < 16; t++) {
      const rank = randInt(r, 1, 4);
      const dims = randDims(r, rank);
      const axis = randInt(r, -rank, rank - 1);
      const a = axis < 0 ? axis + rank : axis;
      await expectMatchesOrt(
        {
          op: 'RMSNormalization',
          opset: 23,
          inputs: [
            ['X', randomFloats(r, dims, -3, 3)],
            ['scale', randomFloats(r, dims.slice(a))],
          ],
          attrs: { axis, epsilon: t % 2 ? 1e-5 : 0.1 },
        },
        RTOL,
        ATOL,
        `RMSNorm [${dims}] axis ${axis}`,
      );
    }
  });
});

describe('GroupNormalization', () => {
  it('opset 21: per-channel scale and bias match onnxruntime', async () => {
    const r = rng(21);
    for (let t = 0; t < 12; t++) {
      const groups = randInt(r, 1, 3);
      const c = groups * randInt(r, 1, 3);
      const dims = [randInt(r, 1, 3), c, ...randDims(r, randInt(r, 0, 2))];
      await expectMatchesOrt(
        {
          op: 'GroupNormalization',
          opset: 21,
          inputs: [
            ['X', randomFloats(r, dims, -2, 2)],
            ['scale', randomFloats(r, [c])],
            ['bias', randomFloats(r, [c])],
          ],
          attrs: { num_groups: groups, epsilon: t % 2 ? 1e-5 : 1e-2 },
        },
        RTOL,
        ATOL,
        `GroupNorm-21 [${dims}] G ${groups}`,
      );
    }
  });

  it('opset 18: scale and bias are per group', async () => {
    const r = rng(18);
    for (let t = 0; t < 8; t++) {
      const groups = randInt(r, 1, 3);
      const c = groups * randInt(r, 1, 3);
      const dims = [randInt(r, 1, 3), c, ...randDims(r, randInt(r, 1, 2))];
      await expectMatchesOrt(
        {
          op: 'GroupNormalization',
          opset: 18,
          inputs: [
            ['X', randomFloats(r, dims, -2, 2)],
            ['scale', randomFloats(r, [groups])],
            ['bias', randomFloats(r, [groups])],
          ],
          attrs: { num_groups: groups },
        },
        RTOL,
        ATOL,
        `GroupNorm-18 [${dims}] G ${groups}`,
      );
    }
  });

  it('refuses channels that do not split into num_groups', () => {
    expect(() =>
      runOurs({
        op: 'GroupNormalization',
        opset: 21,
        inputs: [
          ['X', f32([1, 3, 1], [1, 2, 3])],
          ['scale', f32([3], [1, 1, 1])],
          ['bias', f32([3], [0, 0, 0])],
        ],
        attrs: { num_groups: 2 },
      }),
    ).toThrow(/do not split/);
  });
});

describe('InstanceNormalization, MeanVarianceNormalization, LpNormalization, LRN', () => {
  it('InstanceNormalization (opsets 6 and 22) matches onnxruntime', async () => {
    const r = rng(6);
    for (let t = 0; t < 12; t++) {
      const c = randInt(r, 1, 4);
      const dims = [randInt(r, 1, 3), c, ...randDims(r, randInt(r, 1, 3))];
      await expectMatchesOrt(
        {
          op: 'InstanceNormalization',
          opset: t % 2 ? 6 : 22,
          inputs: [
            ['input', randomFloats(r, dims, -2, 2)],
            ['scale', randomFloats(r, [c])],
            ['B', randomFloats(r, [c])],
          ],
          attrs: { epsilon: t % 3 ? 1e-5 : 0.5 },
        },
        RTOL,
        ATOL,
        `InstanceNorm [${dims}]`,
      );
    }
  });

  it('MeanVarianceNormalization matches onnxruntime for default and chosen axes', async () => {
    const r = rng(9);
    const axesSets = [undefined, [1], [2, 3], [0, 1, 2, 3], [-1]];
    for (let t = 0; t < 10; t++) {
      const axes = axesSets[t % axesSets.length];
      await expectMatchesOrt(
        {
          op: 'MeanVarianceNormalization',
          opset: t % 2 ? 9 : 13,
          inputs: [['X', randomFloats(r, randDims(r, 4, 2, 4), -2, 2)]],
          attrs: axes ? { axes } : {},
        },
        RTOL,
        ATOL,
        `MVN axes ${axes}`,
      );
    }
  });

  it('LpNormalization p = 1 and 2 matches onnxruntime, a zero vector gives 0', async () => {
    const r = rng(2);
    for (let t = 0; t < 12; t++) {
      const rank = randInt(r, 1, 4);
      await expectMatchesOrt(
        {
          op: 'LpNormalization',
          opset: t % 2 ? 1 : 22,
          inputs: [['input', randomFloats(r, randDims(r, rank), -2, 2)]],
          attrs: { axis: randInt(r, -rank, rank - 1), p: 1 + (t % 2) },
        },
        RTOL,
        ATOL,
        'LpNorm',
      );
    }
    const y = runOurs({ op: 'LpNormalization', opset: 22, inputs: [['input', f32([2, 2], [0, 0, 3, -4])]] });
    expect([...(y.get('Y')!.data as Float32Array)]).toEqual([0, 0, Math.fround(0.6), Math.fround(-0.8)]);
    expect(() =>
      runOurs({ op: 'LpNormalization', opset: 22, inputs: [['input', f32([2], [1, 2])]], attrs: { p: 3 } }),
    ).toThrow(/not supported/);
  });

  it('LRN matches onnxruntime for odd sizes (onnxruntime refuses even ones)', async () => {
    const r = rng(13);
    for (let t = 0; t < 10; t++) {
      const dims = [randInt(r, 1, 2), randInt(r, 1, 7), randInt(r, 1, 4), randInt(r, 1, 4)];
      await expectMatchesOrt(
        {
          op: 'LRN',
          opset: t % 2 ? 1 : 13,
          inputs: [['X', randomFloats(r, dims, -3, 3)]],
          attrs: {
            size: 2 * randInt(r, 0, 2) + 1,
            alpha: 0.02,
            beta: 0.6 + 0.1 * (t % 3),
            bias: 1.5 + (t % 2),
          },
        },
        RTOL,
        ATOL,
        `LRN [${dims}]`,
      );
    }
  });

  it('LRN with an even size takes floor((size-1)/2) channels before and ceil after (the spec)', () => {
    // size 2: the window of channel c is [c, c + 1]; alpha / size = 0.5, bias 1, beta 1.
    const y = runOurs({
      op: 'LRN',
      opset: 13,
      inputs: [['X', f32([1, 3, 1, 1], [1, 2, 3])]],
      attrs: { size: 2, alpha: 1, beta: 1, bias: 1.0 },
    }).get('Y')!;
    const want = [1 / (1 + 0.5 * 5), 2 / (1 + 0.5 * 13), 3 / (1 + 0.5 * 9)].map(Math.fround);
    expect([...(y.data as Float32Array)]).toEqual(want);
  });

  it('keeps float64 in float64', () => {
    const x = makeTensor('float64', [1, 2, 2], Float64Array.from([1, 2, 3, 5]));
    const y = runOurs({
      op: 'InstanceNormalization',
      opset: 6,
      inputs: [
        ['input', x],
        ['scale', makeTensor('float64', [2], Float64Array.from([1, 1]))],
        ['B', makeTensor('float64', [2], Float64Array.from([0, 0]))],
      ],
      attrs: { epsilon: 0 },
    }).get('Y')!;
    expect(y.dtype).toBe('float64');
    expect([...(y.data as Float64Array)]).toEqual([-1, 1, -1, 1]);
  });
});

describe('normalization shapes', () => {
  it("LayerNormalization's Mean and InvStdDev keep X's leading dims (float32), 1 from axis on", () => {
    const [y, mean, inv] = one('LayerNormalization', [[2, 3, 4], [3, 4], [4]], { axis: 1 }, { outputs: 3 });
    expect(y).toEqual({ dtype: 'float32', dims: [2, 3, 4] });
    expect(mean).toEqual({ dtype: 'float32', dims: [2, 1, 1] });
    expect(inv).toEqual({ dtype: 'float32', dims: [2, 1, 1] });
    expect(() => one('LayerNormalization', [[2, 3, 4], [3]], { axis: 1 })).toThrow(/does not broadcast/);
    expect(() => one('LayerNormalization', [[2, 3], [3]], { axis: 2 })).toThrow(/out of range/);
  });

  it('GroupNormalization takes scale/bias per group at opset 18 and per channel from 21', () => {
    expect(
      one('GroupNormalization', [[1, 6, 4], [2], [2]], { num_groups: 2 }, { opset: 18 })[0].dims,
    ).toEqual([1, 6, 4]);
    expect(() => one('GroupNormalization', [[1, 6, 4], [6], [6]], { num_groups: 2 }, { opset: 18 })).toThrow(
      /expected \[2\]/,
    );
    expect(
      one('GroupNormalization', [[1, 6, 4], [6], [6]], { num_groups: 2 }, { opset: 21 })[0].dims,
    ).toEqual([1, 6, 4]);
    expect(() => one('GroupNormalization', [[1, 6, 4], [6], [6]], { num_groups: 4 }, { opset: 21 })).toThrow(
      /num_groups/,
    );
  });

  it('refuses what is not implemented with "not supported"', () => {
    expect(() => one('LpNormalization', [[2, 3]], { p: 3 })).toThrow(/not supported/);
    expect(() => one('RMSNormalization', [[2, 3], [3]], { stash_type: 0 }, { opset: 23 })).toThrow(
      /not supported/,
    );
    expect(() => one('InstanceNormalization', [[2, 3], [3], [3]])).toThrow(/rank/);
  });
});
