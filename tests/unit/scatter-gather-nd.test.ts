// ScatterElements / Scatter, ScatterND and GatherND (kernels/scatter/scatter.ref.ts) on the CPU
// interpreter against onnxruntime-node, exactly: random shapes, dtypes, axes, negative indices,
// every reduction at the opsets that have it, batch_dims; and one-line refusals.
import { describe, expect, it } from 'vitest';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOurs,
} from './tensor-oracle.helper.js';

function int64(dims: readonly number[], values: readonly number[]): Tensor {
  return makeTensor(
    'int64',
    dims,
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

function scatterNode(
  op: string,
  opset: number,
  data: Tensor,
  idx: Tensor,
  upd: Tensor,
  attrs: OneNode['attrs'],
): OneNode {
  return {
    op,
    opset,
    inputs: [
      ['data', data],
      ['indices', idx],
      ['updates', upd],
    ],
    outputs: [{ name: 'y', dtype: data.dtype }],
    attrs,
  };
}

const DTYPES: DType[] = ['float32', 'int32', 'int64', 'float64', 'uint8', 'int8'];
const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'];

describe('ScatterElements / Scatter vs onnxruntime-node (exact)', () => {
  it('random axes, negative and duplicate indices, reductions by opset', async () => {
    const r = rng(21);
    for (let k = 0; k < 40; k++) {
      const opset = pick(r, [11, 13, 16, 18]);
      const reduction =
        opset >= 18 ? pick(r, REDUCTIONS) : opset >= 16 ? pick(r, REDUCTIONS.slice(0, 3)) : 'none';
      const dtype = pick(r, reduction === 'none' ? [...DTYPES, 'bool' as DType] : DTYPES);
      const dims = randomDims(r, 1, 4, 4);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const ax = axis < 0 ? axis + dims.length : axis;
      const iDims = dims.map((d) => randInt(r, 1, d));
      const n = iDims.reduce((a, b) => a * b, 1);
      // Duplicates only with a reduction: onnxruntime's order for 'none' is its own business.
      const rows: number[] = [];
      for (let i = 0; i < n; i++) rows.push(randInt(r, 0, dims[ax] - 1));
      const idxVals =
        reduction === 'none'
          ? uniqueAlongAxis(iDims, ax, dims[ax], r)
          : rows.map((v) => (r() < 0.3 ? v - dims[ax] : v));
      const data = randomTensor(r, dtype, dims, -5, 5);
      const upd = randomTensor(r, dtype, iDims, -3, 3);
      const attrs: OneNode['attrs'] = opset >= 16 ? { axis, reduction } : { axis };
      await expectMatchesOrt(
        scatterNode('ScatterElements', opset, data, int64(iDims, idxVals), upd, attrs),
        0,
        `ScatterElements-${opset} ${reduction} ${dtype} [${dims}] axis ${axis}`,
      );
    }
  });

  it('Scatter (opset 9-10) is ScatterElements without reduction', async () => {
    const r = rng(5);
    const data = randomTensor(r, 'float32', [3, 4]);
    const idx = int64([2, 3], [2, 0, -1, 1, 2, 0]);
    await expectMatchesOrt(
      scatterNode('Scatter', 10, data, idx, randomTensor(r, 'float32', [2, 3]), { axis: 0 }),
      0,
      'Scatter-10',
    );
  });
});

/** Index values for indices of dims `iDims` that never repeat along `axis` (a permutation prefix). */
function uniqueAlongAxis(iDims: readonly number[], ax: number, dim: number, r: () => number): number[] {
  const n = iDims.reduce((a, b) => a * b, 1);
  const stride = iDims.slice(ax + 1).reduce((a, b) => a * b, 1);
  const out = new Array<number>(n);
  const lines = n / iDims[ax];
  for (let l = 0; l < lines; l++) {
    const perm = Array.from({ length: dim }, (_, i) => i).sort(() => r() - 0.5);
    const outer = Math.floor(l / stride);
    const inner = l % stride;
    for (let j = 0; j < iDims[ax]; j++) {
      const v = perm[j];
      out[(outer * iDims[ax] + j) * stride + inner] = r() < 0.3 ? v - dim : v;
    }
  }
  return out;
}

describe('ScatterND vs onnxruntime-node (exact)', () => {
  it('random slices, negative indices, reductions by opset', async () => {
    const r = rng(22);
    for (let k = 0; k < 40; k++) {
      const opset = pick(r, [11, 13, 16, 18]);
      const reduction =
        opset >= 18 ? pick(r, REDUCTIONS) : opset >= 16 ? pick(r, REDUCTIONS.slice(0, 3)) : 'none';
      const dtype = pick(r, DTYPES);
      const dims = randomDims(r, 1, 4, 4);
      const q = randInt(r, 1, dims.length);
      const lead = randomDims(r, 1, 2, 3);
      const count = lead.reduce((a, b) => a * b, 1);
      // Without a reduction the addressed slices must differ; with one they may repeat.
      const cells = dims.slice(0, q).reduce((a, b) => a * b, 1);
      const picks: number[] = [];
      const used = new Set<number>();
      for (let i = 0; i < count; i++) {
        let c = randInt(r, 0, cells - 1);
        if (reduction === 'none') {
          if (used.size === cells) break;
          while (used.has(c)) c = (c + 1) % cells;
          used.add(c);
        }
        picks.push(c);
      }
      if (picks.length < count) continue;
      const idxVals: number[] = [];
      for (const c of picks) {
        let rest = c;
        const coord = dims.slice(0, q).map(() => 0);
        for (let j = q - 1; j >= 0; j--) {
          coord[j] = rest % dims[j];
          rest = Math.floor(rest / dims[j]);
        }
        for (let j = 0; j < q; j++) idxVals.push(r() < 0.3 ? coord[j] - dims[j] : coord[j]);
      }
      const data = randomTensor(r, dtype, dims, -5, 5);
      const upd = randomTensor(r, dtype, [...lead, ...dims.slice(q)], -3, 3);
      await expectMatchesOrt(
        scatterNode(
          'ScatterND',
          opset,
          data,
          int64([...lead, q], idxVals),
          upd,
          opset >= 16 ? { reduction } : {},
        ),
        0,
        `ScatterND-${opset} ${reduction} ${dtype} [${dims}] q ${q}`,
      );
    }
  });
});

describe('GatherND vs onnxruntime-node (exact)', () => {
  it('random batch_dims, slice depths and negative indices', async () => {
    const r = rng(23);
    for (let k = 0; k < 40; k++) {
      const opset = pick(r, [11, 12, 13]);
      const dtype = pick(r, [...DTYPES, 'bool' as DType]);
      const dims = randomDims(r, 1, 4, 4);
      const b = opset >= 12 ? randInt(r, 0, dims.length - 1) : 0;
      const q = randInt(r, 1, dims.length - b);
      const mid = randomDims(r, 0, 2, 3);
      const iDims = [...dims.slice(0, b), ...mid, q];
      const n = iDims.reduce((a, c) => a * c, 1) / q;
      const idxVals: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < q; j++) {
          const d = dims[b + j];
          const v = randInt(r, 0, d - 1);
          idxVals.push(r() < 0.3 ? v - d : v);
        }
      }
      const c: OneNode = {
        op: 'GatherND',
        opset,
        inputs: [
          ['data', randomTensor(r, dtype, dims, -50, 50)],
          ['indices', int64(iDims, idxVals)],
        ],
        outputs: [{ name: 'y', dtype }],
        attrs: opset >= 12 ? { batch_dims: b } : {},
      };
      await expectMatchesOrt(c, 0, `GatherND-${opset} ${dtype} [${dims}] b ${b} indices [${iDims}]`);
    }
  });
});

describe('scatter / gather refusals', () => {
  it('refuses reductions before their opset and out-of-range indices in one line', () => {
    const r = rng(1);
    const data = randomTensor(r, 'float32', [3]);
    const upd = randomTensor(r, 'float32', [1]);
    expect(() =>
      runOurs(scatterNode('ScatterElements', 16, data, int64([1], [0]), upd, { reduction: 'max' })),
    ).toThrow(/reduction 'max' at opset 16 is not supported/);
    expect(() =>
      runOurs(scatterNode('ScatterND', 18, data, int64([1, 1], [0]), upd, { reduction: 'sub' })),
    ).toThrow(/reduction 'sub' at opset 18 is not supported/);
    expect(() => runOurs(scatterNode('ScatterND', 11, data, int64([1, 1], [3]), upd, {}))).toThrow(
      /out of range/,
    );
  });
});
