// DepthToSpace / SpaceToDepth, Trilu, EyeLike, OneHot, Range, CumSum, TopK, Hardmax, IsInf / IsNaN,
// GlobalMaxPool and the two losses (kernels/misc, kernels/loss) on the CPU interpreter against
// onnxruntime-node: data movement and integer ops exactly, float ops within 1e-4 relative.
import { describe, expect, it } from 'vitest';
import { cumulativeRef } from '../../kernels/misc/scan.ref.js';
import { type DType, int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  expectNear,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

const one = (
  op: string,
  opset: number,
  inputs: OneNode['inputs'],
  outputs: OneNode['outputs'],
  attrs?: OneNode['attrs'],
  constants?: string[],
): OneNode => ({ op, opset, inputs, outputs, attrs, constants });

async function near(c: OneNode, what: string): Promise<void> {
  const theirs = await runOrt(c);
  runOurs(c).forEach((t, i) => {
    expectNear(t, theirs[i], `${what} output ${i}`);
  });
}

describe('data movement and masks vs onnxruntime-node (exact)', () => {
  it('DepthToSpace (DCR, CRD) and SpaceToDepth round random shapes and dtypes', async () => {
    const r = rng(1);
    for (let k = 0; k < 20; k++) {
      const b = randInt(r, 1, 3);
      // onnxruntime's CPU DepthToSpace / SpaceToDepth take float types only.
      const dtype = pick(r, ['float32', 'float64'] as DType[]);
      const dims = [randInt(r, 1, 2), b * b * randInt(r, 1, 3), randInt(r, 1, 3), randInt(r, 1, 3)];
      const x = randomTensor(r, dtype, dims, 0, 100);
      const mode = pick(r, ['DCR', 'CRD']);
      await expectMatchesOrt(
        one('DepthToSpace', 13, [['x', x]], [{ name: 'y', dtype }], { blocksize: b, mode }),
        0,
        `DepthToSpace ${mode} b=${b} [${dims}]`,
      );
      const s = randomTensor(r, dtype, [dims[0], dims[1], dims[2] * b, dims[3] * b], 0, 100);
      await expectMatchesOrt(
        one('SpaceToDepth', 13, [['x', s]], [{ name: 'y', dtype }], { blocksize: b }),
        0,
        `SpaceToDepth b=${b}`,
      );
    }
  });

  it('Trilu: upper and lower, k from -4 to 4 and absent, batched', async () => {
    const r = rng(2);
    for (let k = 0; k < 20; k++) {
      const dtype = pick(r, ['float32', 'int64', 'int32'] as DType[]);
      const dims = [...randomDims(r, 0, 2, 2), randInt(r, 1, 5), randInt(r, 1, 5)];
      const x = randomTensor(r, dtype, dims, -50, 50);
      const kv = k % 5 === 0 ? undefined : int64Tensor([], [randInt(r, -4, 4)]);
      await expectMatchesOrt(
        one(
          'Trilu',
          14,
          [
            ['x', x],
            ['k', kv],
          ],
          [{ name: 'y', dtype }],
          { upper: randInt(r, 0, 1) },
        ),
        0,
        `Trilu [${dims}]`,
      );
    }
  });

  it('EyeLike with k and dtype; OneHot with negative and out-of-range indices on every axis', async () => {
    for (const k of [-3, -1, 0, 2, 5]) {
      const x = makeTensor('float32', [3, 4]);
      await expectMatchesOrt(one('EyeLike', 9, [['x', x]], [{ name: 'y', dtype: 'int32' }], { k, dtype: 6 }));
      await expectMatchesOrt(one('EyeLike', 9, [['x', x]], [{ name: 'y', dtype: 'float32' }], { k }));
    }
    const r = rng(3);
    for (let k = 0; k < 12; k++) {
      const dims = randomDims(r, 1, 3, 3);
      const depth = randInt(r, 1, 5);
      // onnxruntime registers int64 indices with int64 depth for float values.
      const idx = randomTensor(r, 'int64', dims, -7, 7);
      const values = makeTensor('float32', [2], [randInt(r, -3, 0), randInt(r, 1, 9)]);
      await expectMatchesOrt(
        one(
          'OneHot',
          11,
          [
            ['i', idx],
            ['d', int64Tensor([], [depth])],
            ['v', values],
          ],
          [{ name: 'y', dtype: 'float32' }],
          { axis: randInt(r, -dims.length - 1, dims.length) },
          ['d'],
        ),
        0,
        `OneHot [${dims}] depth ${depth}`,
      );
    }
  });

  it('Range: int32, int64 and float32, empty ranges, negative deltas, non-divisible spans', async () => {
    const cases: Array<[DType, number, number, number]> = [
      ['int32', 0, 10, 3],
      ['int32', 10, 4, -2],
      ['int64', -5, 5, 7],
      ['int64', 3, 3, 1],
      ['int64', 5, 0, 1],
      ['float32', 0.5, 3.2, 0.3],
      ['float32', 1, -2.5, -0.7],
      ['float32', -1, 1, 0.1],
      ['float64', -1, 1, 0.1],
      ['int16', -7, 20, 4],
    ];
    for (const [dtype, s, l, d] of cases) {
      const sc = (v: number) => makeTensor(dtype, [], [v]);
      await expectMatchesOrt(
        one(
          'Range',
          11,
          [
            ['s', sc(s)],
            ['l', sc(l)],
            ['d', sc(d)],
          ],
          [{ name: 'y', dtype }],
        ),
        0,
        `Range ${dtype} ${s} ${l} ${d}`,
      );
    }
  });

  it('IsInf (both detect flags) and IsNaN; GlobalMaxPool with NaN and 1-D to 3-D input', async () => {
    const x = makeTensor(
      'float32',
      [6],
      [1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0, 3],
    );
    for (const [n, p] of [
      [1, 1],
      [0, 1],
      [1, 0],
      [0, 0],
    ])
      await expectMatchesOrt(
        one('IsInf', 10, [['x', x]], [{ name: 'y', dtype: 'bool' }], {
          detect_negative: n,
          detect_positive: p,
        }),
      );
    await expectMatchesOrt(one('IsNaN', 13, [['x', x]], [{ name: 'y', dtype: 'bool' }]));
    // NaN as onnxruntime: a leading NaN stays, a later one is skipped.
    const nan = makeTensor('float32', [1, 2, 3], [Number.NaN, 1, 2, 1, Number.NaN, 3]);
    await expectMatchesOrt(one('GlobalMaxPool', 1, [['x', nan]], [{ name: 'y', dtype: 'float32' }]));
    const r = rng(4);
    for (const spatial of [[5], [3, 4], [2, 3, 2]]) {
      const t = randomTensor(r, 'float32', [2, 3, ...spatial]);
      await expectMatchesOrt(one('GlobalMaxPool', 1, [['x', t]], [{ name: 'y', dtype: 'float32' }]));
    }
  });
});

describe('scans and ordering vs onnxruntime-node', () => {
  it('CumSum: exclusive and reverse on every axis, integers exact, floats within 1e-4', async () => {
    const r = rng(5);
    for (let k = 0; k < 24; k++) {
      const dtype = pick(r, ['float32', 'int32', 'int64', 'float64'] as DType[]);
      const dims = randomDims(r, 1, 3, 5);
      const x = randomTensor(r, dtype, dims, -100, 100);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const c = one(
        'CumSum',
        14,
        [
          ['x', x],
          ['a', int64Tensor([], [axis])],
        ],
        [{ name: 'y', dtype }],
        { exclusive: randInt(r, 0, 1), reverse: randInt(r, 0, 1) },
        ['a'],
      );
      if (dtype === 'float32') await near(c, `CumSum [${dims}] axis ${axis}`);
      else await expectMatchesOrt(c, 0, `CumSum ${dtype} [${dims}] axis ${axis}`);
    }
  });

  it('CumProd (opset 26): exclusive / reverse by hand, int32 wraps', () => {
    const x = makeTensor('int32', [4], [2, 3, 4, 5]);
    const v = (t: Tensor) => Array.from(t.data as Int32Array);
    expect(v(cumulativeRef(x, 0, false, false, true))).toEqual([2, 6, 24, 120]);
    expect(v(cumulativeRef(x, 0, true, false, true))).toEqual([1, 2, 6, 24]);
    expect(v(cumulativeRef(x, 0, false, true, true))).toEqual([120, 60, 20, 5]);
    expect(v(cumulativeRef(x, 0, true, true, true))).toEqual([60, 20, 5, 1]);
    const big = makeTensor('int32', [3], [65536, 65536, 3]);
    expect(v(cumulativeRef(big, 0, false, false, true))).toEqual([65536, 0, 0]);
  });

  it('CumProd (opset 26) vs onnxruntime-node: every axis, exclusive and reverse', async () => {
    const r = rng(10);
    for (let k = 0; k < 16; k++) {
      const dtype = pick(r, ['float32', 'int32', 'int64', 'float64'] as DType[]);
      const dims = randomDims(r, 1, 3, 4);
      const x = randomTensor(r, dtype, dims, -4, 4);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const c = one(
        'CumProd',
        26,
        [
          ['x', x],
          ['a', int64Tensor([], [axis])],
        ],
        [{ name: 'y', dtype }],
        { exclusive: randInt(r, 0, 1), reverse: randInt(r, 0, 1) },
        ['a'],
      );
      if (dtype === 'float32') await near(c, `CumProd [${dims}] axis ${axis}`);
      else await expectMatchesOrt(c, 0, `CumProd ${dtype} [${dims}] axis ${axis}`);
    }
  });

  it('TopK: largest and smallest, ties (smaller index first), every axis, opsets 1, 10 and 11', async () => {
    const r = rng(6);
    for (let k = 0; k < 24; k++) {
      const dtype = pick(r, ['float32', 'int32', 'int64'] as DType[]);
      const dims = randomDims(r, 1, 3, 5);
      // Few distinct values so ties are common.
      const x = randomTensor(r, dtype, dims, -3, 3);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const len = dims[axis < 0 ? axis + dims.length : axis];
      const opset = pick(r, [1, 10, 11]);
      const kk = randInt(r, opset === 1 ? 1 : 0, len); // TopK-1's k attribute must be >= 1
      const largest = opset >= 11 ? randInt(r, 0, 1) : 1;
      const attrs: Record<string, number> =
        opset >= 11 ? { axis, largest } : opset === 1 ? { axis, k: kk } : { axis };
      const inputs: OneNode['inputs'] = [['x', x]];
      if (opset >= 10) inputs.push(['k', int64Tensor([1], [kk])]);
      if (opset < 11 && dtype !== 'float32') continue; // TopK before 11 is float only
      await expectMatchesOrt(
        one(
          'TopK',
          opset,
          inputs,
          [
            { name: 'v', dtype },
            { name: 'i', dtype: 'int64' },
          ],
          attrs,
          ['k'],
        ),
        0,
        `TopK-${opset} ${dtype} [${dims}] axis ${axis} k ${kk} largest ${largest}`,
      );
    }
  });

  it('Hardmax: 2-D coercion before opset 13, one axis from 13, first maximum wins', async () => {
    const r = rng(7);
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 1, 4, 4);
      const x = Array.from(randomTensor(r, 'float32', dims, -2, 2).data as Float32Array, Math.round);
      const t = makeTensor('float32', dims, x);
      const opset = pick(r, [11, 13]);
      const axis = randInt(r, -dims.length, dims.length - 1);
      await expectMatchesOrt(
        one('Hardmax', opset, [['x', t]], [{ name: 'y', dtype: 'float32' }], { axis }),
        0,
        `Hardmax-${opset} [${dims}] axis ${axis}`,
      );
    }
  });
});

describe('LpPool vs onnxruntime-node (1e-4 relative)', () => {
  it('p = 1, 2, 3 over 1-D and 2-D windows with pads, strides, auto_pad and (opset 18) dilations', async () => {
    const r = rng(9);
    for (let k = 0; k < 16; k++) {
      const rank = randInt(r, 1, 2);
      const spatial = Array.from({ length: rank }, () => randInt(r, 3, 6));
      const kernel = spatial.map(() => randInt(r, 1, 3));
      const opset = pick(r, [11, 18]);
      const attrs: Record<string, number | number[] | string> = { kernel_shape: kernel, p: randInt(r, 1, 3) };
      if (r() < 0.5) attrs.strides = spatial.map(() => randInt(r, 1, 2));
      if (r() < 0.3) attrs.auto_pad = pick(r, ['SAME_UPPER', 'SAME_LOWER', 'VALID']);
      else if (r() < 0.5) attrs.pads = [...kernel, ...kernel].map((kk) => randInt(r, 0, kk - 1));
      if (opset === 18 && !attrs.auto_pad && r() < 0.5) attrs.dilations = spatial.map(() => randInt(r, 1, 2));
      const x = randomTensor(r, 'float32', [randInt(r, 1, 2), randInt(r, 1, 3), ...spatial], -2, 2);
      await near(
        one('LpPool', opset, [['x', x]], [{ name: 'y', dtype: 'float32' }], attrs),
        `LpPool-${opset} ${JSON.stringify(attrs)} [${x.dims}]`,
      );
    }
  });
});

describe('losses vs onnxruntime-node (1e-4 relative)', () => {
  it('NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: reductions, weights, ignore_index, log_prob', async () => {
    const r = rng(8);
    for (let k = 0; k < 24; k++) {
      const n = randInt(r, 1, 3);
      const c = randInt(r, 2, 5);
      const extra = randomDims(r, 0, 2, 3);
      const x = randomTensor(r, 'float32', [n, c, ...extra], -3, 3);
      const t = randomTensor(r, 'int64', [n, ...extra], 0, c - 1);
      const ignore = r() < 0.5 ? randInt(r, 0, c - 1) : undefined;
      if (ignore !== undefined) (t.data as BigInt64Array)[0] = BigInt(ignore); // keep one ignored
      const w = r() < 0.5 ? randomTensor(r, 'float32', [c], 0.1, 2) : undefined;
      const reduction = pick(r, ['none', 'mean', 'sum']);
      const attrs = { reduction, ...(ignore !== undefined ? { ignore_index: ignore } : {}) };
      const what = `${reduction} [${x.dims}] w=${!!w} ignore=${ignore}`;
      await near(
        one(
          'NegativeLogLikelihoodLoss',
          13,
          [
            ['x', x],
            ['t', t],
            ['w', w],
          ],
          [{ name: 'l', dtype: 'float32' }],
          attrs,
        ),
        `NLL ${what}`,
      );
      await near(
        one(
          'SoftmaxCrossEntropyLoss',
          13,
          [
            ['x', x],
            ['t', t],
            ['w', w],
          ],
          [
            { name: 'l', dtype: 'float32' },
            { name: 'p', dtype: 'float32' },
          ],
          attrs,
        ),
        `SCE ${what}`,
      );
    }
  });

  it('every target ignored: NaN for mean, -0 for sum and none, as onnxruntime (exact)', async () => {
    const x = makeTensor('float32', [2, 3], [-1, -2, -3, -4, -5, -6]);
    const t = int64Tensor([2], [1, 1]);
    for (const op of ['NegativeLogLikelihoodLoss', 'SoftmaxCrossEntropyLoss'])
      for (const reduction of ['mean', 'sum', 'none'])
        await expectMatchesOrt(
          one(
            op,
            13,
            [
              ['x', x],
              ['t', t],
            ],
            [{ name: 'l', dtype: 'float32' }],
            { reduction, ignore_index: 1 },
          ),
          0,
          `${op} ${reduction} all ignored`,
        );
  });

  it('refuses an unknown reduction in one line', () => {
    const x = makeTensor('float32', [1, 2], [0, 0]);
    const t = int64Tensor([1], [0]);
    expect(() =>
      runOurs(
        one(
          'NegativeLogLikelihoodLoss',
          13,
          [
            ['x', x],
            ['t', t],
          ],
          [{ name: 'l', dtype: 'float32' }],
          { reduction: 'max' },
        ),
      ),
    ).toThrow(/not supported/);
  });
});
