// Range, Trilu, CumSum, OneHot, EyeLike, Hardmax, IsInf / IsNaN and TopK against onnxruntime-node
// on random shapes and values (exact: these ops move or compare values, and CumSum's float sums
// run in onnxruntime's order); CumProd (opset 26, newer than onnxruntime 1.30) against literals.
import { describe, expect, it } from 'vitest';
import { cumulativeRef } from '../../kernels/index-ops/index-ops.ref.js';
import { type DType, int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { expectMatchesOrt, pick, randInt, randomDims, randomTensor, rng } from './tensor-oracle.helper.js';

const scalar = (dtype: DType, v: number) => makeTensor(dtype, [], [v]);

describe('index and selection ops vs onnxruntime', () => {
  it('Range: floats, ints, negative and fractional deltas, empty results', async () => {
    const cases: [DType, number, number, number][] = [
      ['float32', 0.5, 7.3, 0.7],
      ['float32', 10, -3, -1.25],
      ['float64', -2, 2, 0.3],
      ['int32', 10, 2, -3],
      ['int64', -5, 17, 4],
      ['int32', 5, 5, 1],
      ['float32', 3, 1, 1],
    ];
    for (const [dtype, s, l, d] of cases)
      await expectMatchesOrt(
        {
          op: 'Range',
          opset: 11,
          inputs: [
            ['start', dtype === 'int64' ? int64Tensor([], [s]) : scalar(dtype, s)],
            ['limit', dtype === 'int64' ? int64Tensor([], [l]) : scalar(dtype, l)],
            ['delta', dtype === 'int64' ? int64Tensor([], [d]) : scalar(dtype, d)],
          ],
          outputs: [{ name: 'y', dtype }],
        },
        0,
        `Range ${dtype} ${s} ${l} ${d}`,
      );
  });

  it('Trilu upper and lower with k, CumSum exclusive / reverse, Hardmax, IsInf, IsNaN', async () => {
    const r = rng(14);
    for (let t = 0; t < 10; t++) {
      const dims = randomDims(r, 2, 4, 5);
      const x = randomTensor(r, pick(r, ['float32', 'int64', 'int32'] as DType[]), dims, -9, 9);
      const k = int64Tensor([], [randInt(r, -3, 3)]);
      for (const upper of [0, 1])
        await expectMatchesOrt(
          {
            op: 'Trilu',
            opset: 14,
            inputs: [
              ['x', x],
              ['k', k],
            ],
            outputs: [{ name: 'y', dtype: x.dtype }],
            attrs: { upper },
          },
          0,
          `Trilu upper=${upper} [${dims}]`,
        );
      const axis = int64Tensor([], [randInt(r, -dims.length, dims.length - 1)]);
      const exclusive = randInt(r, 0, 1);
      const reverse = randInt(r, 0, 1);
      await expectMatchesOrt(
        {
          op: 'CumSum',
          opset: 14,
          inputs: [
            ['x', x],
            ['axis', axis],
          ],
          outputs: [{ name: 'y', dtype: x.dtype }],
          attrs: { exclusive, reverse },
        },
        0,
        `CumSum [${dims}] ${exclusive} ${reverse}`,
      );
      const f = randomTensor(r, 'float32', dims, -3, 3);
      (f.data as Float32Array)[0] = (f.data as Float32Array)[1]; // a tie: the first index wins
      for (const opset of [11, 13])
        await expectMatchesOrt(
          {
            op: 'Hardmax',
            opset,
            inputs: [['x', f]],
            outputs: [{ name: 'y', dtype: 'float32' }],
            attrs: { axis: randInt(r, 0, dims.length - 1) },
          },
          0,
          `Hardmax-${opset} [${dims}]`,
        );
    }
    const special = makeTensor(
      'float32',
      [6],
      [1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0, -2],
    );
    for (const [p, n] of [
      [1, 1],
      [1, 0],
      [0, 1],
    ])
      await expectMatchesOrt(
        {
          op: 'IsInf',
          opset: 10,
          inputs: [['x', special]],
          outputs: [{ name: 'y', dtype: 'bool' }],
          attrs: { detect_positive: p, detect_negative: n },
        },
        0,
        'IsInf',
      );
    await expectMatchesOrt(
      { op: 'IsNaN', opset: 13, inputs: [['x', special]], outputs: [{ name: 'y', dtype: 'bool' }] },
      0,
      'IsNaN',
    );
  });

  it('OneHot with negative and out-of-range indices at every axis; EyeLike with k and dtype', async () => {
    const r = rng(9);
    for (let t = 0; t < 6; t++) {
      const dims = randomDims(r, 1, 3, 4);
      const depth = randInt(r, 2, 6);
      const idx = randomTensor(r, 'int64', dims, -depth - 1, depth + 1);
      const axis = randInt(r, -dims.length - 1, dims.length);
      await expectMatchesOrt(
        {
          op: 'OneHot',
          opset: 11,
          inputs: [
            ['i', idx],
            ['depth', int64Tensor([], [depth])],
            ['values', makeTensor('float32', [2], [-1, 3])],
          ],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis },
        },
        0,
        `OneHot [${dims}] depth ${depth} axis ${axis}`,
      );
    }
    for (const k of [-2, 0, 1, 4])
      await expectMatchesOrt(
        {
          op: 'EyeLike',
          opset: 9,
          inputs: [['x', randomTensor(r, 'float32', [3, 5])]],
          outputs: [{ name: 'y', dtype: 'int32' }],
          attrs: { k, dtype: 6 },
        },
        0,
        `EyeLike k=${k}`,
      );
  });

  it('TopK largest and smallest with ties, at every axis', async () => {
    const r = rng(24);
    for (let t = 0; t < 10; t++) {
      const dims = randomDims(r, 1, 3, 6);
      const axis = randInt(r, 0, dims.length - 1);
      const x = randomTensor(r, pick(r, ['float32', 'int64'] as DType[]), dims, -3, 3); // few values: ties
      const k = randInt(r, 0, dims[axis]);
      for (const largest of [0, 1])
        await expectMatchesOrt(
          {
            op: 'TopK',
            opset: 11,
            inputs: [
              ['x', x],
              ['k', int64Tensor([1], [k])],
            ],
            outputs: [
              { name: 'v', dtype: x.dtype },
              { name: 'i', dtype: 'int64' },
            ],
            attrs: { axis, largest },
          },
          0,
          `TopK [${dims}] axis ${axis} k ${k} largest ${largest}`,
        );
    }
  });

  it('CumProd (opset 26): inclusive, exclusive and reversed', () => {
    const x = makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const got = (e: boolean, rev: boolean) =>
      Array.from(cumulativeRef(x, 1, e, rev, true).data as Float32Array);
    expect(got(false, false)).toEqual([1, 2, 6, 4, 20, 120]);
    expect(got(true, false)).toEqual([1, 1, 2, 1, 4, 20]);
    expect(got(false, true)).toEqual([6, 6, 3, 120, 30, 6]);
    expect(got(true, true)).toEqual([6, 3, 1, 30, 6, 1]);
  });
});
