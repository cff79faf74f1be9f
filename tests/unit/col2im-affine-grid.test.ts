// Col2Im and AffineGrid (kernels/spatial/*.ref.ts) on the CPU interpreter against
// onnxruntime-node: random 2-D (AffineGrid also 3-D) shapes, pads, strides and dilations, both
// align_corners; within 1e-4 relative (overlapping Col2Im blocks and AffineGrid's dot products
// sum floats).
import { describe, expect, it } from 'vitest';
import { col2imBlocks, col2imRef } from '../../kernels/spatial/col2im.ref.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectNear,
  type OneNode,
  pick,
  randInt,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

function int64(values: readonly number[]): Tensor {
  return makeTensor(
    'int64',
    [values.length],
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

describe('Col2Im vs onnxruntime-node (1e-4 relative)', () => {
  it('random images, blocks, pads, strides and dilations', async () => {
    const r = rng(41);
    let ran = 0;
    for (let k = 0; k < 60 && ran < 30; k++) {
      const image = [randInt(r, 1, 6), randInt(r, 1, 6)];
      const block = image.map((d) => randInt(r, 1, Math.min(d, 3)));
      const dilations = image.map(() => randInt(r, 1, 2));
      const strides = image.map(() => randInt(r, 1, 2));
      const pads = [...image, ...image].map(() => randInt(r, 0, 1));
      const blocks = col2imBlocks({ imageShape: image, blockShape: block, dilations, pads, strides });
      if (blocks.some((b) => b < 1)) continue;
      ran++;
      const n = randInt(r, 1, 2);
      const c = randInt(r, 1, 2);
      const kernel = block.reduce((a, b) => a * b, 1);
      const count = blocks.reduce((a, b) => a * b, 1);
      const x = randomTensor(r, 'float32', [n, c * kernel, count], -3, 3);
      const node: OneNode = {
        op: 'Col2Im',
        opset: 18,
        inputs: [
          ['x', x],
          ['image_shape', int64(image)],
          ['block_shape', int64(block)],
        ],
        constants: ['image_shape', 'block_shape'],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs: { dilations, pads, strides },
      };
      const what = `Col2Im image [${image}] block [${block}] d [${dilations}] p [${pads}] s [${strides}]`;
      expectNear(runOurs(node)[0], (await runOrt(node))[0], what, 1e-4, 1e-5);
    }
    expect(ran).toBeGreaterThan(20);
  });
});

describe('Col2Im 3-D against the ONNX reference implementation', () => {
  // onnxruntime-node's 3-D result differed from the ONNX reference on the first case below (its
  // 2-D results all agree), so 3-D is checked against onnx.reference.ReferenceEvaluator (onnx
  // 1.23) literals.
  // X = ((i % 7) / 2 - 1.25) as [1, 2 * prod(block), blocks].
  const cases: Array<[number[], number[], number[], number[], number[], number[]]> = [
    [
      [1, 4, 3],
      [1, 2, 1],
      [1, 2, 1],
      [0, 1, 0, 1, 1, 0],
      [2, 1, 1],
      [
        0.25, 0.75, 1.25, 3.0, 0.5, -2.0, -1.0, 0.0, 1.0, 0.75, 1.25, 1.75, 1.75, -1.25, -0.75, -1.0, 0.0,
        1.0, 2.0, 3.0, 0.5, -1.25, -0.75, -0.25,
      ],
    ],
    [
      [3, 2, 4],
      [2, 2, 2],
      [1, 1, 2],
      [1, 0, 1, 0, 1, 1],
      [1, 2, 1],
      [
        0.0, 1.5, 0.0, 2.5, -0.5, 0.5, 2.5, -1.5, 0.5, 2.5, 1.0, -0.5, 0.0, 1.5, 0.0, 2.5, -0.75, 1.0, 2.0,
        -1.25, 0.75, 0.5, 1.5, 0.25, 1.5, 1.0, -0.5, 0.5, 1.0, 0.0, 2.0, 0.0, -1.5, 2.0, 0.5, 1.0, 1.5, 1.0,
        -0.5, 0.5, 1.75, -1.0, 0.0, 1.25, -0.25, 2.0, -0.5, -0.75,
      ],
    ],
  ];
  for (const [image, block, dilations, pads, strides, want] of cases) {
    it(`image [${image}] block [${block}]`, () => {
      const o = { imageShape: image, blockShape: block, dilations, pads, strides };
      const count = col2imBlocks(o).reduce((a, b) => a * b, 1);
      const kernel = block.reduce((a, b) => a * b, 1);
      const x = makeTensor(
        'float32',
        [1, 2 * kernel, count],
        Array.from({ length: 2 * kernel * count }, (_, i) => (i % 7) / 2 - 1.25),
      );
      const y = col2imRef(x, o);
      expect(y.dims).toEqual([1, 2, ...image]);
      expect(Array.from(y.data as Float32Array)).toEqual(want);
    });
  }
});

describe('AffineGrid vs onnxruntime-node (1e-4 relative)', () => {
  it('random 2-D and 3-D thetas and sizes, both align_corners', async () => {
    const r = rng(42);
    for (let k = 0; k < 30; k++) {
      const rank = pick(r, [2, 3]);
      const n = randInt(r, 1, 2);
      const size = [n, randInt(r, 1, 3), ...Array.from({ length: rank }, () => randInt(r, 2, 5))];
      const node: OneNode = {
        op: 'AffineGrid',
        opset: 20,
        inputs: [
          ['theta', randomTensor(r, 'float32', [n, rank, rank + 1], -2, 2)],
          ['size', int64(size)],
        ],
        constants: ['size'],
        outputs: [{ name: 'grid', dtype: 'float32' }],
        attrs: { align_corners: randInt(r, 0, 1) },
      };
      expectNear(runOurs(node)[0], (await runOrt(node))[0], `AffineGrid size [${size}]`, 1e-4, 1e-5);
    }
  });
});
