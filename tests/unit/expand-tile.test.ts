// Expand and Tile (kernels/shape-ops/expand-tile.ref.ts), Size and GatherElements on the CPU
// interpreter against
// onnxruntime-node, exactly: random shapes and dtypes, Expand both ways (a 1 in `shape` keeps the
// input's dim, a shorter or longer `shape`), zero-size outputs, and one-line refusals.
import { describe, expect, it } from 'vitest';
import { int64Tensor, type DType } from '../../kernels/tensor.js';
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

function node(op: 'Expand' | 'Tile', x: ReturnType<typeof randomTensor>, v: number[], opset = 13): OneNode {
  return {
    op,
    opset,
    inputs: [
      ['x', x],
      [op === 'Expand' ? 'shape' : 'repeats', int64Tensor([v.length], v)],
    ],
    constants: [op === 'Expand' ? 'shape' : 'repeats'],
    outputs: [{ name: 'y', dtype: x.dtype }],
  };
}

const DTYPES: DType[] = ['float32', 'int32', 'int64', 'uint8', 'bool', 'float64', 'int8'];

describe('Expand and Tile vs onnxruntime-node (exact)', () => {
  it('Expand: random broadcasts both ways', async () => {
    const r = rng(8);
    for (let k = 0; k < 30; k++) {
      const dtype = pick(r, DTYPES);
      const out = randomDims(r, 0, 4, 4);
      const xDims = out.slice(out.length - randInt(r, 0, out.length)).map((d) => (r() < 0.4 ? 1 : d));
      // The target may put a 1 where X has a dim (kept), and may be shorter than X.
      const shape = out
        .map((d, i) => (r() < 0.2 && i >= out.length - xDims.length ? 1 : d))
        .slice(r() < 0.2 ? 1 : 0);
      const x = randomTensor(r, dtype, xDims, 0, 100);
      await expectMatchesOrt(
        node('Expand', x, shape, pick(r, [8, 13])),
        0,
        `Expand ${dtype} [${xDims}] to [${shape}]`,
      );
    }
  });

  it('Tile: random repeats, zero repeats included', async () => {
    const r = rng(9);
    for (let k = 0; k < 30; k++) {
      const dtype = pick(r, DTYPES);
      const xDims = randomDims(r, 1, 4, 3);
      const repeats = xDims.map(() => randInt(r, k === 0 ? 0 : 1, 3));
      const x = randomTensor(r, dtype, xDims, 0, 100);
      await expectMatchesOrt(
        node('Tile', x, repeats, pick(r, [6, 13])),
        0,
        `Tile ${dtype} [${xDims}] x [${repeats}]`,
      );
    }
  });

  it('refuses bad shapes and repeats in one line', () => {
    const x = randomTensor(rng(1), 'float32', [2, 3]);
    expect(() => runOurs(node('Expand', x, [4, 3]))).toThrow(/\(Expand\).*cannot be broadcast/);
    expect(() => runOurs(node('Tile', x, [2]))).toThrow(
      /\(Tile\).*repeats has 1 values for an input of rank 2/,
    );
  });

  it('Size: the element count as an int64 scalar, empty and scalar inputs too', async () => {
    const r = rng(4);
    for (const dims of [[], [0, 3], [2, 3, 4], randomDims(r, 1, 4, 5)]) {
      const c: OneNode = {
        op: 'Size',
        opset: pick(r, [1, 13, 19]),
        inputs: [['x', randomTensor(r, 'float32', dims)]],
        outputs: [{ name: 'y', dtype: 'int64' }],
      };
      await expectMatchesOrt(c, 0, `Size [${dims}]`);
    }
  });

  it('GatherElements: random axes, smaller index shapes, negative indices, int32 and int64 indices', async () => {
    const r = rng(6);
    for (let k = 0; k < 20; k++) {
      const dtype = pick(r, DTYPES);
      const dims = randomDims(r, 1, 4, 4);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const a = axis < 0 ? axis + dims.length : axis;
      const idxDims = dims.map((d, i) => (i === a ? randInt(r, 1, 5) : randInt(r, 1, d)));
      const idxType = pick(r, ['int32', 'int64'] as DType[]);
      const idx = randomTensor(r, idxType, idxDims, -dims[a], dims[a] - 1);
      const c: OneNode = {
        op: 'GatherElements',
        opset: pick(r, [11, 13]),
        inputs: [
          ['data', randomTensor(r, dtype, dims, 0, 100)],
          ['indices', idx],
        ],
        outputs: [{ name: 'y', dtype }],
        attrs: { axis },
      };
      await expectMatchesOrt(c, 0, `GatherElements ${dtype} [${dims}] axis ${axis} idx [${idxDims}]`);
    }
  });
});
