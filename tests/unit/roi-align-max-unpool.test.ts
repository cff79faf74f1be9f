// RoiAlign (opset 10 and 16, avg / max, both coordinate modes) and MaxUnpool
// (kernels/spatial/*.ref.ts) on the CPU interpreter against onnxruntime-node: RoiAlign within
// 1e-4 relative, MaxUnpool exactly; MaxUnpool's larger output_shape against the ONNX backend
// test's layout (onnxruntime places the indices differently there).
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  expectNear,
  type OneNode,
  pick,
  randInt,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

function int64(dims: readonly number[], values: readonly number[]): Tensor {
  return makeTensor(
    'int64',
    dims,
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

describe('RoiAlign vs onnxruntime-node (1e-4 relative)', () => {
  it('random regions (some past the image), scales, sampling ratios, modes and opsets', async () => {
    const r = rng(51);
    for (let k = 0; k < 40; k++) {
      const opset = pick(r, [10, 16]);
      const [n, c, h, w] = [randInt(r, 1, 2), randInt(r, 1, 3), randInt(r, 2, 8), randInt(r, 2, 8)];
      const num = randInt(r, 1, 4);
      const scale = pick(r, [1, 0.5, 0.25]);
      const rois: number[] = [];
      for (let i = 0; i < num; i++) {
        const x1 = r() * (w / scale) - 1;
        const y1 = r() * (h / scale) - 1;
        rois.push(x1, y1, x1 + r() * (w / scale), y1 + r() * (h / scale));
      }
      const attrs: OneNode['attrs'] = {
        mode: pick(r, ['avg', 'max']),
        output_height: randInt(r, 1, 3),
        output_width: randInt(r, 1, 3),
        sampling_ratio: randInt(r, 0, 2),
        spatial_scale: { float: scale },
      };
      if (opset >= 16) attrs.coordinate_transformation_mode = pick(r, ['half_pixel', 'output_half_pixel']);
      const node: OneNode = {
        op: 'RoiAlign',
        opset,
        inputs: [
          ['x', randomTensor(r, 'float32', [n, c, h, w], -5, 5)],
          ['rois', makeTensor('float32', [num, 4], rois)],
          [
            'batch_indices',
            int64(
              [num],
              Array.from({ length: num }, () => randInt(r, 0, n - 1)),
            ),
          ],
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs,
      };
      expectNear(
        runOurs(node)[0],
        (await runOrt(node))[0],
        `RoiAlign-${opset} ${JSON.stringify(attrs)}`,
        1e-4,
        1e-5,
      );
    }
  });
});

describe('MaxUnpool', () => {
  it('random 2-D unpools without output_shape match onnxruntime-node exactly', async () => {
    const r = rng(52);
    for (let k = 0; k < 20; k++) {
      const kernel = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const strides = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const xDims = [randInt(r, 1, 2), randInt(r, 1, 2), randInt(r, 1, 3), randInt(r, 1, 3)];
      const outHW = [0, 1].map((i) => (xDims[i + 2] - 1) * strides[i] + kernel[i]);
      const total = xDims[0] * xDims[1] * outHW[0] * outHW[1];
      const count = xDims.reduce((a, b) => a * b, 1);
      // Distinct target positions (a shuffled prefix of all positions).
      const positions = Array.from({ length: total }, (_, i) => i).sort(() => r() - 0.5);
      const node: OneNode = {
        op: 'MaxUnpool',
        opset: pick(r, [9, 11]),
        inputs: [
          ['x', randomTensor(r, 'float32', xDims, -5, 5)],
          ['i', int64(xDims, positions.slice(0, count))],
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs: { kernel_shape: kernel, strides },
      };
      await expectMatchesOrt(node, 0, `MaxUnpool [${xDims}] k [${kernel}] s [${strides}]`);
    }
  });

  it('a larger output_shape holds the unpooled result in its leading corner', () => {
    const node: OneNode = {
      op: 'MaxUnpool',
      opset: 11,
      inputs: [
        ['x', makeTensor('float32', [1, 1, 1, 2], [3, 4])],
        ['i', int64([1, 1, 1, 2], [1, 2])],
        ['shape', int64([4], [1, 1, 3, 4])],
      ],
      outputs: [{ name: 'y', dtype: 'float32' }],
      attrs: { kernel_shape: [2, 2], strides: [2, 2] },
    };
    // Inferred [1, 1, 2, 4]: index 1 is (0, 1), index 2 is (0, 2), kept at those coordinates.
    expect(Array.from(runOurs(node)[0].data as Float32Array)).toEqual([0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
